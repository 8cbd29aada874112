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

// The tap rule of max_pool_2x2_plane: v replaces best when greater or NaN.
__mmask16 take_f32(__m512 v, __m512 best) {
  return _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
}

__mmask8 take_f64(__m512d v, __m512d best) {
  return _mm512_cmp_pd_mask(v, best, _CMP_GT_OQ) | _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
}

// 16 outputs per step: two loads of a row cover 32 inputs, split into even and odd columns.
void max_pool_2x2_f32(const float* x, float* y, uint8_t* taps, int64_t in_w, int64_t out_h, int64_t out_w) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const float* top = x + 2 * oh * in_w;
    const float* bottom = top + in_w;
    for (int64_t ow = 0; ow < out_w; ow += 16) {
      const int64_t n = std::min<int64_t>(16, out_w - ow);
      const uint32_t in_mask = n == 16 ? ~0u : (1u << (2 * n)) - 1;
      const __mmask16 lo = static_cast<__mmask16>(in_mask), hi = static_cast<__mmask16>(in_mask >> 16);
      const __mmask16 out_mask = static_cast<__mmask16>((1u << n) - 1);
      const __m512 t0 = _mm512_maskz_loadu_ps(lo, top + 2 * ow), t1 = _mm512_maskz_loadu_ps(hi, top + 2 * ow + 16);
      const __m512 b0 = _mm512_maskz_loadu_ps(lo, bottom + 2 * ow),
                   b1 = _mm512_maskz_loadu_ps(hi, bottom + 2 * ow + 16);
      __m512 best = _mm512_permutex2var_ps(t0, even, t1);
      __m512i tap = _mm512_setzero_si512();
      for (int t = 1; t < 4; ++t) {
        const __m512 v = _mm512_permutex2var_ps(t < 2 ? t0 : b0, t % 2 ? odd : even, t < 2 ? t1 : b1);
        const __mmask16 take = take_f32(v, best);
        best = _mm512_mask_mov_ps(best, take, v);
        tap = _mm512_mask_mov_epi32(tap, take, _mm512_set1_epi32(t));
      }
      _mm512_mask_storeu_ps(y + oh * out_w + ow, out_mask, best);
      _mm_mask_storeu_epi8(taps + oh * out_w + ow, out_mask, _mm512_maskz_cvtepi32_epi8(out_mask, tap));
    }
  }
}

// 8 outputs per step, as above with 64-bit lanes.
void max_pool_2x2_f64(const double* x, double* y, uint8_t* taps, int64_t in_w, int64_t out_h, int64_t out_w) {
  const __m512i even = _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
  const __m512i odd = _mm512_add_epi64(even, _mm512_set1_epi64(1));
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const double* top = x + 2 * oh * in_w;
    const double* bottom = top + in_w;
    for (int64_t ow = 0; ow < out_w; ow += 8) {
      const int64_t n = std::min<int64_t>(8, out_w - ow);
      const uint32_t in_mask = (1u << (2 * n)) - 1;
      const __mmask8 lo = static_cast<__mmask8>(in_mask), hi = static_cast<__mmask8>(in_mask >> 8);
      const __mmask8 out_mask = static_cast<__mmask8>((1u << n) - 1);
      const __m512d t0 = _mm512_maskz_loadu_pd(lo, top + 2 * ow), t1 = _mm512_maskz_loadu_pd(hi, top + 2 * ow + 8);
      const __m512d b0 = _mm512_maskz_loadu_pd(lo, bottom + 2 * ow),
                    b1 = _mm512_maskz_loadu_pd(hi, bottom + 2 * ow + 8);
      __m512d best = _mm512_permutex2var_pd(t0, even, t1);
      __m512i tap = _mm512_setzero_si512();
      for (int t = 1; t < 4; ++t) {
        const __m512d v = _mm512_permutex2var_pd(t < 2 ? t0 : b0, t % 2 ? odd : even, t < 2 ? t1 : b1);
        const __mmask8 take = take_f64(v, best);
        best = _mm512_mask_mov_pd(best, take, v);
        tap = _mm512_mask_mov_epi64(tap, take, _mm512_set1_epi64(t));
      }
      _mm512_mask_storeu_pd(y + oh * out_w + ow, out_mask, best);
      _mm_mask_storeu_epi8(taps + oh * out_w + ow, out_mask, _mm512_maskz_cvtepi64_epi8(out_mask, tap));
    }
  }
}

