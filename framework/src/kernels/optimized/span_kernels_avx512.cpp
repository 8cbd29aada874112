// The span kernels compiled for AVX-512 (this file gets -mavx512f/dq/bw/vl -mfma; see span_kernels.h).
#include <immintrin.h>

#include <algorithm>

#include "kernels/optimized/span_kernels_impl.h"

namespace tinytorch::kernels::optimized {
namespace {

struct Avx512Loops {
  static void sqrt(float* out, const float* x, int64_t n, bool reciprocal) {
    const __m512 one = _mm512_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m512 s = _mm512_maskz_sqrt_ps(0xFFFF, _mm512_loadu_ps(x + i));
      _mm512_storeu_ps(out + i, reciprocal ? _mm512_div_ps(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0f / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
  static void sqrt(double* out, const double* x, int64_t n, bool reciprocal) {
    const __m512d one = _mm512_set1_pd(1.0);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m512d s = _mm512_maskz_sqrt_pd(0xFF, _mm512_loadu_pd(x + i));
      _mm512_storeu_pd(out + i, reciprocal ? _mm512_div_pd(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0 / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
  // 64 codes per step: one byte test per bit plane gives that plane's word.
  static void pack_bits(uint64_t* words, const uint8_t* codes, int64_t n, int bits) {
    for (int64_t first = 0; first < n; first += 64) {
      const int64_t m = std::min<int64_t>(64, n - first);
      const __m512i v = _mm512_maskz_loadu_epi8(lane_mask(m), codes + first);
      for (int b = 0; b < bits; ++b)
        words[first / 64 * bits + b] = _mm512_test_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(1 << b)));
    }
  }
  static void unpack_bits(uint8_t* codes, const uint64_t* words, int64_t n, int bits) {
    for (int64_t first = 0; first < n; first += 64) {
      const int64_t m = std::min<int64_t>(64, n - first);
      __m512i v = _mm512_setzero_si512();
      for (int b = 0; b < bits; ++b)
        v = _mm512_or_si512(v, _mm512_maskz_set1_epi8(words[first / 64 * bits + b], static_cast<char>(1 << b)));
      _mm512_mask_storeu_epi8(codes + first, lane_mask(m), v);
    }
  }

  // Compare masks are the bits: 64 elements per word straight from four (f32) or eight (f64) compares.
  template <class T>
  static void relu_bits(T* out, uint64_t* words, const T* x, int64_t n) {
    for (int64_t first = 0; first < n; first += 64) {
      uint64_t word = 0;
      for (int64_t j = 0; j < std::min<int64_t>(64, n - first); j += Lanes<T>::kWidth) {
        const int64_t m = std::min(Lanes<T>::kWidth, n - first - j);
        word |= static_cast<uint64_t>(Lanes<T>::relu(out + first + j, x + first + j, m)) << j;
      }
      words[first / 64] = word;
    }
  }
  template <class T>
  static void select_bits(T* out, const T* g, const uint64_t* words, int64_t n) {
    for (int64_t first = 0; first < n; first += 64)
      for (int64_t j = 0; j < std::min<int64_t>(64, n - first); j += Lanes<T>::kWidth)
        Lanes<T>::select(out + first + j, g + first + j, words[first / 64] >> j,
                         std::min(Lanes<T>::kWidth, n - first - j));
  }

 private:
  static __mmask64 lane_mask(int64_t m) { return m == 64 ? ~__mmask64{0} : (__mmask64{1} << m) - 1; }

  // For the first m lanes: relu writes out = relu(x) (NaN kept) and returns the mask of x > 0;
  // select writes out = 0 + g where the low bits of `bits` are set, else 0.
  template <class T>
  struct Lanes;
};

template <>
struct Avx512Loops::Lanes<float> {
  static constexpr int64_t kWidth = 16;
  static __mmask16 first(int64_t m) { return static_cast<__mmask16>(m >= 16 ? 0xFFFF : (1u << m) - 1); }
  static __mmask16 relu(float* out, const float* x, int64_t m) {
    const __m512 v = _mm512_maskz_loadu_ps(first(m), x);
    const __mmask16 positive = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ);
    const __mmask16 kept = positive | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    _mm512_mask_storeu_ps(out, first(m), _mm512_maskz_mov_ps(kept, v));
    return positive & first(m);
  }
  static void select(float* out, const float* g, uint64_t bits, int64_t m) {
    const __m512 v = _mm512_maskz_loadu_ps(first(m) & static_cast<__mmask16>(bits), g);
    _mm512_mask_storeu_ps(out, first(m), _mm512_add_ps(_mm512_setzero_ps(), v));
  }
};

template <>
struct Avx512Loops::Lanes<double> {
  static constexpr int64_t kWidth = 8;
  static __mmask8 first(int64_t m) { return static_cast<__mmask8>(m >= 8 ? 0xFF : (1u << m) - 1); }
  static __mmask8 relu(double* out, const double* x, int64_t m) {
    const __m512d v = _mm512_maskz_loadu_pd(first(m), x);
    const __mmask8 positive = _mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_GT_OQ);
    const __mmask8 kept = positive | _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
    _mm512_mask_storeu_pd(out, first(m), _mm512_maskz_mov_pd(kept, v));
    return positive & first(m);
  }
  static void select(double* out, const double* g, uint64_t bits, int64_t m) {
    const __m512d v = _mm512_maskz_loadu_pd(first(m) & static_cast<__mmask8>(bits), g);
    _mm512_mask_storeu_pd(out, first(m), _mm512_add_pd(_mm512_setzero_pd(), v));
  }
};

}  // namespace

const IsaKernels& span_kernels_avx512() {
  static const IsaKernels kernels = make_isa_kernels<Avx512Loops>();
  return kernels;
}

}  // namespace tinytorch::kernels::optimized
