// Maps the operands of a pointwise kernel (one shape, any strides) onto rows: dims that are
// contiguous for every operand are merged, the last merged dim is the row, and the rest are walked
// by an odometer. Kernels then run their span loops on each row (or on pieces of one long row),
// split over threads by parallel_rows.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/tensor.h"

namespace tinytorch::kernels::optimized {

template <size_t N>
struct RowLayout {
  int64_t row_length = 1;
  int64_t rows = 1;
  std::array<int64_t, N> row_stride{};  // stride along the row, per operand
  std::array<int64_t, N> base{};        // storage offsets
  std::vector<int64_t> outer_sizes;     // dims walked between rows, outermost first
  std::array<std::vector<int64_t>, N> outer_strides;
};

template <size_t N>
RowLayout<N> row_layout(const Shape& sizes, const std::array<const Tensor*, N>& operands) {
  RowLayout<N> layout;
  for (size_t k = 0; k < N; ++k) layout.base[k] = operands[k]->storage_offset();
  // Merge from the innermost dim outwards; size-1 dims drop out.
  std::vector<int64_t> merged_sizes;
  std::array<std::vector<int64_t>, N> merged_strides;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    bool mergeable = !merged_sizes.empty();
    for (size_t k = 0; k < N && mergeable; ++k)
      mergeable = operands[k]->strides()[d] == merged_strides[k].back() * merged_sizes.back();
    if (mergeable) {
      merged_sizes.back() *= sizes[d];
    } else {
      merged_sizes.push_back(sizes[d]);
      for (size_t k = 0; k < N; ++k) merged_strides[k].push_back(operands[k]->strides()[d]);
    }
  }
  if (merged_sizes.empty()) return layout;  // a single element
  layout.row_length = merged_sizes[0];
  for (size_t k = 0; k < N; ++k) layout.row_stride[k] = merged_strides[k][0];
  for (size_t i = merged_sizes.size() - 1; i >= 1; --i) {
    layout.outer_sizes.push_back(merged_sizes[i]);
    layout.rows *= merged_sizes[i];
    for (size_t k = 0; k < N; ++k) layout.outer_strides[k].push_back(merged_strides[k][i]);
  }
  return layout;
}

// Calls f(offsets) with each operand's storage offset of rows [first, last).
template <size_t N, class F>
void for_rows(const RowLayout<N>& layout, int64_t first, int64_t last, F&& f) {
  const size_t dims = layout.outer_sizes.size();
  std::vector<int64_t> index(dims);
  std::array<int64_t, N> offsets = layout.base;
  int64_t rest = first;
  for (size_t d = dims; d-- > 0;) {
    index[d] = rest % layout.outer_sizes[d];
    rest /= layout.outer_sizes[d];
    for (size_t k = 0; k < N; ++k) offsets[k] += index[d] * layout.outer_strides[k][d];
  }
  for (int64_t r = first; r < last; ++r) {
    f(offsets);
    for (size_t d = dims; d-- > 0;) {
      for (size_t k = 0; k < N; ++k) offsets[k] += layout.outer_strides[k][d];
      if (++index[d] < layout.outer_sizes[d]) break;
      for (size_t k = 0; k < N; ++k) offsets[k] -= layout.outer_strides[k][d] * layout.outer_sizes[d];
      index[d] = 0;
    }
  }
}

// Runs f(offsets, length) over every row, or over pieces of the single row, spread over threads in
// chunks of at least `grain` elements.
template <size_t N, class F>
void parallel_rows(const RowLayout<N>& layout, int64_t grain, F&& f) {
  if (layout.rows == 0 || layout.row_length == 0) return;  // an empty tensor
  if (layout.rows == 1) {
    parallel_for(0, layout.row_length, grain, [&](int64_t begin, int64_t end) {
      std::array<int64_t, N> offsets = layout.base;
      for (size_t k = 0; k < N; ++k) offsets[k] += begin * layout.row_stride[k];
      f(offsets, end - begin);
    });
    return;
  }
  const int64_t row_grain = std::max<int64_t>(1, grain / layout.row_length);
  parallel_for(0, layout.rows, row_grain, [&](int64_t first, int64_t last) {
    for_rows(layout, first, last, [&](const std::array<int64_t, N>& offsets) { f(offsets, layout.row_length); });
  });
}

// `t` itself when contiguous, else a contiguous copy made by the optimized copy kernel (no autograd).
inline Tensor contiguous_input(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor dense = empty(t.sizes(), t.dtype());
  copy(dense, t);
  return dense;
}

}  // namespace tinytorch::kernels::optimized
