// conv_pool_impl.h compiled for AVX-512 (this file gets the ISA flags from its name); called only
// when cpu_isa() reports AVX-512. 4x5 dot blocks: 20 accumulators and 9 operands of 32 registers
// (on the weight-gradient shapes of the training models, 4x5 ran at 187-224 GFLOP/s on Zen 5 where
// 4x4 ran at 143-159; blocks with more than 20 accumulators spilled).
// The 2x2 max pooling (and its backward) and the stride-2 column split are written with masked
// intrinsics instead: their rows are often shorter than a vector (14 outputs for a 28-wide image),
// which leaves auto-vectorized loops scalar.
#include <immintrin.h>

#include "kernels/optimized/conv_pool_impl.h"
#include "kernels/optimized/conv_pool_kernels.h"
#include "kernels/optimized/simd/avx512.h"

namespace tinytorch::kernels::optimized {
namespace {

// The permute2 index whose lane i is lane_number(i).
template <class V, class F>
__m512i lane_index(F lane_number) {
  int32_t lanes[V::kWidth];
  for (int i = 0; i < V::kWidth; ++i) lanes[i] = lane_number(i);
  return V::lane_index(lanes);
}

// Masks of the first 2n input lanes of a step of n outputs, split over two vectors.
template <class V>
std::pair<typename V::Mask, typename V::Mask> input_lanes(int n) {
  return {V::first_lanes(std::min(V::kWidth, 2 * n)), V::first_lanes(std::max(0, 2 * n - V::kWidth))};
}

// The taps of the first n outputs of a step (one byte each, n <= 16).
__mmask16 first_taps(int n) { return static_cast<__mmask16>((1u << n) - 1); }

// kWidth outputs per step: two loads of a row cover 2 * kWidth inputs, split into even and odd
// columns. A tap replaces the running maximum when greater or NaN (the rule of
// max_pool_2x2_plane); the winning taps are kept as bytes, one per output lane.
template <class V>
void max_pool_2x2_avx512(const typename V::Scalar* x, typename V::Scalar* y, uint8_t* taps, int64_t in_w, int64_t out_h,
                         int64_t out_w) {
  using T = typename V::Scalar;
  using Mask = typename V::Mask;
  const __m512i even = lane_index<V>([](int i) { return 2 * i; });
  const __m512i odd = lane_index<V>([](int i) { return 2 * i + 1; });
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const T* top = x + 2 * oh * in_w;
    const T* bottom = top + in_w;
    for (int64_t ow = 0; ow < out_w; ow += V::kWidth) {
      const int n = static_cast<int>(std::min<int64_t>(V::kWidth, out_w - ow));
      const auto [lo, hi] = input_lanes<V>(n);
      const auto t0 = V::load_masked(top + 2 * ow, lo), t1 = V::load_masked(top + 2 * ow + V::kWidth, hi);
      const auto b0 = V::load_masked(bottom + 2 * ow, lo), b1 = V::load_masked(bottom + 2 * ow + V::kWidth, hi);
      auto best = V::permute2(t0, even, t1);
      __m128i tap = _mm_setzero_si128();  // one byte per output lane
      for (int t = 1; t < 4; ++t) {
        const auto v = V::permute2(t < 2 ? t0 : b0, t % 2 ? odd : even, t < 2 ? t1 : b1);
        const Mask take = V::greater(v, best) | V::is_nan(v);
        best = V::blend(take, best, v);
        tap = _mm_mask_mov_epi8(tap, take, _mm_set1_epi8(static_cast<char>(t)));
      }
      V::store_first(y + oh * out_w + ow, best, n);
      _mm_mask_storeu_epi8(taps + oh * out_w + ow, first_taps(n), tap);
    }
  }
}

// The backward of the above: kWidth outputs per step spread their gradient (0 + g) to the cell of
// their tap and 0 to the window's other three cells, two rows of 2 * kWidth inputs interleaved
// from four vectors.
template <class V>
void max_pool_2x2_backward_avx512(const typename V::Scalar* gy, const uint8_t* taps, typename V::Scalar* gx,
                                  int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w) {
  using T = typename V::Scalar;
  using Mask = typename V::Mask;
  constexpr int W = V::kWidth;
  const __m512i first_half = lane_index<V>([](int i) { return i / 2 + i % 2 * W; });
  const __m512i second_half = lane_index<V>([](int i) { return W / 2 + i / 2 + i % 2 * W; });
  for (int64_t oh = 0; oh < out_h; ++oh) {
    T* top = gx + 2 * oh * in_w;
    T* bottom = top + in_w;
    for (int64_t ow = 0; ow < out_w; ow += W) {
      const int n = static_cast<int>(std::min<int64_t>(W, out_w - ow));
      const auto [lo, hi] = input_lanes<V>(n);
      const auto g = V::add(V::zero(), V::load_first(gy + oh * out_w + ow, n));
      const __m128i tap = _mm_maskz_loadu_epi8(first_taps(n), taps + oh * out_w + ow);
      typename V::Reg cell[4];
      for (int t = 0; t < 4; ++t)
        cell[t] = V::keep(static_cast<Mask>(_mm_cmpeq_epi8_mask(tap, _mm_set1_epi8(static_cast<char>(t)))), g);
      for (int row = 0; row < 2; ++row) {
        T* dst = (row == 0 ? top : bottom) + 2 * ow;
        V::store_masked(dst, V::permute2(cell[2 * row], first_half, cell[2 * row + 1]), lo);
        V::store_masked(dst + W, V::permute2(cell[2 * row], second_half, cell[2 * row + 1]), hi);
      }
    }
    std::fill(top + 2 * out_w, top + in_w, T(0));
    std::fill(bottom + 2 * out_w, bottom + in_w, T(0));
  }
  std::fill(gx + 2 * out_h * in_w, gx + in_h * in_w, T(0));
}

// Stride 2: each step loads 2 * kWidth inputs of a row and stores their even and odd columns.
template <class V>
void split_columns_avx512(const typename V::Scalar* src, int64_t src_stride, int64_t rows, int64_t width, int64_t shift,
                          int64_t stride, typename V::Scalar* dst, int64_t dst_stride, int64_t phase_stride) {
  using T = typename V::Scalar;
  constexpr int W = V::kWidth;
  if (stride != 2) return split_columns<T>(src, src_stride, rows, width, shift, stride, dst, dst_stride, phase_stride);
  const __m512i even = lane_index<V>([](int i) { return 2 * i; });
  const __m512i odd = lane_index<V>([](int i) { return 2 * i + 1; });
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = src + r * src_stride;
    T* out_even = dst + r * dst_stride + shift % 2 * phase_stride + shift / 2;
    T* out_odd = dst + r * dst_stride + (shift + 1) % 2 * phase_stride + (shift + 1) / 2;
    for (int64_t j = 0; j < width; j += 2 * W) {
      const int left = static_cast<int>(std::min<int64_t>(2 * W, width - j));
      const auto lo = V::load_first(in + j, std::min(W, left));
      const auto hi = left > W ? V::load_first(in + j + W, left - W) : V::zero();
      V::store_first(out_even + j / 2, V::permute2(lo, even, hi), (left + 1) / 2);
      if (left > 1) V::store_first(out_odd + j / 2, V::permute2(lo, odd, hi), left / 2);
    }
  }
}

