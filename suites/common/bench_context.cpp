#include "common/bench_context.h"

#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <fstream>
#include <sstream>

#include "git_commit.h"  // generated at build time (suites/git_commit.cmake)
#include "kernels/optimized/cpu_features.h"
#include "tinytorch/tinytorch.h"

#ifndef TT_BUILD_TYPE
#define TT_BUILD_TYPE "unknown"
#endif
#ifndef TT_CXX_FLAGS
#define TT_CXX_FLAGS ""
#endif

namespace tt_bench {
namespace {
// OpenBLAS entry points looked up at run time: LibTorch reaches BLAS through Debian's libblas.so.3
// alternative, so whether OpenBLAS is behind it is only known once loaded.
template <class Fn>
Fn blas_symbol(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, name));
}

std::string cpu_model_and_flags(std::string* flags) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpuinfo, line)) {
    auto value = [&] { return line.substr(line.find(':') + 2); };
    if (model.empty() && line.rfind("model name", 0) == 0) model = value();
    if (flags->empty() && line.rfind("flags", 0) == 0) {
      std::istringstream all(value());
      std::string flag;
      while (all >> flag)
        if (flag.rfind("avx", 0) == 0 || flag == "fma" || flag == "f16c") *flags += (flags->empty() ? "" : " ") + flag;
    }
  }
  return model.empty() ? "unknown" : model;
}
}  // namespace

void set_all_threads(int threads) {
  tt::set_num_threads(threads);
  at::set_num_threads(threads);
  if (auto set = blas_symbol<void (*)(int)>("openblas_set_num_threads")) set(threads);
}

BlasInfo blas_info() {
  BlasInfo info{"unknown (not OpenBLAS)", "unknown"};
  if (auto config = blas_symbol<char* (*)()>("openblas_get_config")) info.config = config();
  if (auto core = blas_symbol<char* (*)()>("openblas_get_corename")) info.core = core();
  return info;
}

void add_run_context() {
  std::string flags;
  benchmark::AddCustomContext("cpu_model", cpu_model_and_flags(&flags));
  benchmark::AddCustomContext("cpu_isa_flags", flags);
  const BlasInfo blas = blas_info();
  benchmark::AddCustomContext("libtorch_blas", blas.config);
  benchmark::AddCustomContext("libtorch_blas_core", blas.core);
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("openblas_coretype_env", coretype ? coretype : "");
  // Variables that change threading or kernel choice (OMP_WAIT_POLICY decides whether LibTorch's
  // idle OpenMP workers spin, which dominates 2-thread times on a loaded machine).
  std::string environment;
  for (const char* name : {"OMP_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OPENBLAS_NUM_THREADS",
                           "TINYTORCH_BACKEND", "TINYTORCH_NUM_THREADS", "TINYTORCH_CPU_ISA"})
    if (const char* value = std::getenv(name))
      environment += fmt::format("{}{}={}", environment.empty() ? "" : " ", name, value);
  benchmark::AddCustomContext("environment", environment.empty() ? "none of the threading variables set" : environment);
  benchmark::AddCustomContext("libtorch_version",
                              fmt::format("{}.{}.{}", TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH));
  benchmark::AddCustomContext("libtorch_parallel", at::get_parallel_info());
  benchmark::AddCustomContext("compiler", fmt::format("{} {}", "g++", __VERSION__));
  benchmark::AddCustomContext("cxx_flags", TT_CXX_FLAGS);
  benchmark::AddCustomContext("build_type", TT_BUILD_TYPE);
  benchmark::AddCustomContext("git_commit", TT_GIT_COMMIT);
  tt::backend_name();  // registers the backends: available_backends() lists only registered ones
  benchmark::AddCustomContext("tinytorch_backends", fmt::format("{}", fmt::join(tt::available_backends(), ",")));
  benchmark::AddCustomContext("tinytorch_default_backend", tt::backend_name());
  benchmark::AddCustomContext("tinytorch_isa", tinytorch::kernels::cpu_isa_name());
  benchmark::AddCustomContext(
      "thread_policy", "per benchmark, TinyTorch, LibTorch intra-op and OpenBLAS threads all set to num_threads");
}

}  // namespace tt_bench
