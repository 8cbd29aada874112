// Packing for the GEMM driver: copies a block of A or B, from any element strides, into the
// contiguous micro-panels the microkernel streams through (for each k, `width` consecutive values),
// zero-padding the last panel. Packing is what lets one microkernel serve transposed, broadcast and
// batched operands, and keeps its loads unit-stride and cache-resident.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/optimized/gemm/microkernels.h"

namespace tinytorch::kernels::optimized {

// dst[p * width + r] = src[r * row_stride + p * depth_stride] for r < rows (<= width), p < depth;
// zero for rows <= r < width. For A, "rows" are rows of A; for B, they are columns of B.
// `pack_rows`, where the ISA has one, packs rows contiguous along k in vector registers.
template <class T>
void pack_panel(const T* src, int64_t rows, int64_t depth, int64_t row_stride, int64_t depth_stride, int64_t width,
                T* dst, PackRows<T> pack_rows) {
  if (depth_stride == 1 && row_stride != 1 && pack_rows != nullptr) {
    pack_rows(src, rows, depth, row_stride, width, dst);
    return;
  }
  if (depth_stride == 1 && row_stride != 1) {
    // Rows contiguous along k (row-major A, column-major B): read each row in order.
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = src + r * row_stride;
      for (int64_t p = 0; p < depth; ++p) dst[p * width + r] = row[p];
    }
  } else if (row_stride == 1) {
    for (int64_t p = 0; p < depth; ++p)
      std::copy(src + p * depth_stride, src + p * depth_stride + rows, dst + p * width);
  } else {
    for (int64_t p = 0; p < depth; ++p) {
      const T* column = src + p * depth_stride;
      T* out = dst + p * width;
      for (int64_t r = 0; r < rows; ++r) out[r] = column[r * row_stride];
    }
  }
  if (rows < width)
    for (int64_t p = 0; p < depth; ++p) std::fill(dst + p * width + rows, dst + (p + 1) * width, T(0));
}

// Packs panels [first_panel, last_panel) of a rows x depth block; panel i covers rows
// [i * width, (i + 1) * width) and lands at dst + i * width * depth.
template <class T>
void pack_panels(const T* src, int64_t rows, int64_t depth, int64_t row_stride, int64_t depth_stride, int64_t width,
                 int64_t first_panel, int64_t last_panel, T* dst, PackRows<T> pack_rows) {
  for (int64_t i = first_panel; i < last_panel; ++i) {
    const int64_t r0 = i * width;
    pack_panel(src + r0 * row_stride, std::min(width, rows - r0), depth, row_stride, depth_stride, width,
               dst + r0 * depth, pack_rows);
  }
}

}  // namespace tinytorch::kernels::optimized
