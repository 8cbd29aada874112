// AVX-512 SGEMM microkernels: a 14x32 tile in 28 zmm accumulators, enough independent FMA chains
// for two 512-bit FMA pipes with 4-cycle latency; a 14x16 tile (14 chains, still more than the 8
// the pipes need) for products at most 16 columns wide, which the 14x32 tile would pad to twice
// their width or more; and an 8x32 tile (16 chains) for products with few rows. The _taps variants
// read B in place for the implicit-GEMM convolution. Compiled with
// AVX-512 flags (see CMakeLists.txt).
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/microkernel.h"
#include "kernels/optimized/gemm/microkernels.h"
#include "kernels/optimized/simd/avx512.h"

namespace tinytorch::kernels::optimized {

using simd::Avx512F32;
static_assert(block_sizes::kSgemmAvx512.mr == 14 && block_sizes::kSgemmAvx512.nr == 32,
              "sgemm_avx512_14x32: block_sizes.h must match the kernel's name");
static_assert(block_sizes::kSgemmAvx512Short.mr == 8 && block_sizes::kSgemmAvx512Short.nr == 32,
              "sgemm_avx512_8x32: block_sizes.h must match the kernel's name");
static_assert(block_sizes::kSgemmAvx512Narrow.mr == 14 && block_sizes::kSgemmAvx512Narrow.nr == 16,
              "sgemm_avx512_14x16: block_sizes.h must match the kernel's name");

void sgemm_avx512_14x32(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  microkernel<Avx512F32, 14, 32 / Avx512F32::kWidth>(k, a, b, c, ldc, alpha, beta);
}

void sgemm_avx512_8x32(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  microkernel<Avx512F32, 8, 32 / Avx512F32::kWidth>(k, a, b, c, ldc, alpha, beta);
}

void sgemm_avx512_14x16(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  microkernel<Avx512F32, 14, 16 / Avx512F32::kWidth>(k, a, b, c, ldc, alpha, beta);
}

void sgemm_avx512_14x32_taps(int64_t k, const float* a, const float* base, const int64_t* offsets, float* c,
                             int64_t ldc, float alpha, float beta) {
  microkernel_taps<Avx512F32, 14, 32 / Avx512F32::kWidth>(k, a, base, offsets, c, ldc, alpha, beta);
}

void sgemm_avx512_8x32_taps(int64_t k, const float* a, const float* base, const int64_t* offsets, float* c, int64_t ldc,
                            float alpha, float beta) {
  microkernel_taps<Avx512F32, 8, 32 / Avx512F32::kWidth>(k, a, base, offsets, c, ldc, alpha, beta);
}

}  // namespace tinytorch::kernels::optimized
