// Shape and stride vectors plus the helpers every op needs to validate them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tinytorch {

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& shape);  // "[32, 784]"
int64_t numel_of(const Shape& shape);
Shape contiguous_strides(const Shape& shape);

// Wraps a possibly negative dim into [0, ndim); throws naming `op` when out of range.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

// NumPy broadcasting of two shapes; throws naming `op` and both shapes when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace tinytorch
