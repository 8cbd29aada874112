// The machine's FMA ceiling: independent chains of vector FMAs (more chains than pipes x latency, so
// throughput, not latency, limits them), reported as FLOP/s of one thread, and (AVX-512) of two
// threads running at once. This is the denominator for
// bench_gemm's efficiency. Each variant is compiled for its ISA via a target attribute and runs only
// when the CPU supports it.
#include <benchmark/benchmark.h>
#include <immintrin.h>

namespace {
// 24 chains: two FMA pipes x 4-cycle latency need 8; more leave room for any pipe count up to 6.
constexpr int kChains = 24;
constexpr int64_t kStepsPerIteration = 4096;
// noipa below: the chains are a pure function, which GCC would otherwise hoist out of the timing loop.

__attribute__((target("avx512f,fma"), noipa)) float fma_chains_avx512() {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
  const __m512 scale = _mm512_set1_ps(0.999999f), shift = _mm512_set1_ps(1e-7f);
  for (int64_t step = 0; step < kStepsPerIteration; ++step)
#pragma GCC unroll 24
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], scale, shift);
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

__attribute__((target("avx2,fma"), noipa)) float fma_chains_avx2() {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(0.001f * i);
  const __m256 scale = _mm256_set1_ps(0.999999f), shift = _mm256_set1_ps(1e-7f);
  for (int64_t step = 0; step < kStepsPerIteration; ++step)
#pragma GCC unroll 24
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], scale, shift);
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes) total += lane;
  return total;
}

template <float (*Chains)(), int Lanes>
void bm_fma_peak(benchmark::State& state, bool supported) {
  if (!supported) {
    state.SkipWithError("CPU lacks this ISA");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(Chains());
  // Each FMA is 2 FLOPs per lane. The threads:2 run reports both threads together: what the two
  // cores deliver while both are busy (on a shared machine, less than twice one thread alone).
  // Google Benchmark sums a counter over threads and then scales it by the iterations of all
  // threads, which would count every FMA twice; kAvgThreads keeps one thread's value.
  state.counters["FLOPS"] =
      benchmark::Counter(2.0 * Lanes * kChains * kStepsPerIteration,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kAvgThreads);
}
}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  benchmark::RegisterBenchmark("fma_peak/f32/avx512", bm_fma_peak<fma_chains_avx512, 16>, avx512);
  benchmark::RegisterBenchmark("fma_peak/f32/avx512", bm_fma_peak<fma_chains_avx512, 16>, avx512)
      ->Threads(2)
      ->UseRealTime();
  benchmark::RegisterBenchmark("fma_peak/f32/avx2", bm_fma_peak<fma_chains_avx2, 8>, avx2);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
