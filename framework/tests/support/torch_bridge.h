// Moves tensors between TinyTorch and LibTorch (always by copy) and compares them with stated
// tolerances. LibTorch is the oracle for forward values and gradients in every op test.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "tinytorch/tinytorch.h"

namespace tt_test {

at::ScalarType to_torch_dtype(tt::DType dtype);
tt::DType from_torch_dtype(at::ScalarType type);

// Same shape, dtype and values; the result is contiguous and does not require grad.
at::Tensor to_torch(const tt::Tensor& tensor);
tt::Tensor from_torch(const at::Tensor& tensor);

// Element-wise |actual - expected| <= atol + rtol * |expected|, plus equal shapes and dtypes.
// The failure message names `what`, the worst element and both values.
::testing::AssertionResult all_close(const tt::Tensor& actual, const at::Tensor& expected, double rtol, double atol,
                                     const std::string& what = "tensor");

}  // namespace tt_test
