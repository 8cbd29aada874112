// Reference 2-D convolution: direct loops over NCHW tensors with stride, padding, dilation and
// groups. Each kernel computes one output element at a time as a sum (a "gather"), so all three
// read like the formula they implement and accumulate in acc_t<T>.
//
// For output position (oh, ow) and kernel tap (kh, kw) the input row/column read is
//   ih = oh * stride_h - pad_h + kh * dilation_h,   iw = ow * stride_w - pad_w + kw * dilation_w,
// and taps that land in the padding contribute zero.
#include "kernels/conv_geometry.h"
#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::reference {
namespace {

// Output position along one axis that reads input position `in` through kernel tap `k`, or -1
// when none does (the tap would fall between strides or outside the output).
int64_t output_position(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation, int64_t out_size) {
  const int64_t shifted = in + pad - k * dilation;
  if (shifted < 0 || shifted % stride != 0) return -1;
  const int64_t out = shifted / stride;
  return out < out_size ? out : -1;
}

}  // namespace

void conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Conv2dParams& p) {
  const ConvGeometry g(input.sizes(), weight.sizes(), out.sizes(), p.groups);
  dispatch_floating(out.dtype(), "conv2d", [&](auto tag) {
    using T = decltype(tag);
    const T* x = input.data_ptr<T>();
    const T* w = weight.data_ptr<T>();
    T* y = out.data_ptr<T>();
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t oc = 0; oc < g.out_channels; ++oc) {
        const int64_t first_in_channel = (oc / g.out_per_group) * g.in_per_group;
        for (int64_t oh = 0; oh < g.out_h; ++oh)
          for (int64_t ow = 0; ow < g.out_w; ++ow) {
            acc_t<T> acc = 0;
            for (int64_t ic = 0; ic < g.in_per_group; ++ic)
              for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
                const int64_t ih = oh * p.stride[0] - p.padding[0] + kh * p.dilation[0];
                if (ih < 0 || ih >= g.in_h) continue;
                for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
                  const int64_t iw = ow * p.stride[1] - p.padding[1] + kw * p.dilation[1];
                  if (iw < 0 || iw >= g.in_w) continue;
                  acc += static_cast<acc_t<T>>(x[g.input_index(n, first_in_channel + ic, ih, iw)]) *
                         w[g.weight_index(oc, ic, kh, kw)];
                }
              }
            y[g.output_index(n, oc, oh, ow)] = static_cast<T>(acc);
          }
      }
  });
}

// grad_input[n, c, ih, iw] = sum over the output channels of c's group and the kernel taps of
// grad_out at the output position that read (ih, iw) through that tap, times the tap's weight.
void conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_out, const Tensor& weight,
                           const Conv2dParams& p) {
  const ConvGeometry g(grad_input.sizes(), weight.sizes(), grad_out.sizes(), p.groups);
  dispatch_floating(grad_input.dtype(), "conv2d_backward_input", [&](auto tag) {
    using T = decltype(tag);
    const T* gy = grad_out.data_ptr<T>();
    const T* w = weight.data_ptr<T>();
    T* gx = grad_input.data_ptr<T>();
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t c = 0; c < g.in_channels; ++c) {
        const int64_t group = c / g.in_per_group, ic = c % g.in_per_group;
        for (int64_t ih = 0; ih < g.in_h; ++ih)
          for (int64_t iw = 0; iw < g.in_w; ++iw) {
            acc_t<T> acc = 0;
            for (int64_t oc = group * g.out_per_group; oc < (group + 1) * g.out_per_group; ++oc)
              for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
                const int64_t oh = output_position(ih, kh, p.stride[0], p.padding[0], p.dilation[0], g.out_h);
                if (oh < 0) continue;
                for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
                  const int64_t ow = output_position(iw, kw, p.stride[1], p.padding[1], p.dilation[1], g.out_w);
                  if (ow < 0) continue;
                  acc += static_cast<acc_t<T>>(gy[g.output_index(n, oc, oh, ow)]) * w[g.weight_index(oc, ic, kh, kw)];
                }
              }
            gx[g.input_index(n, c, ih, iw)] = static_cast<T>(acc);
          }
      }
  });
}

// grad_weight[oc, ic, kh, kw] = sum over the batch and output positions of grad_out times the
// input element that the tap (kh, kw) read there.
void conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_out, const Tensor& input,
                            const Conv2dParams& p) {
  const ConvGeometry g(input.sizes(), grad_weight.sizes(), grad_out.sizes(), p.groups);
  dispatch_floating(grad_weight.dtype(), "conv2d_backward_weight", [&](auto tag) {
    using T = decltype(tag);
    const T* gy = grad_out.data_ptr<T>();
    const T* x = input.data_ptr<T>();
    T* gw = grad_weight.data_ptr<T>();
    for (int64_t oc = 0; oc < g.out_channels; ++oc) {
      const int64_t first_in_channel = (oc / g.out_per_group) * g.in_per_group;
      for (int64_t ic = 0; ic < g.in_per_group; ++ic)
        for (int64_t kh = 0; kh < g.kernel_h; ++kh)
          for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
            acc_t<T> acc = 0;
            for (int64_t n = 0; n < g.batch; ++n)
              for (int64_t oh = 0; oh < g.out_h; ++oh) {
                const int64_t ih = oh * p.stride[0] - p.padding[0] + kh * p.dilation[0];
                if (ih < 0 || ih >= g.in_h) continue;
                for (int64_t ow = 0; ow < g.out_w; ++ow) {
                  const int64_t iw = ow * p.stride[1] - p.padding[1] + kw * p.dilation[1];
                  if (iw < 0 || iw >= g.in_w) continue;
                  acc += static_cast<acc_t<T>>(gy[g.output_index(n, oc, oh, ow)]) *
                         x[g.input_index(n, first_in_channel + ic, ih, iw)];
                }
              }
            gw[g.weight_index(oc, ic, kh, kw)] = static_cast<T>(acc);
          }
    }
  });
}

}  // namespace tinytorch::kernels::reference
