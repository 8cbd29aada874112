// Portable scalar GEMM microkernels (f32 and f64, 4x4 tiles): the fallback on CPUs without AVX2,
// built from the same microkernel template as the vector ISAs.
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/microkernel.h"
#include "kernels/optimized/gemm/microkernels.h"
#include "kernels/optimized/simd/scalar.h"

namespace tinytorch::kernels::optimized {

static_assert(block_sizes::kSgemmScalar.mr == 4 && block_sizes::kSgemmScalar.nr == 4,
              "sgemm_scalar_4x4: block_sizes.h must match the kernel's name");
static_assert(block_sizes::kDgemmScalar.mr == 4 && block_sizes::kDgemmScalar.nr == 4,
              "dgemm_scalar_4x4: block_sizes.h must match the kernel's name");

void sgemm_scalar_4x4(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta) {
  microkernel<simd::ScalarLane<float>, 4, 4>(k, a, b, c, ldc, alpha, beta);
}

void dgemm_scalar_4x4(int64_t k, const double* a, const double* b, double* c, int64_t ldc, double alpha, double beta) {
  microkernel<simd::ScalarLane<double>, 4, 4>(k, a, b, c, ldc, alpha, beta);
}

}  // namespace tinytorch::kernels::optimized
