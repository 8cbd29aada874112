// CPUID-based ISA selection (see cpu_features.h). GCC's __builtin_cpu_supports also checks that the
// OS saves the wide registers (XGETBV), so a reported feature is safe to execute.
#include "kernels/optimized/cpu_features.h"

#include <cstdlib>
#include <cstring>

#include "tinytorch/error.h"

namespace tinytorch::kernels {
namespace {
CpuIsa detect() {
  __builtin_cpu_init();
  // The AVX-512 files are compiled with F, DQ, BW and VL (every AVX-512 CPU since Skylake-SP has them).
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return CpuIsa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuIsa::Avx2;
  return CpuIsa::Scalar;
}

CpuIsa requested_cap() {
  const char* env = std::getenv("TINYTORCH_CPU_ISA");
  if (env == nullptr || *env == '\0') return CpuIsa::Avx512;
  for (CpuIsa isa : {CpuIsa::Scalar, CpuIsa::Avx2, CpuIsa::Avx512})
    if (std::strcmp(env, isa_name(isa)) == 0) return isa;
  throw Error(fmt::format("TINYTORCH_CPU_ISA: unknown ISA \"{}\"; use scalar, avx2 or avx512", env));
}
}  // namespace

const char* isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::Avx512: return "avx512";
    case CpuIsa::Avx2: return "avx2";
    case CpuIsa::Scalar: break;
  }
  return "scalar";
}

bool cpu_supports(CpuIsa isa) {
  static const CpuIsa detected = detect();
  return isa <= detected;
}

CpuIsa cpu_isa() {
  static const CpuIsa chosen = [] {
    const CpuIsa cap = requested_cap();
    for (CpuIsa isa : {CpuIsa::Avx512, CpuIsa::Avx2})
      if (isa <= cap && cpu_supports(isa)) return isa;
    return CpuIsa::Scalar;
  }();
  return chosen;
}

std::string cpu_isa_name() { return isa_name(cpu_isa()); }

}  // namespace tinytorch::kernels
