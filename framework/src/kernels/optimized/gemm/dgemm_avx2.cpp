// AVX2+FMA DGEMM microkernel: a 6x8 tile in 12 ymm accumulators (4 doubles each).
// Compiled with -mavx2 -mfma (see CMakeLists.txt).
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/microkernel.h"
#include "kernels/optimized/gemm/microkernels.h"
#include "kernels/optimized/simd/avx2.h"

namespace tinytorch::kernels::optimized {

using simd::Avx2F64;
static_assert(block_sizes::kDgemmAvx2.mr == 6 && block_sizes::kDgemmAvx2.nr == 8,
              "dgemm_avx2_6x8: block_sizes.h must match the kernel's name");

void dgemm_avx2_6x8(int64_t k, const double* a, const double* b, double* c, int64_t ldc, double alpha, double beta) {
  microkernel<Avx2F64, 6, 8 / Avx2F64::kWidth>(k, a, b, c, ldc, alpha, beta);
}

}  // namespace tinytorch::kernels::optimized
