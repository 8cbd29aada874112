// Smoke benchmark run by the main job: a few ops timed in TinyTorch (every backend) and LibTorch on
// identical inputs and thread count, then a side-by-side table. Outputs are compared across
// implementations before anything is timed, so a wrong result fails the run instead of being timed.
#include <benchmark/benchmark.h>
#include <torch/torch.h>
#include <unistd.h>

#include <functional>

#include "common/bench_context.h"
#include "common/table_reporter.h"
#include "interop/torch_interop.h"
#include "tinytorch/tinytorch.h"

namespace {
using tinytorch::interop::from_torch;
using tinytorch::interop::to_torch;

struct SmokeCase {
  std::string op;
  std::string params;
  std::vector<tt::Shape> shapes;
  std::function<tt::Tensor(const tt::TensorList&)> tinytorch;
  std::function<at::Tensor(const std::vector<at::Tensor>&)> libtorch;
};

std::vector<SmokeCase> smoke_cases() {
  return {
      {"matmul",
       "m=256,n=256,k=256",
       {{256, 256}, {256, 256}},
       [](auto& x) { return tt::matmul(x[0], x[1]); },
       [](auto& x) { return torch::matmul(x[0], x[1]); }},
      {"add",
       "n=1048576",
       {{1024, 1024}, {1024, 1024}},
       [](auto& x) { return x[0] + x[1]; },
       [](auto& x) { return x[0] + x[1]; }},
      {"relu",
       "n=1048576",
       {{1024, 1024}},
       [](auto& x) { return tt::relu(x[0]); },
       [](auto& x) { return torch::relu(x[0]); }},
      {"sum", "n=1048576", {{1024, 1024}}, [](auto& x) { return x[0].sum(); }, [](auto& x) { return x[0].sum(); }},
  };
}

// Every implementation gets the same seeded inputs.
tt::TensorList make_inputs(const SmokeCase& c) {
  tt::Generator gen(42);
  tt::TensorList inputs;
  for (const auto& shape : c.shapes) inputs.push_back(tt::randn(shape, tt::kFloat32, &gen));
  return inputs;
}

void verify(const SmokeCase& c) {
  tt::TensorList inputs = make_inputs(c);
  std::vector<at::Tensor> torch_inputs;
  for (const auto& t : inputs) torch_inputs.push_back(to_torch(t));
  const at::Tensor expected = c.libtorch(torch_inputs);
  for (const std::string& backend : tt::available_backends()) {
    tt::BackendGuard guard(backend);
    const at::Tensor got = to_torch(c.tinytorch(inputs));
    if (!torch::allclose(got, expected, 1e-4, 1e-3))
      throw std::runtime_error("bench_smoke: " + c.op + " on backend " + backend + " disagrees with LibTorch");
  }
}

void register_case(const SmokeCase& c, int threads) {
  const std::string suffix = "/" + c.params + "/threads=" + std::to_string(threads);
  for (const std::string& backend : tt::available_backends()) {
    benchmark::RegisterBenchmark(("smoke/" + c.op + "/fwd/tinytorch/" + backend + suffix).c_str(),
                                 [c, backend, threads](benchmark::State& state) {
                                   tt_bench::set_all_threads(threads);
                                   tt::BackendGuard guard(backend);
                                   tt::NoGradGuard no_grad;
                                   const tt::TensorList inputs = make_inputs(c);
                                   for (auto _ : state) benchmark::DoNotOptimize(c.tinytorch(inputs));
                                 });
  }
  benchmark::RegisterBenchmark(("smoke/" + c.op + "/fwd/libtorch" + suffix).c_str(),
                               [c, threads](benchmark::State& state) {
                                 tt_bench::set_all_threads(threads);
                                 torch::NoGradGuard no_grad;
                                 std::vector<at::Tensor> inputs;
                                 for (const auto& t : make_inputs(c)) inputs.push_back(to_torch(t));
                                 for (auto _ : state) benchmark::DoNotOptimize(c.libtorch(inputs));
                               });
}
}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  tt_bench::add_run_context();
  for (const SmokeCase& c : smoke_cases()) {
    verify(c);
    register_case(c, 1);
  }
  tt_bench::TableReporter reporter(isatty(STDOUT_FILENO) ? tt_bench::TableReporter::OO_Color
                                                         : tt_bench::TableReporter::OO_None);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