// The backward of the above: 16 outputs per step spread their gradient (0 + g) to the cell of their
// tap and 0 to the window's other three cells, two rows of 32 inputs interleaved from four vectors.
void max_pool_2x2_backward_f32(const float* gy, const uint8_t* taps, float* gx, int64_t in_h, int64_t in_w,
                               int64_t out_h, int64_t out_w) {
  const __m512i first_half = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i second_half = _mm512_add_epi32(first_half, _mm512_set1_epi32(8));
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t oh = 0; oh < out_h; ++oh) {
    float* top = gx + 2 * oh * in_w;
    float* bottom = top + in_w;
    for (int64_t ow = 0; ow < out_w; ow += 16) {
      const int64_t n = std::min<int64_t>(16, out_w - ow);
      const uint32_t in_mask = n == 16 ? ~0u : (1u << (2 * n)) - 1;
      const __mmask16 lo = static_cast<__mmask16>(in_mask), hi = static_cast<__mmask16>(in_mask >> 16);
      const __mmask16 out_mask = static_cast<__mmask16>((1u << n) - 1);
      const __m512 g = _mm512_add_ps(zero, _mm512_maskz_loadu_ps(out_mask, gy + oh * out_w + ow));
      const __m512i tap = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_maskz_loadu_epi8(out_mask, taps + oh * out_w + ow));
      __m512 cell[4];
      for (int t = 0; t < 4; ++t) cell[t] = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(tap, _mm512_set1_epi32(t)), g);
      for (int row = 0; row < 2; ++row) {
        float* dst = (row == 0 ? top : bottom) + 2 * ow;
        _mm512_mask_storeu_ps(dst, lo, _mm512_permutex2var_ps(cell[2 * row], first_half, cell[2 * row + 1]));
        _mm512_mask_storeu_ps(dst + 16, hi, _mm512_permutex2var_ps(cell[2 * row], second_half, cell[2 * row + 1]));
      }
    }
    std::fill(top + 2 * out_w, top + in_w, 0.0f);
    std::fill(bottom + 2 * out_w, bottom + in_w, 0.0f);
  }
  std::fill(gx + 2 * out_h * in_w, gx + in_h * in_w, 0.0f);
}

// 8 outputs per step, as above with 64-bit lanes.
void max_pool_2x2_backward_f64(const double* gy, const uint8_t* taps, double* gx, int64_t in_h, int64_t in_w,
                               int64_t out_h, int64_t out_w) {
  const __m512i first_half = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
  const __m512i second_half = _mm512_add_epi64(first_half, _mm512_set1_epi64(4));
  const __m512d zero = _mm512_setzero_pd();
  for (int64_t oh = 0; oh < out_h; ++oh) {
    double* top = gx + 2 * oh * in_w;
    double* bottom = top + in_w;
    for (int64_t ow = 0; ow < out_w; ow += 8) {
      const int64_t n = std::min<int64_t>(8, out_w - ow);
      const uint32_t in_mask = (1u << (2 * n)) - 1;
      const __mmask8 lo = static_cast<__mmask8>(in_mask), hi = static_cast<__mmask8>(in_mask >> 8);
      const __mmask8 out_mask = static_cast<__mmask8>((1u << n) - 1);
      const __m512d g = _mm512_add_pd(zero, _mm512_maskz_loadu_pd(out_mask, gy + oh * out_w + ow));
      const __m512i tap = _mm512_maskz_cvtepu8_epi64(0xFF, _mm_maskz_loadu_epi8(out_mask, taps + oh * out_w + ow));
      __m512d cell[4];
      for (int t = 0; t < 4; ++t) cell[t] = _mm512_maskz_mov_pd(_mm512_cmpeq_epi64_mask(tap, _mm512_set1_epi64(t)), g);
      for (int row = 0; row < 2; ++row) {
        double* dst = (row == 0 ? top : bottom) + 2 * ow;
        _mm512_mask_storeu_pd(dst, lo, _mm512_permutex2var_pd(cell[2 * row], first_half, cell[2 * row + 1]));
        _mm512_mask_storeu_pd(dst + 8, hi, _mm512_permutex2var_pd(cell[2 * row], second_half, cell[2 * row + 1]));
      }
    }
    std::fill(top + 2 * out_w, top + in_w, 0.0);
    std::fill(bottom + 2 * out_w, bottom + in_w, 0.0);
  }
  std::fill(gx + 2 * out_h * in_w, gx + in_h * in_w, 0.0);
}

