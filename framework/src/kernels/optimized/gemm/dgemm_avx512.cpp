// AVX-512 DGEMM microkernel: a 14x16 tile in 28 zmm accumulators (8 doubles each).
// Compiled with AVX-512 flags (see CMakeLists.txt).
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/microkernel.h"
#include "kernels/optimized/gemm/microkernels.h"
#include "kernels/optimized/simd/avx512.h"

namespace tinytorch::kernels::optimized {

using simd::Avx512F64;
static_assert(block_sizes::kDgemmAvx512.mr == 14 && block_sizes::kDgemmAvx512.nr == 16,
              "dgemm_avx512_14x16: block_sizes.h must match the kernel's name");

void dgemm_avx512_14x16(int64_t k, const double* a, const double* b, double* c, int64_t ldc, double alpha,
                        double beta) {
  microkernel<Avx512F64, 14, 16 / Avx512F64::kWidth>(k, a, b, c, ldc, alpha, beta);
}

}  // namespace tinytorch::kernels::optimized
