// softmax and log_softmax along one dim. Both are a single fused kernel (stable: the row maximum is
// subtracted first); the backward reuses the saved output, so no exp() is recomputed.
#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/nn_functional.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;

Tensor softmax_impl(const Tensor& x, int64_t dim, bool log, const char* name) {
  detail::check_compute_dtype(x, name);
  TT_CHECK(is_floating(x.dtype()), "{}: input dtype must be floating point, got {}; convert with .to(tt::kFloat32)",
           name, dtype_name(x.dtype()));
  const int64_t d = wrap_dim(dim, x.dim(), name);
  Tensor out = empty(x.sizes(), x.dtype());
  kernels::active_kernels().softmax(out, x, d, log);
  if (autograd::needs_grad({x}))
    autograd::record(log ? "LogSoftmaxBackward" : "SoftmaxBackward", out, {x},
                     [sy = save(out), d, log](const Tensor& g, const Needs&) {
                       const Tensor& y = sy.get();
                       Tensor grad_in = empty(y.sizes(), y.dtype());
                       kernels::active_kernels().softmax_backward(grad_in, g.to(y.dtype()), y, d, log);
                       return TensorList{grad_in};
                     });
  return out;
}
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, false, "softmax"); }

Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, true, "log_softmax"); }

}  // namespace tinytorch
