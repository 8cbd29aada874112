// Sizes of one 2-D convolution and flat indices into its contiguous NCHW tensors, shared by the
// reference loops (reference/conv2d.cpp) and the optimized kernels (optimized/conv_shape.h).
#pragma once

#include <cstdint>

#include "tinytorch/shape.h"

namespace tinytorch::kernels {

// Sizes of one convolution, read from the (contiguous NCHW) input, weight and output shapes.
struct ConvGeometry {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, kernel_h, kernel_w, out_h, out_w;
  int64_t in_per_group, out_per_group;

  ConvGeometry(const Shape& input, const Shape& weight, const Shape& output, int64_t groups)
      : batch(input[0]),
        in_channels(input[1]),
        in_h(input[2]),
        in_w(input[3]),
        out_channels(weight[0]),
        kernel_h(weight[2]),
        kernel_w(weight[3]),
        out_h(output[2]),
        out_w(output[3]),
        in_per_group(weight[1]),
        out_per_group(weight[0] / groups) {}

  int64_t input_index(int64_t n, int64_t c, int64_t h, int64_t w) const {
    return ((n * in_channels + c) * in_h + h) * in_w + w;
  }
  int64_t weight_index(int64_t oc, int64_t ic, int64_t kh, int64_t kw) const {
    return ((oc * in_per_group + ic) * kernel_h + kh) * kernel_w + kw;
  }
  int64_t output_index(int64_t n, int64_t oc, int64_t h, int64_t w) const {
    return ((n * out_channels + oc) * out_h + h) * out_w + w;
  }
};

}  // namespace tinytorch::kernels
