// Inner loops of the optimized conv2d and pooling kernels that need vector code, written once as
// templates over the simd wrappers and compiled per ISA (conv_pool_kernels_avx512.cpp,
// conv_pool_kernels_avx2.cpp, conv_pool_kernels.cpp). The unnamed namespace gives every such file
// its own copy, so code built for one ISA never stands in for another's at link time.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/optimized/conv_pool_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {

// C[i][j] = sum over p < len of a[i * lda + p] * b_rows[j][p], written (beta == 0) or added
// (beta == 1) for i < m, j < n. MB x NB blocks of C are held in vector accumulators while both
// operands stream through once per block; missing rows of an edge block repeat the last valid row
// and are discarded. Each sum adds its lanes in order, then the scalar tail, so it is fixed.
template <class V, int MB, int NB>
void dot_rows(int64_t m, int64_t n, int64_t len, const typename V::Scalar* a, int64_t lda,
              const typename V::Scalar* const* b_rows_all, typename V::Scalar* c, int64_t ldc,
              typename V::Scalar beta) {
  using T = typename V::Scalar;
  using Reg = typename V::Reg;
  constexpr int W = V::kWidth;
  const int64_t vector_len = len / W * W;
  for (int64_t i0 = 0; i0 < m; i0 += MB)
    for (int64_t j0 = 0; j0 < n; j0 += NB) {
      const T* a_rows[MB];
      const T* b_rows[NB];
      for (int r = 0; r < MB; ++r) a_rows[r] = a + std::min<int64_t>(i0 + r, m - 1) * lda;
      for (int q = 0; q < NB; ++q) b_rows[q] = b_rows_all[std::min<int64_t>(j0 + q, n - 1)];
      Reg acc[MB][NB];
      for (int r = 0; r < MB; ++r)
        for (int q = 0; q < NB; ++q) acc[r][q] = V::zero();
      for (int64_t p = 0; p < vector_len; p += W) {
        Reg av[MB], bv[NB];
        for (int r = 0; r < MB; ++r) av[r] = V::load(a_rows[r] + p);
        for (int q = 0; q < NB; ++q) bv[q] = V::load(b_rows[q] + p);
        for (int r = 0; r < MB; ++r)
          for (int q = 0; q < NB; ++q) acc[r][q] = V::fmadd(av[r], bv[q], acc[r][q]);
      }
      const int rows = static_cast<int>(std::min<int64_t>(MB, m - i0));
      const int cols = static_cast<int>(std::min<int64_t>(NB, n - j0));
      for (int r = 0; r < rows; ++r)
        for (int q = 0; q < cols; ++q) {
          alignas(64) T lanes[W];
          V::store(lanes, acc[r][q]);
          T total = 0;
          for (int l = 0; l < W; ++l) total += lanes[l];
          for (int64_t p = vector_len; p < len; ++p) total += a_rows[r][p] * b_rows[q][p];
          T& out = c[(i0 + r) * ldc + j0 + q];
          out = beta == T(0) ? total : out + total;
        }
    }
}

// n elements from src to dst in vector steps and one masked step: written out because compilers
// turn a plain copy loop into a memcpy call, which costs more than the copy for rows this short.
template <class V>
void copy_short(const typename V::Scalar* src, int64_t n, typename V::Scalar* dst) {
  int64_t j = 0;
  for (; j + V::kWidth <= n; j += V::kWidth) V::store(dst + j, V::load(src + j));
  if (j < n) V::store_first(dst + j, V::load_first(src + j, static_cast<int>(n - j)), static_cast<int>(n - j));
}

template <class V>
void gather_rows(const typename V::Scalar* base, const int64_t* offsets, int64_t rows, int64_t width,
                 typename V::Scalar* dst) {
  for (int64_t r = 0; r < rows; ++r) copy_short<V>(base + offsets[r], width, dst + r * width);
}

template <class V>
void copy_rows(const typename V::Scalar* src, int64_t src_stride, int64_t rows, int64_t width, typename V::Scalar* dst,
               int64_t dst_stride) {
  for (int64_t r = 0; r < rows; ++r) copy_short<V>(src + r * src_stride, width, dst + r * dst_stride);
}

