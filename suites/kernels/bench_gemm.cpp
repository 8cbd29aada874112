// GEMM micro-benchmark: FLOP/s of the optimized backend's GEMM driver (the internal gemm entry on
// preallocated row-major buffers, so no allocation is timed) for square f32 and f64 products, per
// microkernel ISA the CPU supports and per thread count. bench_fma_peak gives the machine's ceiling.
// Each configuration is checked against a naive double-precision product on a few rows first.
// Single-thread rates use the thread's CPU time (steady on a shared machine); multi-thread rates
// use wall time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "kernels/optimized/cpu_features.h"
#include "kernels/optimized/gemm/gemm.h"
#include "tinytorch/generator.h"
#include "tinytorch/threading.h"

namespace {
namespace kn = tinytorch::kernels;
namespace opt = tinytorch::kernels::optimized;

template <class T>
struct Problem {
  explicit Problem(int64_t size) : n(size), a(size * size), b(size * size), c(size * size) {
    tinytorch::Generator gen(7);
    for (T& v : a) v = static_cast<T>(gen.next_normal());
    for (T& v : b) v = static_cast<T>(gen.next_normal());
  }

  opt::GemmArgs<T> args() {
    opt::GemmArgs<T> g;
    g.m = g.n = g.k = n;
    g.a = a.data(), g.a_row_stride = n, g.a_col_stride = 1;
    g.b = b.data(), g.b_row_stride = n, g.b_col_stride = 1;
    g.c = c.data(), g.ldc = n;
    return g;
  }

  // Rows 0, n/2 and n-1 of C against a double-precision dot product.
  bool correct() const {
    for (int64_t i : {int64_t{0}, n / 2, n - 1})
      for (int64_t j = 0; j < n; ++j) {
        double expected = 0, magnitude = 0;
        for (int64_t p = 0; p < n; ++p) {
          expected += double(a[i * n + p]) * b[p * n + j];
          magnitude += std::abs(double(a[i * n + p]) * b[p * n + j]);
        }
        const double eps = sizeof(T) == 4 ? 1.2e-7 : 2.3e-16;
        if (std::abs(c[i * n + j] - expected) > 2 * std::sqrt(double(n)) * eps * magnitude) return false;
      }
    return true;
  }

  int64_t n;
  std::vector<T> a, b, c;
};

template <class T>
void bm_gemm(benchmark::State& state, kn::CpuIsa isa) {
  const int64_t n = state.range(0);
  tinytorch::set_num_threads(static_cast<int>(state.range(1)));
  Problem<T> problem(n);
  const opt::GemmArgs<T> args = problem.args();
  opt::gemm(args, isa);
  if (!problem.correct()) {
    state.SkipWithError("gemm result disagrees with the naive product");
    return;
  }
  for (auto _ : state) {
    opt::gemm(args, isa);
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2.0 * double(n) * n * n, benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<int> thread_counts{1};
  if (cores > 1) thread_counts.push_back(cores);
  for (kn::CpuIsa isa : {kn::CpuIsa::Avx512, kn::CpuIsa::Avx2, kn::CpuIsa::Scalar}) {
    if (!kn::cpu_supports(isa)) continue;
    const std::string name = kn::isa_name(isa);
    // The scalar fallback is only sanity-timed on small sizes.
    const std::vector<int64_t> sizes =
        isa == kn::CpuIsa::Scalar ? std::vector<int64_t>{256, 512} : std::vector<int64_t>{256, 512, 1024, 1536, 2048};
    for (int threads : thread_counts) {
      for (int64_t n : sizes) {
        auto* f32 = benchmark::RegisterBenchmark(("sgemm/" + name).c_str(), bm_gemm<float>, isa);
        auto* f64 = benchmark::RegisterBenchmark(("dgemm/" + name).c_str(), bm_gemm<double>, isa);
        for (auto* bench : {f32, f64}) {
          bench->Args({n, threads})->ArgNames({"n", "threads"})->Unit(benchmark::kMillisecond);
          if (threads > 1) bench->UseRealTime();
        }
      }
    }
  }
}
}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::AddCustomContext("tinytorch_isa", kn::cpu_isa_name());
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
