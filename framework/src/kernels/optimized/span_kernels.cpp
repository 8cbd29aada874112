// The span kernels for baseline x86-64 (SSE2), and the selection of the per-ISA instance.
#include "kernels/optimized/span_kernels.h"

#include <emmintrin.h>

#include "kernels/optimized/span_kernels_impl.h"

namespace tinytorch::kernels::optimized {
namespace {

struct Sse2Loops : PortableBitPlanes {
  static void sqrt(float* out, const float* x, int64_t n, bool reciprocal) {
    const __m128 one = _mm_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const __m128 s = _mm_sqrt_ps(_mm_loadu_ps(x + i));
      _mm_storeu_ps(out + i, reciprocal ? _mm_div_ps(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0f / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
  static void sqrt(double* out, const double* x, int64_t n, bool reciprocal) {
    const __m128d one = _mm_set1_pd(1.0);
    int64_t i = 0;
    for (; i + 2 <= n; i += 2) {
      const __m128d s = _mm_sqrt_pd(_mm_loadu_pd(x + i));
      _mm_storeu_pd(out + i, reciprocal ? _mm_div_pd(one, s) : s);
    }
    for (; i < n; ++i) out[i] = reciprocal ? 1.0 / std::sqrt(x[i]) : std::sqrt(x[i]);
  }
};

}  // namespace

const IsaKernels& span_kernels_baseline() {
  static const IsaKernels kernels = make_isa_kernels<Sse2Loops>();
  return kernels;
}

const IsaKernels& span_kernels(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Avx512: return span_kernels_avx512();
    case CpuIsa::Avx2: return span_kernels_avx2();
    case CpuIsa::Scalar: break;
  }
  return span_kernels_baseline();
}

const IsaKernels& span_kernels() {
  static const IsaKernels& kernels = span_kernels(cpu_isa());
  return kernels;
}

}  // namespace tinytorch::kernels::optimized
