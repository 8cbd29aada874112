// AVX-512 packing of f32 panels whose rows are contiguous along k (row-major A, the [out, in] weight
// of Linear as B): the generic pack_panel (pack.h) writes such a panel one element at a time with a
// stride, which took a third of a 128 x 128 x 3136 product here. This one loads 16 rows of 16 k
// values, transposes them in registers and stores 16 rows of the panel. Compiled with AVX-512 flags.
// GCC 12 reports the deliberately undefined pass-through operand inside its own unpack intrinsics
// (_mm512_undefined_ps) as maybe-uninitialized once they are inlined here; nothing here reads it.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

#include <algorithm>

#include "kernels/optimized/gemm/microkernels.h"

namespace tinytorch::kernels::optimized {
namespace {

// In place: row i of the 16 x 16 block becomes column i.
void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  // Per 128-bit lane L, u[4g + c] holds column 4L + c of rows 4g..4g+3.
  __m512 u[16];
  for (int g = 0; g < 16; g += 4) {
    const __m512d t0 = _mm512_castps_pd(t[g]), t1 = _mm512_castps_pd(t[g + 1]);
    const __m512d t2 = _mm512_castps_pd(t[g + 2]), t3 = _mm512_castps_pd(t[g + 3]);
    u[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(t0, t2));
    u[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(t0, t2));
    u[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(t1, t3));
    u[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(t1, t3));
  }
  // Transpose the 4 x 4 grid of 128-bit lanes for each c: column 4L + c gathers lane L of u[c],
  // u[4 + c], u[8 + c], u[12 + c].
  for (int c = 0; c < 4; ++c) {
    const __m512 x0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), x1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
    const __m512 x2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44),
                 x3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
    r[c] = _mm512_shuffle_f32x4(x0, x2, 0x88);
    r[4 + c] = _mm512_shuffle_f32x4(x0, x2, 0xDD);
    r[8 + c] = _mm512_shuffle_f32x4(x1, x3, 0x88);
    r[12 + c] = _mm512_shuffle_f32x4(x1, x3, 0xDD);
  }
}

__mmask16 first_lanes(int64_t n) { return static_cast<__mmask16>(n >= 16 ? 0xFFFF : (1u << n) - 1); }

}  // namespace

void pack_rows_avx512(const float* src, int64_t rows, int64_t depth, int64_t row_stride, int64_t width, float* dst) {
  for (int64_t r0 = 0; r0 < width; r0 += 16) {
    const __mmask16 store_mask = first_lanes(width - r0);
    for (int64_t p0 = 0; p0 < depth; p0 += 16) {
      const int64_t steps = std::min<int64_t>(16, depth - p0);
      const __mmask16 load_mask = first_lanes(steps);
      __m512 block[16];
      for (int64_t i = 0; i < 16; ++i)
        block[i] =
            r0 + i < rows ? _mm512_maskz_loadu_ps(load_mask, src + (r0 + i) * row_stride + p0) : _mm512_setzero_ps();
      transpose16(block);
      for (int64_t j = 0; j < steps; ++j) _mm512_mask_storeu_ps(dst + (p0 + j) * width + r0, store_mask, block[j]);
    }
  }
}

}  // namespace tinytorch::kernels::optimized
