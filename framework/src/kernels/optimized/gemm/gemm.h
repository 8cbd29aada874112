// General matrix product for the optimized backend, BLIS style: C = alpha·A·B + beta·C for A [M, K]
// and B [K, N] with arbitrary element strides (so transposes and broadcasts need no copy) and a
// row-major C with leading dimension ldc. This is the one entry point for bmm now and for linear,
// conv and attention later.
#pragma once

#include <cstdint>

#include "kernels/optimized/cpu_features.h"

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

// Threads over blocks of M and N only, never K, so the result is bitwise independent of the thread
// count. `isa` selects the microkernel; it must satisfy cpu_supports(isa).
void gemm(const GemmArgs<float>& args, CpuIsa isa = cpu_isa());
void gemm(const GemmArgs<double>& args, CpuIsa isa = cpu_isa());

}  // namespace tinytorch::kernels::optimized
