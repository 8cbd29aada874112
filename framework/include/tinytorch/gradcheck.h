// Finite-difference gradient check (central differences in f64), usable from any test.
#pragma once

#include <functional>
#include <string>

#include "tinytorch/tensor.h"

namespace tinytorch::autograd {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = true;
  std::string message;  // names the input, element and both derivatives of the worst mismatch
};

// Compares the analytic Jacobian of fn (from backward) against central differences, for every
// input that requires grad. Inputs must be float64.
GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& fn, const TensorList& inputs,
                          const GradcheckOptions& options = {});

}  // namespace tinytorch::autograd
