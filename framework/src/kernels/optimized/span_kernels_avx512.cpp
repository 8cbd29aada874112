// The span kernels compiled for AVX-512 (this file gets -mavx512f/dq/bw/vl -mfma; see span_kernels.h).
#include <immintrin.h>

#include <algorithm>
#include <type_traits>

#include "kernels/optimized/simd/avx512.h"
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

  // Compare masks are the bits: a word of 64 elements from four (f32) or eight (f64) compares.
  template <class T>
  static void relu_bits(T* out, uint64_t* words, const T* x, int64_t n) {
    using V = Vec<T>;
    for (int64_t first = 0; first < n; first += 64) {
      uint64_t word = 0;
      for (int64_t j = first; j < std::min(n, first + 64); j += V::kWidth) {
        const auto lanes = V::first_lanes(static_cast<int>(std::min<int64_t>(V::kWidth, n - j)));
        const auto v = V::load_masked(x + j, lanes);
        const auto positive = V::greater(v, V::zero());
        V::store_masked(out + j, V::keep(positive | V::is_nan(v), v), lanes);  // relu keeps NaN
        word |= static_cast<uint64_t>(positive) << (j - first);
      }
      words[first / 64] = word;
    }
  }
  // out = 0 + g where the element's bit is set (so -0 arrives as +0), else 0.
  template <class T>
  static void select_bits(T* out, const T* g, const uint64_t* words, int64_t n) {
    using V = Vec<T>;
    for (int64_t j = 0; j < n; j += V::kWidth) {
      const auto lanes = V::first_lanes(static_cast<int>(std::min<int64_t>(V::kWidth, n - j)));
      const auto selected = static_cast<typename V::Mask>(words[j / 64] >> (j % 64)) & lanes;
      V::store_masked(out + j, V::add(V::zero(), V::load_masked(g + j, selected)), lanes);
    }
  }

 private:
  template <class T>
  using Vec = std::conditional_t<std::is_same_v<T, float>, simd::Avx512F32, simd::Avx512F64>;

  static __mmask64 lane_mask(int64_t m) { return m == 64 ? ~__mmask64{0} : (__mmask64{1} << m) - 1; }
};

}  // namespace

const IsaKernels& span_kernels_avx512() {
  static const IsaKernels kernels = make_isa_kernels<Avx512Loops>();
  return kernels;
}

}  // namespace tinytorch::kernels::optimized
