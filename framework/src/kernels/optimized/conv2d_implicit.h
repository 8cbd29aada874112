// Convolution as an implicit GEMM over a zero-padded, stride-split copy of each image
// (conv2d_implicit.cpp), the optimized conv2d's main path; conv2d.cpp keeps a column matrix for the input
// gradient of strided convolutions.
#pragma once

#include "kernels/optimized/conv_shape.h"

namespace tinytorch::kernels::optimized::implicit_conv {

// Forward and weight gradient take any stride, padding, dilation and groups. Backward to the input
// is, for stride 1, a convolution of the output gradient with the flipped,
// transposed weight, padded by dilation * (kernel - 1) - padding, which must not be negative; and
// with at least 8 input channels per group (they become the output rows of that GEMM).
bool applies_to_input_gradient(const ConvShape& s);

template <class T>
void forward(const ConvShape& s, const T* x, const T* w, T* y);
template <class T>
void backward_input(const ConvShape& s, const T* gy, const T* w, T* gx);
template <class T>
void backward_weight(const ConvShape& s, const T* gy, const T* x, T* gw);

}  // namespace tinytorch::kernels::optimized::implicit_conv
