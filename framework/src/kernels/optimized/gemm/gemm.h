// General matrix product for the optimized backend, BLIS style: C = alpha·A·B + beta·C for A [M, K]
// and B [K, N] with arbitrary element strides (so transposes and broadcasts need no copy) and a
// row-major C with leading dimension ldc. This is the one entry point for bmm now and for linear,
// conv and attention later.
#pragma once

#include <cstdint>

#include "kernels/optimized/cpu_features.h"
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/microkernels.h"

namespace tinytorch::kernels::optimized {

template <class T>
struct GemmArgs {
  int64_t m = 0, n = 0, k = 0;
  const T* a = nullptr;
  int64_t a_row_stride = 0, a_col_stride = 0;
  const T* b = nullptr;
  int64_t b_row_stride = 0, b_col_stride = 0;
  T* c = nullptr;
  int64_t ldc = 0;
  T alpha = 1;
  T beta = 0;  // 0: C is only written (it may hold garbage, even NaN); 1: accumulate into C
};

// A microkernel, the blocking it was tuned with, and the ISA's vector packing (or nullptr).
template <class T>
struct GemmKernel {
  BlockSizes blocks;
  MicroKernel<T> run;
  PackRows<T> pack_rows = nullptr;
  TapMicroKernel<T> run_taps = nullptr;  // the same tile reading B in place, where the ISA has one
};

// The microkernel gemm() uses for an m x n product on `isa`: a function of the ISA and the shape
// only, never the thread count. Convolution (conv2d_implicit.cpp) drives it directly.
GemmKernel<float> gemm_kernel(CpuIsa isa, int64_t m, int64_t n, float);
GemmKernel<double> gemm_kernel(CpuIsa isa, int64_t m, int64_t n, double);

// Threads over blocks of M and N only, never K, so the result is bitwise independent of the thread
// count. `isa` selects the microkernel; it must satisfy cpu_supports(isa).
void gemm(const GemmArgs<float>& args, CpuIsa isa = cpu_isa());
void gemm(const GemmArgs<double>& args, CpuIsa isa = cpu_isa());

}  // namespace tinytorch::kernels::optimized
