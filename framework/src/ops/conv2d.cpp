// conv2d: validates the arguments as PyTorch does, runs the backend's convolution kernel on
// contiguous NCHW data and records its backward (two more kernels: gradient of input and of
// weight). The bias is a broadcast add, so its gradient (the sum over N, H, W) comes from autograd.
#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/nn_functional.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;
using kernels::Conv2dParams;

std::string pair_str(Pair p) { return shape_str({p[0], p[1]}); }

int64_t conv_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
  return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

void check_conv_args(const Tensor& input, const Tensor& weight, const Tensor& bias, const Conv2dParams& p) {
  TT_CHECK(input.dim() == 4 || input.dim() == 3,
           "conv2d: input must be 4-D [N, C_in, H, W] or 3-D [C_in, H, W], got shape {}; reshape it to NCHW",
           shape_str(input.sizes()));
  TT_CHECK(weight.dim() == 4, "conv2d: weight must be 4-D [C_out, C_in / groups, kH, kW], got shape {}",
           shape_str(weight.sizes()));
  TT_CHECK(input.dtype() == kFloat32 || input.dtype() == kFloat64,
           "conv2d: input dtype must be float32 or float64, got {}; convert with .to(tt::kFloat32)",
           dtype_name(input.dtype()));
  TT_CHECK(weight.dtype() == input.dtype(),
           "conv2d: input dtype {} and weight dtype {} must be the same; convert one with .to()",
           dtype_name(input.dtype()), dtype_name(weight.dtype()));
  detail::check_same_device(input, weight, "conv2d");
  TT_CHECK(p.groups >= 1, "conv2d: groups must be >= 1, got {}", p.groups);
  TT_CHECK(p.stride[0] >= 1 && p.stride[1] >= 1, "conv2d: stride must be >= 1 in both dims, got {}",
           pair_str(p.stride));
  TT_CHECK(p.padding[0] >= 0 && p.padding[1] >= 0, "conv2d: padding must be >= 0 in both dims, got {}",
           pair_str(p.padding));
  TT_CHECK(p.dilation[0] >= 1 && p.dilation[1] >= 1, "conv2d: dilation must be >= 1 in both dims, got {}",
           pair_str(p.dilation));

  const int64_t out_channels = weight.size(0), in_channels = input.size(-3);
  TT_CHECK(out_channels % p.groups == 0,
           "conv2d: weight of shape {} has {} output channels, which groups={} does not divide; use a multiple of "
           "groups",
           shape_str(weight.sizes()), out_channels, p.groups);
  TT_CHECK(in_channels == weight.size(1) * p.groups,
           "conv2d: input of shape {} has {} channels but weight of shape {} with groups={} expects {} "
           "(weight.size(1) * groups); check in_channels and groups",
           shape_str(input.sizes()), in_channels, shape_str(weight.sizes()), p.groups, weight.size(1) * p.groups);

  const int64_t padded_h = input.size(-2) + 2 * p.padding[0], padded_w = input.size(-1) + 2 * p.padding[1];
  const int64_t extent_h = p.dilation[0] * (weight.size(2) - 1) + 1,
                extent_w = p.dilation[1] * (weight.size(3) - 1) + 1;
  TT_CHECK(extent_h <= padded_h && extent_w <= padded_w,
           "conv2d: kernel of size {}x{} (dilation {}, so it spans {}x{}) is larger than the padded input {}x{} "
           "(input {} with padding {}); use a smaller kernel or more padding",
           weight.size(2), weight.size(3), pair_str(p.dilation), extent_h, extent_w, padded_h, padded_w,
           shape_str(input.sizes()), pair_str(p.padding));

  if (!bias.defined()) return;
  TT_CHECK(bias.dim() == 1 && bias.size(0) == out_channels,
           "conv2d: bias of shape {} must be [{}] (one value per output channel of weight {})", shape_str(bias.sizes()),
           out_channels, shape_str(weight.sizes()));
  TT_CHECK(bias.dtype() == input.dtype(), "conv2d: bias dtype {} must match input dtype {}; convert with .to()",
           dtype_name(bias.dtype()), dtype_name(input.dtype()));
  detail::check_same_device(input, bias, "conv2d");
}

// Convolution of a validated 4-D input, without bias: the kernel call and its backward.
Tensor conv2d_nchw(const Tensor& input, const Tensor& weight, const Conv2dParams& p) {
  const Shape out_shape{input.size(0), weight.size(0),
                        conv_output_size(input.size(2), weight.size(2), p.stride[0], p.padding[0], p.dilation[0]),
                        conv_output_size(input.size(3), weight.size(3), p.stride[1], p.padding[1], p.dilation[1])};
  Tensor out = empty(out_shape, input.dtype());
  Tensor x, w;
  {
    NoGradGuard no_grad;  // the layout copies are plumbing, not graph nodes
    x = input.contiguous();
    w = weight.contiguous();
  }
  kernels::active_kernels().conv2d(out, x, w, p);
  if (autograd::needs_grad({input, weight}))
    autograd::record("ConvolutionBackward", out, {input, weight},
                     [sx = save(x), sw = save(w), in_shape = x.sizes(), p](const Tensor& g, const Needs& needs) {
                       const Tensor grad_out = g.contiguous();
                       const Tensor weight = sw.get();
                       Tensor grad_input, grad_weight;
                       // The weight gradient first: a recomputed input is then freed before
                       // grad_input exists.
                       if (needs[1]) {
                         grad_weight = empty(weight.sizes(), grad_out.dtype());
                         kernels::active_kernels().conv2d_backward_weight(grad_weight, grad_out, sx.get(), p);
                       }
                       if (needs[0]) {
                         grad_input = empty(in_shape, grad_out.dtype());
                         kernels::active_kernels().conv2d_backward_input(grad_input, grad_out, weight, p);
                       }
                       return TensorList{grad_input, grad_weight};
                     });
  return out;
}
}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, Pair stride, Pair padding, Pair dilation,
              int64_t groups) {
  const Conv2dParams params{stride, padding, dilation, groups};
  check_conv_args(input, weight, bias, params);
  const bool unbatched = input.dim() == 3;
  Tensor out = conv2d_nchw(unbatched ? input.unsqueeze(0) : input, weight, params);
  if (bias.defined()) out = out + bias.view({1, -1, 1, 1});
  return unbatched ? out.squeeze(0) : out;
}

}  // namespace tinytorch
