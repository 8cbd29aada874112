// The span kernels compiled for AVX-512 (this file gets -mavx512f/dq/bw/vl -mfma; see span_kernels.h).
#include <immintrin.h>

#include "kernels/optimized/span_kernels_impl.h"

namespace tinytorch::kernels::optimized {
namespace {

struct Avx512Sqrt {
  static void run(float* out, const float* x, int64_t n, bool reciprocal) {
    const __m512 one = _mm512_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
      const __m512 s = _mm512_maskz_sqrt_ps(0xFFFF, _mm512_loadu_ps(x + i));
      _mm512_storeu_ps(out + i, reciprocal ? _mm512_div_ps(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0f / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
  static void run(double* out, const double* x, int64_t n, bool reciprocal) {
    const __m512d one = _mm512_set1_pd(1.0);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m512d s = _mm512_maskz_sqrt_pd(0xFF, _mm512_loadu_pd(x + i));
      _mm512_storeu_pd(out + i, reciprocal ? _mm512_div_pd(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0 / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
};

}  // namespace

const IsaKernels& span_kernels_avx512() {
  static const IsaKernels kernels = make_isa_kernels<Avx512Sqrt>();
  return kernels;
}

}  // namespace tinytorch::kernels::optimized
