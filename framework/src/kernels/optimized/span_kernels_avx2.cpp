// The span kernels compiled for AVX2 (this file gets -mavx2 -mfma; see span_kernels.h).
#include <immintrin.h>

#include "kernels/optimized/span_kernels_impl.h"

namespace tinytorch::kernels::optimized {
namespace {

struct Avx2Loops : PortableBitPlanes {
  static void sqrt(float* out, const float* x, int64_t n, bool reciprocal) {
    const __m256 one = _mm256_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const __m256 s = _mm256_sqrt_ps(_mm256_loadu_ps(x + i));
      _mm256_storeu_ps(out + i, reciprocal ? _mm256_div_ps(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0f / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
  static void sqrt(double* out, const double* x, int64_t n, bool reciprocal) {
    const __m256d one = _mm256_set1_pd(1.0);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const __m256d s = _mm256_sqrt_pd(_mm256_loadu_pd(x + i));
      _mm256_storeu_pd(out + i, reciprocal ? _mm256_div_pd(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0 / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
};

}  // namespace

const IsaKernels& span_kernels_avx2() {
  static const IsaKernels kernels = make_isa_kernels<Avx2Loops>();
  return kernels;
}

}  // namespace tinytorch::kernels::optimized
