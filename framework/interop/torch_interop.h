// Copies tensors between TinyTorch and LibTorch. Used by the tests (LibTorch is the oracle) and by
// the benchmark suites (identical inputs for both frameworks); the library itself never uses it.
#pragma once

#include <torch/torch.h>

#include "tinytorch/tensor.h"

namespace tinytorch::interop {

at::ScalarType to_torch_dtype(DType dtype);
DType from_torch_dtype(at::ScalarType type);

// Same shape, dtype and values; the result is contiguous and does not require grad.
at::Tensor to_torch(const Tensor& tensor);
Tensor from_torch(const at::Tensor& tensor);

}  // namespace tinytorch::interop
