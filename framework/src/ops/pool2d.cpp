// max_pool2d and avg_pool2d: argument checks as PyTorch makes them, the backend's pooling kernels
// on contiguous NCHW data, and their backward. Max pooling keeps where each maximum came from (in the
// backend's own format) so its backward only scatters; average pooling's needs just the geometry.
#include "autograd/function.h"
#include "kernels/kernel_table.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/nn_functional.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;
using kernels::Pool2dParams;

std::string pair_str(Pair p) { return shape_str({p[0], p[1]}); }

// Validates the arguments of a pooling op (3-D or 4-D input) and resolves the default stride.
Pool2dParams pool_params(const char* op, const Tensor& input, Pair kernel, Pair stride, Pair padding, Pair dilation,
                         bool count_include_pad) {
  TT_CHECK(input.dim() == 4 || input.dim() == 3,
           "{}: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape {}; reshape it to NCHW", op,
           shape_str(input.sizes()));
  TT_CHECK(input.dtype() == kFloat32 || input.dtype() == kFloat64,
           "{}: input dtype must be float32 or float64, got {}; convert with .to(tt::kFloat32)", op,
           dtype_name(input.dtype()));
  TT_CHECK(kernel[0] >= 1 && kernel[1] >= 1, "{}: kernel_size must be >= 1 in both dims, got {}", op, pair_str(kernel));
  if (stride[0] == 0 && stride[1] == 0) stride = kernel;
  TT_CHECK(stride[0] >= 1 && stride[1] >= 1,
           "{}: stride must be >= 1 in both dims (or {{0, 0}} for stride = kernel_size), got {}", op, pair_str(stride));
  TT_CHECK(dilation[0] >= 1 && dilation[1] >= 1, "{}: dilation must be >= 1 in both dims, got {}", op,
           pair_str(dilation));
  TT_CHECK(padding[0] >= 0 && padding[1] >= 0 && padding[0] <= kernel[0] / 2 && padding[1] <= kernel[1] / 2,
           "{}: padding {} must be between 0 and half the kernel_size {}; use a larger kernel or less padding", op,
           pair_str(padding), pair_str(kernel));

  const int64_t padded_h = input.size(-2) + 2 * padding[0], padded_w = input.size(-1) + 2 * padding[1];
  const int64_t extent_h = dilation[0] * (kernel[0] - 1) + 1, extent_w = dilation[1] * (kernel[1] - 1) + 1;
  TT_CHECK(extent_h <= padded_h && extent_w <= padded_w,
           "{}: kernel of size {} (dilation {}, so it spans {}x{}) is larger than the padded input {}x{} "
           "(input {} with padding {}); use a smaller kernel or more padding",
           op, pair_str(kernel), pair_str(dilation), extent_h, extent_w, padded_h, padded_w, shape_str(input.sizes()),
           pair_str(padding));
  return {kernel, stride, padding, dilation, count_include_pad};
}

// [N, C, H_out, W_out] for a validated 4-D input.
Shape pool_output_shape(const Tensor& input, const Pool2dParams& p) {
  Shape shape = input.sizes();
  for (size_t d = 0; d < 2; ++d) {
    const int64_t extent = p.dilation[d] * (p.kernel[d] - 1) + 1;
    shape[2 + d] = (shape[2 + d] + 2 * p.padding[d] - extent) / p.stride[d] + 1;
  }
  return shape;
}

Tensor contiguous_no_grad(const Tensor& t) {
  NoGradGuard no_grad;
  return t.contiguous();
}

// The backward runs on the kernel table that ran the forward: the argmax state is in its format.
Tensor max_pool2d_nchw(const Tensor& input, const Pool2dParams& p) {
  const kernels::KernelTable& k = kernels::active_kernels();
  Tensor out = empty(pool_output_shape(input, p), input.dtype());
  Tensor argmax = k.max_pool2d(out, contiguous_no_grad(input), p);
  if (autograd::needs_grad({input}))
    autograd::record("MaxPool2DWithIndicesBackward", out, {input},
                     [&k, p, in_shape = input.sizes(), sa = save(argmax)](const Tensor& g, const Needs&) {
                       Tensor grad_input = empty(in_shape, g.dtype());
                       k.max_pool2d_backward(grad_input, g.contiguous(), sa.get(), p);
                       return TensorList{grad_input};
                     });
  return out;
}

Tensor avg_pool2d_nchw(const Tensor& input, const Pool2dParams& p) {
  Tensor out = empty(pool_output_shape(input, p), input.dtype());
  kernels::active_kernels().avg_pool2d(out, contiguous_no_grad(input), p);
  if (autograd::needs_grad({input}))
    autograd::record("AvgPool2DBackward", out, {input}, [in_shape = input.sizes(), p](const Tensor& g, const Needs&) {
      Tensor grad_input = empty(in_shape, g.dtype());
      kernels::active_kernels().avg_pool2d_backward(grad_input, g.contiguous(), p);
      return TensorList{grad_input};
    });
  return out;
}

// Runs a 4-D pooling function on a 3-D [C, H, W] input by adding and removing the batch dim.
template <class F>
Tensor batched(const Tensor& input, F&& pool) {
  if (input.dim() == 4) return pool(input);
  return pool(input.unsqueeze(0)).squeeze(0);
}
}  // namespace

Tensor max_pool2d(const Tensor& input, Pair kernel_size, Pair stride, Pair padding, Pair dilation) {
  const Pool2dParams p = pool_params("max_pool2d", input, kernel_size, stride, padding, dilation, true);
  return batched(input, [&](const Tensor& x) { return max_pool2d_nchw(x, p); });
}

Tensor avg_pool2d(const Tensor& input, Pair kernel_size, Pair stride, Pair padding, bool count_include_pad) {
  const Pool2dParams p = pool_params("avg_pool2d", input, kernel_size, stride, padding, {1, 1}, count_include_pad);
  return batched(input, [&](const Tensor& x) { return avg_pool2d_nchw(x, p); });
}

}  // namespace tinytorch
