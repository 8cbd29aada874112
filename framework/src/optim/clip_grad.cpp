// Gradient clipping by global norm and by value, in tensor ops under NoGradGuard.
#include "tinytorch/optim/clip_grad.h"

#include <cmath>

#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch::optim {
namespace {
// The p-norm of all elements of `x` (p > 0, finite or infinite), as a 0-dim tensor.
Tensor vector_norm(const Tensor& x, double p) {
  if (std::isinf(p)) return max(abs(x));
  if (p == 2.0) return sqrt(sum(x * x));
  if (p == 1.0) return sum(abs(x));
  return pow(sum(pow(abs(x), p)), 1.0 / p);
}
}  // namespace

double clip_grad_norm_(const TensorList& parameters, double max_norm, double norm_type, bool error_if_nonfinite) {
  NoGradGuard no_grad;
  TensorList grads;
  for (const Tensor& param : parameters)
    if (Tensor grad = param.grad(); grad.defined()) grads.push_back(grad);
  if (grads.empty()) return 0.0;
  TT_CHECK(norm_type >= 0.0, "clip_grad_norm_: norm_type must be >= 0 (or infinity), got {}", norm_type);

  Tensor total;
  if (norm_type == 0.0) {
    total = scalar_tensor(static_cast<double>(grads.size()), grads[0].dtype());
  } else {
    TensorList norms;
    for (const Tensor& grad : grads) norms.push_back(vector_norm(grad, norm_type));
    total = norms.size() == 1 ? norms[0] : vector_norm(stack(norms), norm_type);
  }
  const double total_norm = total.item();
  TT_CHECK(!error_if_nonfinite || std::isfinite(total_norm),
           "clip_grad_norm_: the total norm of order {} of the gradients is {}, so they cannot be clipped; fix the "
           "NaN/inf gradients or pass error_if_nonfinite = false",
           norm_type, total_norm);
  const Tensor coef = clamp(max_norm / (total + 1e-6), std::nullopt, 1.0);
  for (Tensor& grad : grads) grad.mul_(coef.to(grad.dtype()));
  return total_norm;
}

void clip_grad_value_(const TensorList& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& param : parameters)
    if (Tensor grad = param.grad(); grad.defined()) grad.copy_(clamp(grad, -clip_value, clip_value));
}

}  // namespace tinytorch::optim
