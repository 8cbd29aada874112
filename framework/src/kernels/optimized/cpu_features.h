// Run-time CPU feature detection for the optimized kernels. The library is built for baseline x86-64;
// only the *_avx2.cpp / *_avx512.cpp files are compiled for those ISAs, and are called only when
// cpu_isa() says the running CPU (and OS) supports them.
#pragma once

#include <string>

namespace tinytorch::kernels {

// Ordered: a CPU that supports one level supports every level before it.
enum class CpuIsa { Scalar, Avx2, Avx512 };

// The best ISA of this CPU, capped by the TINYTORCH_CPU_ISA environment variable (scalar, avx2,
// avx512) so slower paths can be benchmarked on a fast machine.
CpuIsa cpu_isa();
bool cpu_supports(CpuIsa isa);
const char* isa_name(CpuIsa isa);
// Name of the ISA in use, for benchmark and log context.
std::string cpu_isa_name();

}  // namespace tinytorch::kernels
