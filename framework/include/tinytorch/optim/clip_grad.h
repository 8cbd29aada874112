// Gradient clipping, as torch::nn::utils::clip_grad_norm_ / clip_grad_value_ (PyTorch 1.13).
// Parameters without a gradient are skipped.
#pragma once

#include <limits>

#include "tinytorch/tensor.h"

namespace tinytorch::optim {

// Scales all gradients by min(1, max_norm / (total_norm + 1e-6)), where total_norm is the
// norm_type-norm of the per-parameter gradient norms (norm_type may be infinity; 0 counts the
// gradients, as torch). Returns total_norm. error_if_nonfinite throws when it is NaN or infinite.
double clip_grad_norm_(const TensorList& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
constexpr double kInfNorm = std::numeric_limits<double>::infinity();

// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const TensorList& parameters, double clip_value);

}  // namespace tinytorch::optim