// Stride 2 gets a loop of its own: with the stride known, the compiler vectorizes it with permutes.
template <class T>
void split_columns(const T* src, int64_t src_stride, int64_t rows, int64_t width, int64_t shift, int64_t stride, T* dst,
                   int64_t dst_stride, int64_t phase_stride) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t first = 0; first < std::min(stride, width); ++first) {
      const T* in = src + r * src_stride + first;
      T* out = dst + r * dst_stride + (first + shift) % stride * phase_stride + (first + shift) / stride;
      const int64_t n = (width - first + stride - 1) / stride;
      if (stride == 2) {
        for (int64_t j = 0; j < n; ++j) out[j] = in[2 * j];
      } else {
        for (int64_t j = 0; j < n; ++j) out[j] = in[j * stride];
      }
    }
}

template <class T>
void spread_columns(const T* src, int64_t src_stride, int64_t rows, int64_t width, int64_t stride, T* dst,
                    int64_t dst_stride) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < width; ++j) dst[r * dst_stride + j * stride] = src[r * src_stride + j];
}

// 2x2, stride-2 max pooling of one plane. The winner of each window is tracked as a tap number
// 0..3 so that the loop is branch-free and vectorizes; a tap replaces the running maximum when it
// is larger or NaN (NaN wins, as in PyTorch and the reference kernel).
template <class T>
void max_pool_2x2_plane(const T* x, T* y, uint8_t* taps, int64_t in_w, int64_t out_h, int64_t out_w) {
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const T* top = x + 2 * oh * in_w;
    const T* bottom = top + in_w;
    T* y_row = y + oh * out_w;
    uint8_t* tap_row = taps + oh * out_w;
    for (int64_t ow = 0; ow < out_w; ++ow) {
      T best = top[2 * ow];
      uint8_t tap = 0;
      T v = top[2 * ow + 1];
      bool take = (v > best) | (v != v);
      best = take ? v : best;
      tap = take ? 1 : tap;
      v = bottom[2 * ow];
      take = (v > best) | (v != v);
      best = take ? v : best;
      tap = take ? 2 : tap;
      v = bottom[2 * ow + 1];
      take = (v > best) | (v != v);
      best = take ? v : best;
      tap = take ? 3 : tap;
      y_row[ow] = best;
      tap_row[ow] = tap;
    }
  }
}

// Windows do not overlap, so every input cell is written once: its window's gradient if it holds
// the window's tap, else 0 (0 + g, so that a -0 gradient arrives as +0, as the reference's sums do).
template <class T>
void max_pool_2x2_backward_plane(const T* gy, const uint8_t* taps, T* gx, int64_t in_h, int64_t in_w, int64_t out_h,
                                 int64_t out_w) {
  for (int64_t oh = 0; oh < out_h; ++oh) {
    T* top = gx + 2 * oh * in_w;
    T* bottom = top + in_w;
    const T* gy_row = gy + oh * out_w;
    const uint8_t* tap_row = taps + oh * out_w;
    for (int64_t ow = 0; ow < out_w; ++ow) {
      T cells[4] = {};  // indexed, not compared: random taps would mispredict every branch
      cells[tap_row[ow] & 3] = T(0) + gy_row[ow];
      top[2 * ow] = cells[0];
      top[2 * ow + 1] = cells[1];
      bottom[2 * ow] = cells[2];
      bottom[2 * ow + 1] = cells[3];
    }
    std::fill(top + 2 * out_w, top + in_w, T(0));
    std::fill(bottom + 2 * out_w, bottom + in_w, T(0));
  }
  std::fill(gx + 2 * out_h * in_w, gx + in_h * in_w, T(0));
}

// The kernel set of an ISA that uses the loops above as they are, with MB x NB dot blocks.
template <class V, int MB, int NB>
ConvPoolKernels<typename V::Scalar> loop_kernel_set() {
  using T = typename V::Scalar;
  return {dot_rows<V, MB, NB>,
          gather_rows<V>,
          copy_rows<V>,
          split_columns<T>,
          spread_columns<T>,
          max_pool_2x2_plane<T>,
          max_pool_2x2_backward_plane<T>};
}

}  // namespace
}  // namespace tinytorch::kernels::optimized
