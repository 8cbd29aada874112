// The sizes and parameters of one optimized 2-D convolution (conv2d.cpp, conv2d_implicit.cpp).
#pragma once

#include <cstdint>

#include "kernels/conv_geometry.h"
#include "kernels/kernel_table.h"

namespace tinytorch::kernels::optimized {

struct ConvShape : ConvGeometry {
  int64_t groups;
  Conv2dParams p;

  ConvShape(const Shape& input, const Shape& weight, const Shape& output, const Conv2dParams& params)
      : ConvGeometry(input, weight, output, params.groups), groups(params.groups), p(params) {}

  // Taps per group: the reduction length of the forward GEMM.
  int64_t col_rows() const { return in_per_group * kernel_h * kernel_w; }
  int64_t in_plane() const { return in_h * in_w; }
  int64_t out_plane() const { return out_h * out_w; }
};

}  // namespace tinytorch::kernels::optimized
