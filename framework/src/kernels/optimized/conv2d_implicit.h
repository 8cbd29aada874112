// Convolution as an implicit GEMM over a zero-padded, stride-split copy of each image
// (conv2d_implicit.cpp), the optimized conv2d's main path; conv2d.cpp keeps a column matrix for the input
// gradient of convolutions with few input channels.
#pragma once

#include "kernels/optimized/conv_shape.h"

namespace tinytorch::kernels::optimized::implicit_conv {

// All three take any stride, padding, dilation and groups. The input gradient's GEMM has one row
// per input channel of a group, so it applies from 8 of them on (fewer would leave a microkernel
// tile mostly padding).
bool applies_to_input_gradient(const ConvShape& s);

template <class T>
void forward(const ConvShape& s, const T* x, const T* w, T* y);
template <class T>
void backward_input(const ConvShape& s, const T* gy, const T* w, T* gx);
template <class T>
void backward_weight(const ConvShape& s, const T* gy, const T* x, T* gw);

}  // namespace tinytorch::kernels::optimized::implicit_conv
