// conv_pool_impl.h for baseline x86-64, and the choice of kernel set by cpu_isa() (made once).
#include "kernels/optimized/conv_pool_kernels.h"

#include "kernels/optimized/conv_pool_impl.h"
#include "kernels/optimized/simd/scalar.h"

namespace tinytorch::kernels::optimized {
namespace {

template <class T>
ConvPoolKernels<T> select(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Avx512: return conv_pool_kernels_avx512(T{});
    case CpuIsa::Avx2: return conv_pool_kernels_avx2(T{});
    case CpuIsa::Scalar: break;
  }
  return loop_kernel_set<simd::ScalarLane<T>, 4, 2>();
}

}  // namespace

ConvPoolKernels<float> conv_pool_kernels(CpuIsa isa, float) { return select<float>(isa); }

ConvPoolKernels<double> conv_pool_kernels(CpuIsa isa, double) { return select<double>(isa); }

const ConvPoolKernels<float>& conv_pool_kernels(float) {
  static const ConvPoolKernels<float> kernels = select<float>(cpu_isa());
  return kernels;
}

const ConvPoolKernels<double>& conv_pool_kernels(double) {
  static const ConvPoolKernels<double> kernels = select<double>(cpu_isa());
  return kernels;
}

}  // namespace tinytorch::kernels::optimized