__m512 permute_pair(__m512 lo, __m512i index, __m512 hi) { return _mm512_permutex2var_ps(lo, index, hi); }
__m512d permute_pair(__m512d lo, __m512i index, __m512d hi) { return _mm512_permutex2var_pd(lo, index, hi); }

// Stride 2: each step loads 2 * kWidth inputs of a row and stores their even and odd columns.
template <class V>
void split_columns_avx512(const typename V::Scalar* src, int64_t src_stride, int64_t rows, int64_t width, int64_t shift,
                          int64_t stride, typename V::Scalar* dst, int64_t dst_stride, int64_t phase_stride) {
  using T = typename V::Scalar;
  constexpr int W = V::kWidth;
  if (stride != 2) return split_columns<T>(src, src_stride, rows, width, shift, stride, dst, dst_stride, phase_stride);
  const __m512i even = W == 16 ? _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
                               : _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14);
  const __m512i odd =
      W == 16 ? _mm512_add_epi32(even, _mm512_set1_epi32(1)) : _mm512_add_epi64(even, _mm512_set1_epi64(1));
  for (int64_t r = 0; r < rows; ++r) {
    const T* in = src + r * src_stride;
    T* out_even = dst + r * dst_stride + shift % 2 * phase_stride + shift / 2;
    T* out_odd = dst + r * dst_stride + (shift + 1) % 2 * phase_stride + (shift + 1) / 2;
    for (int64_t j = 0; j < width; j += 2 * W) {
      const int left = static_cast<int>(std::min<int64_t>(2 * W, width - j));
      const auto lo = V::load_first(in + j, std::min(W, left));
      const auto hi = left > W ? V::load_first(in + j + W, left - W) : V::zero();
      V::store_first(out_even + j / 2, permute_pair(lo, even, hi), (left + 1) / 2);
      if (left > 1) V::store_first(out_odd + j / 2, permute_pair(lo, odd, hi), left / 2);
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

}  // namespace

ConvPoolKernels<float> conv_pool_kernels_avx512(float) {
  return {dot_rows<simd::Avx512F32, 4, 5>,
          gather_rows<simd::Avx512F32>,
          copy_rows<simd::Avx512F32>,
          split_columns_avx512<simd::Avx512F32>,
          spread_columns_avx512<simd::Avx512F32>,
          max_pool_2x2_f32,
          max_pool_2x2_backward_f32};
}

ConvPoolKernels<double> conv_pool_kernels_avx512(double) {
  return {dot_rows<simd::Avx512F64, 4, 5>,
          gather_rows<simd::Avx512F64>,
          copy_rows<simd::Avx512F64>,
          split_columns_avx512<simd::Avx512F64>,
          spread_columns_avx512<simd::Avx512F64>,
          max_pool_2x2_f64,
          max_pool_2x2_backward_f64};
}

}  // namespace tinytorch::kernels::optimized
