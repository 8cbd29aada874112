// Element-wise comparison used by the suites' correctness check: says where and by how much a
// result differs from LibTorch's, so a failing run names the exact element.
#pragma once

#include <torch/torch.h>

#include <string>

namespace tt_bench {

// Empty when both are undefined, or when shapes and dtypes match and every element satisfies
// |got - expected| <= atol + rtol * |expected| (NaN only matches NaN); otherwise one line naming the
// first offending element (as a multi-index), both values, how many elements differ and the
// largest difference.
std::string mismatch(const at::Tensor& got, const at::Tensor& expected, double rtol, double atol);

}  // namespace tt_bench