// The mask of the first n even lanes: n values go into (or out of) lanes 0, 2, ..., 2n - 2.
unsigned even_lanes(int n) { return 0x5555u & ((1u << (2 * n)) - 1); }

__m512 expand_even(const float* p, int n) {
  return _mm512_maskz_expandloadu_ps(static_cast<__mmask16>(even_lanes(n)), p);
}
__m512d expand_even(const double* p, int n) {
  return _mm512_maskz_expandloadu_pd(static_cast<__mmask8>(even_lanes(n)), p);
}
void store_even(float* p, __m512 v, int n) { _mm512_mask_storeu_ps(p, static_cast<__mmask16>(even_lanes(n)), v); }
void store_even(double* p, __m512d v, int n) { _mm512_mask_storeu_pd(p, static_cast<__mmask8>(even_lanes(n)), v); }

// Stride 2: kWidth / 2 values at a time are expand-loaded into the even lanes and stored through
// an even-lane mask, leaving the odd elements (another phase's) untouched.
template <class V>
void spread_columns_avx512(const typename V::Scalar* src, int64_t src_stride, int64_t rows, int64_t width,
                           int64_t stride, typename V::Scalar* dst, int64_t dst_stride) {
  using T = typename V::Scalar;
  constexpr int kHalf = V::kWidth / 2;
  if (stride != 2) return spread_columns<T>(src, src_stride, rows, width, stride, dst, dst_stride);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < width; j += kHalf) {
      const int n = static_cast<int>(std::min<int64_t>(kHalf, width - j));
      store_even(dst + r * dst_stride + 2 * j, expand_even(src + r * src_stride + j, n), n);
    }
}

template <class V>
ConvPoolKernels<typename V::Scalar> kernel_set() {
  return {dot_rows<V, 4, 5>,
          gather_rows<V>,
          copy_rows<V>,
          split_columns_avx512<V>,
          spread_columns_avx512<V>,
          max_pool_2x2_avx512<V>,
          max_pool_2x2_backward_avx512<V>};
}

}  // namespace

ConvPoolKernels<float> conv_pool_kernels_avx512(float) { return kernel_set<simd::Avx512F32>(); }

ConvPoolKernels<double> conv_pool_kernels_avx512(double) { return kernel_set<simd::Avx512F64>(); }

}  // namespace tinytorch::kernels::optimized
