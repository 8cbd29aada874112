// The optimized backend: kernels that override entries of the reference table (table.cpp) with
// vectorized, threaded versions. Every kernel here is tested against its reference counterpart.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/optimized/cpu_features.h"

namespace tinytorch::kernels::optimized {

// Batched product through the BLIS-style GEMM (f32, f64); other dtypes use the reference kernel.
void bmm(const Tensor& out, const Tensor& a, const Tensor& b);
// Same with an explicit microkernel ISA (tests and benchmarks); `isa` must be supported by the CPU.
void bmm(const Tensor& out, const Tensor& a, const Tensor& b, CpuIsa isa);

}  // namespace tinytorch::kernels::optimized
