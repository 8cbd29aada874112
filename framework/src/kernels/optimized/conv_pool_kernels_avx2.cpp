// conv_pool_impl.h compiled for AVX2 + FMA (this file gets the ISA flags from its name); called only
// when cpu_isa() reports AVX2. 3x3 dot blocks: 9 accumulators and 6 operands of 16 registers.
#include "kernels/optimized/conv_pool_impl.h"
#include "kernels/optimized/conv_pool_kernels.h"
#include "kernels/optimized/simd/avx2.h"

namespace tinytorch::kernels::optimized {

ConvPoolKernels<float> conv_pool_kernels_avx2(float) { return loop_kernel_set<simd::Avx2F32, 3, 3>(); }

ConvPoolKernels<double> conv_pool_kernels_avx2(double) { return loop_kernel_set<simd::Avx2F64, 3, 3>(); }

}  // namespace tinytorch::kernels::optimized
