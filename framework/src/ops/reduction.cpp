// Reductions: sum/mean/var/std/max/min and arg-reductions. sum and max/min reach the backend's
// reduce kernels; mean, var and std are composed from them so their gradients come for free.
#include <algorithm>

#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/indexing.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;
using kernels::ReduceOp;

// Wrapped, de-duplicated reduction dims; an empty list means every dim, as torch.sum(x, []).
std::vector<bool> reduced_mask(const Tensor& x, const Shape& dims, const char* op) {
  std::vector<bool> mask(static_cast<size_t>(x.dim()), dims.empty());
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, x.dim(), op);
    if (x.dim() == 0) continue;
    TT_CHECK(!mask[w] || dims.empty(), "{}: dim {} appears more than once in {}", op, w, shape_str(dims));
    mask[w] = true;
  }
  return mask;
}

Shape keepdim_shape(const Tensor& x, const std::vector<bool>& mask) {
  Shape shape = x.sizes();
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) shape[d] = 1;
  return shape;
}

Shape dropped_shape(const Tensor& x, const std::vector<bool>& mask) {
  Shape shape;
  for (size_t d = 0; d < mask.size(); ++d)
    if (!mask[d]) shape.push_back(x.sizes()[d]);
  return shape;
}

// Runs a Sum/Max/Min kernel over the masked dims into a new tensor of `dtype`.
Tensor reduce_kernel(ReduceOp op, const Tensor& x, const std::vector<bool>& mask, bool keepdim, DType dtype,
                     const char* name) {
  detail::check_compute_dtype(x, name);
  NoGradGuard no_grad;
  Tensor out = empty(keepdim_shape(x, mask), dtype);
  kernels::active_kernels().reduce(op, out, x.to(dtype));
  return keepdim ? out : out.view(dropped_shape(x, mask));
}

void check_nonempty(const Tensor& x, const char* op) {
  TT_CHECK(x.numel() > 0, "{}: cannot reduce an empty tensor of shape {} (no identity); check the input is non-empty",
           op, shape_str(x.sizes()));
}

DType sum_dtype(DType dtype) { return is_floating(dtype) ? dtype : kInt64; }
}  // namespace

Tensor sum(const Tensor& x, const Shape& dims, bool keepdim) {
  const auto mask = reduced_mask(x, dims, "sum");
  Tensor out = reduce_kernel(ReduceOp::Sum, x, mask, keepdim, sum_dtype(x.dtype()), "sum");
  autograd::record("SumBackward", out, {x},
                   [keep_shape = keepdim_shape(x, mask), shape = x.sizes()](const Tensor& g, const Needs&) {
                     return TensorList{g.reshape(keep_shape).expand(shape)};
                   });
  return out;
}

Tensor sum(const Tensor& x, std::optional<DType> dtype) {
  Tensor out = sum(x, Shape{}, false);
  return dtype ? out.to(*dtype) : out;
}

Tensor mean(const Tensor& x, const Shape& dims, bool keepdim) {
  TT_CHECK(is_floating(x.dtype()), "mean: input dtype must be floating point, got {}; convert with .to(tt::kFloat32)",
           dtype_name(x.dtype()));
  const auto mask = reduced_mask(x, dims, "mean");
  int64_t count = 1;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) count *= x.sizes()[d];
  return sum(x, dims, keepdim) / static_cast<double>(count);
}

Tensor mean(const Tensor& x) { return mean(x, {}, false); }

Tensor var(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  TT_CHECK(is_floating(x.dtype()), "var: input dtype must be floating point, got {}; convert with .to(tt::kFloat32)",
           dtype_name(x.dtype()));
  const auto mask = reduced_mask(x, dims, "var");
  int64_t count = 1;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) count *= x.sizes()[d];
  Tensor centered = x - mean(x, dims, true);
  return sum(centered * centered, dims, keepdim) / static_cast<double>(std::max<int64_t>(count - correction, 0));
}

Tensor std(const Tensor& x, const Shape& dims, int64_t correction, bool keepdim) {
  return sqrt(var(x, dims, correction, keepdim));
}

namespace {
// max()/min() over everything; ties share the gradient evenly, as PyTorch.
Tensor extreme_all(ReduceOp op, const Tensor& x, const char* name) {
  check_nonempty(x, name);
  const auto mask = reduced_mask(x, {}, name);
  Tensor out = reduce_kernel(op, x, mask, false, x.dtype(), name);
  if (autograd::needs_grad({x}))
    autograd::record(op == ReduceOp::Max ? "MaxBackward" : "MinBackward", out, {x},
                     [sx = save(x), sy = save(out)](const Tensor& g, const Needs&) {
                       Tensor hits = eq(sx.get(), sy.get()).to(g.dtype());
                       return TensorList{hits * (g / sum(hits))};
                     });
  return out;
}

// max(dim)/min(dim): values and indices; the gradient goes to the index that was chosen.
std::pair<Tensor, Tensor> extreme_dim(ReduceOp value_op, ReduceOp index_op, const Tensor& x, int64_t dim, bool keepdim,
                                      const char* name) {
  check_nonempty(x, name);
  const int64_t d = wrap_dim(dim, x.dim(), name);
  std::vector<bool> mask(static_cast<size_t>(x.dim()), false);
  if (x.dim() > 0) mask[d] = true;
  Tensor indices = empty(keepdim_shape(x, mask), kInt64);
  kernels::active_kernels().arg_reduce(index_op, indices, x, d);
  Tensor values = reduce_kernel(value_op, x, mask, true, x.dtype(), name);
  if (autograd::needs_grad({x}))
    autograd::record(value_op == ReduceOp::Max ? "MaxBackward" : "MinBackward", values, {x},
                     [shape = x.sizes(), d, si = save(indices)](const Tensor& g, const Needs&) {
                       if (shape.empty()) return TensorList{g};
                       return TensorList{scatter_add(zeros(shape, g.dtype()), d, si.get(), g)};
                     });
  if (!keepdim && x.dim() > 0) return {values.squeeze(d), indices.squeeze(d)};
  return {values, indices};
}

Tensor arg_extreme(ReduceOp op, const Tensor& x, std::optional<int64_t> dim, bool keepdim, const char* name) {
  detail::check_compute_dtype(x, name);
  check_nonempty(x, name);
  if (!dim) {
    Tensor flat_index = arg_extreme(op, x.reshape({-1}), 0, false, name);
    return keepdim ? flat_index.reshape(Shape(static_cast<size_t>(x.dim()), 1)) : flat_index;
  }
  const int64_t d = wrap_dim(*dim, x.dim(), name);
  std::vector<bool> mask(static_cast<size_t>(x.dim()), false);
  if (x.dim() > 0) mask[d] = true;
  Tensor out = empty(keepdim_shape(x, mask), kInt64);
  kernels::active_kernels().arg_reduce(op, out, x, d);
  return keepdim || x.dim() == 0 ? out : out.squeeze(d);
}
}  // namespace

Tensor max(const Tensor& x) { return extreme_all(ReduceOp::Max, x, "max"); }
Tensor min(const Tensor& x) { return extreme_all(ReduceOp::Min, x, "min"); }
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim(ReduceOp::Max, ReduceOp::ArgMax, x, dim, keepdim, "max");
}
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim(ReduceOp::Min, ReduceOp::ArgMin, x, dim, keepdim, "min");
}
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(ReduceOp::ArgMax, x, dim, keepdim, "argmax");
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(ReduceOp::ArgMin, x, dim, keepdim, "argmin");
}

}  // namespace tinytorch
