// Compares TinyTorch tensors with LibTorch ones under stated tolerances (copies between the two
// frameworks come from framework/interop). LibTorch is the oracle for forward values and gradients in every op test.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "interop/torch_interop.h"
#include "tinytorch/tinytorch.h"

namespace tt_test {

using tinytorch::interop::from_torch;
using tinytorch::interop::from_torch_dtype;
using tinytorch::interop::to_torch;
using tinytorch::interop::to_torch_dtype;

// Element-wise |actual - expected| <= atol + rtol * |expected|, plus equal shapes and dtypes.
// The failure message names `what`, the worst element and both values.
::testing::AssertionResult all_close(const tt::Tensor& actual, const at::Tensor& expected, double rtol, double atol,
                                     const std::string& what = "tensor");

}  // namespace tt_test
