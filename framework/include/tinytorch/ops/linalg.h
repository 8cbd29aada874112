// Matrix products.
#pragma once

#include "tinytorch/tensor.h"

namespace tinytorch {

// torch.matmul semantics: 1-D·1-D dot, 2-D·2-D mm, and batched products with broadcast batch dims.
Tensor matmul(const Tensor& a, const Tensor& b);
// x · weightᵀ + bias with weight [out, in], as torch.nn.functional.linear.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace tinytorch
