// Run context shared by every benchmark binary: equal thread counts for both frameworks (LibTorch's
// intra-op pool and OpenBLAS's own pool are set separately) and the facts that make a result
// interpretable later (BLAS, core type, ISA, versions, build), written into Google Benchmark's JSON.
#pragma once

#include <string>
#include <vector>

namespace tt_bench {

// Sets TinyTorch, LibTorch (at::set_num_threads) and OpenBLAS to `threads` threads.
void set_all_threads(int threads);

struct BlasInfo {
  std::string config;  // openblas_get_config(), or "unknown (not OpenBLAS)"
  std::string core;    // openblas_get_corename()
};
BlasInfo blas_info();

// Adds CPU model, ISA flags, BLAS, LibTorch version, compiler, build type, git commit, TinyTorch
// backends and the ISA its optimized kernels use to benchmark::AddCustomContext.
void add_run_context();

}  // namespace tt_bench
