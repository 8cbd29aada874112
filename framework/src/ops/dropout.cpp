// Inverted dropout: zero each element with probability p and scale the survivors by 1/(1-p), so the
// expected value is unchanged and evaluation needs no rescaling. The mask is a product factor, so
// autograd gives the gradient (the same mask, same scale) for free.
#include "ops/elementwise_common.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/nn_functional.h"

namespace tinytorch {

Tensor dropout(const Tensor& x, double p, bool training, Generator* generator) {
  TT_CHECK(p >= 0.0 && p <= 1.0, "dropout: probability p must be in [0, 1], got {}", p);
  detail::check_compute_dtype(x, "dropout");
  TT_CHECK(is_floating(x.dtype()),
           "dropout: input dtype must be floating point, got {}; convert with .to(tt::kFloat32)",
           dtype_name(x.dtype()));
  if (!training || p == 0.0) return x;
  // As PyTorch: p = 1 multiplies by zero rather than dividing by 1 - p = 0.
  if (p == 1.0) return x * zeros({}, x.dtype());
  Tensor keep = lt(rand(x.sizes(), kFloat64, generator), 1.0 - p);
  Tensor mask = where(keep, full({}, 1.0 / (1.0 - p), x.dtype()), zeros({}, x.dtype()));
  return x * mask;
}

}  // namespace tinytorch
