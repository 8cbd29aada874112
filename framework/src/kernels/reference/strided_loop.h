// Row-major walk over a shape that yields each operand's element offset, so reference kernels can
// read tensors of any strides (views, transposes, broadcasts with stride 0) without copying.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "tinytorch/tensor.h"

namespace tinytorch::kernels {

// Calls f(offsets) for every index of `sizes`, where offsets[i] is the position of that index in
// operand i (storage offset included). Every operand must have `sizes.size()` strides.
template <size_t N, class F>
void for_each_offset(const Shape& sizes, const std::array<const Tensor*, N>& operands, F&& f) {
  const size_t ndim = sizes.size();
  std::array<int64_t, N> offsets{};
  for (size_t i = 0; i < N; ++i) offsets[i] = operands[i]->storage_offset();
  for (int64_t s : sizes)
    if (s == 0) return;
  std::vector<int64_t> index(ndim, 0);
  while (true) {
    f(offsets);
    // Odometer increment of the last dim, carrying into earlier dims.
    int64_t d = static_cast<int64_t>(ndim) - 1;
    for (; d >= 0; --d) {
      for (size_t i = 0; i < N; ++i) offsets[i] += operands[i]->strides()[d];
      if (++index[d] < sizes[d]) break;
      for (size_t i = 0; i < N; ++i) offsets[i] -= operands[i]->strides()[d] * sizes[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

// Base pointer of a tensor's storage, typed (the kernels add offsets from for_each_offset).
template <class T>
T* storage_base(const Tensor& t) {
  return static_cast<T*>(t.storage()->data());
}

}  // namespace tinytorch::kernels

namespace tinytorch::kernels {

// Metadata-only view (no autograd, shares storage) used to describe sub-iterations to for_each_offset.
inline Tensor strided_view(const Tensor& t, Shape sizes, Shape strides, int64_t offset) {
  return Tensor(std::make_shared<TensorImpl>(t.storage(), std::move(sizes), std::move(strides), offset, t.dtype()));
}

// Value conversion between any two element types (bool, the 16-bit floats and the numeric types).
template <class D, class S>
D convert(S value) {
  constexpr bool source_half = std::is_same_v<S, BFloat16> || std::is_same_v<S, Half>;
  constexpr bool dest_half = std::is_same_v<D, BFloat16> || std::is_same_v<D, Half>;
  if constexpr (source_half) {
    return convert<D>(static_cast<float>(value));
  } else if constexpr (std::is_same_v<D, bool>) {
    return value != S{};
  } else if constexpr (dest_half) {
    return D(static_cast<float>(value));
  } else {
    return static_cast<D>(value);
  }
}

}  // namespace tinytorch::kernels
