// AVX2+FMA SGEMM microkernel: a 6x16 tile in 12 ymm accumulators, leaving 4 registers for B and
// the broadcast of A. Compiled with -mavx2 -mfma (see CMakeLists.txt).
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/microkernel.h"
#include "kernels/optimized/gemm/microkernels.h"
#include "kernels/optimized/simd/avx2.h"

namespace tinytorch::kernels::optimized {

using simd::Avx2F32;
static_assert(block_sizes::kSgemmAvx2.mr == 6 && block_sizes::kSgemmAvx2.nr == 16,
              "sgemm_avx2_6x16: block_sizes.h must match the kernel's name");

void sgemm_avx2_6x16(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  microkernel<Avx2F32, 6, 16 / Avx2F32::kWidth>(k, a, b, c, ldc, alpha, beta);
}

}  // namespace tinytorch::kernels::optimized
