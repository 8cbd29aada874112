// A suite binary whose TinyTorch implementations are deliberately wrong, built only for the
// suites' tests: it proves that the driver's correctness check stops a run whose implementations
// disagree with LibTorch, in the forward value or only in the gradient, before anything is timed.
//   wrong_forward   TinyTorch returns x * 1.001, LibTorch x
//   wrong_gradient  TinyTorch returns 2x - detach(x): the same value, but gradient 2 instead of 1
//   agree           both return x * 2 (the run must pass)
#include "common/suite.h"
#include "common/workload.h"

namespace {
using tt_bench::Workload;
using Inputs = std::vector<at::Tensor>;

Workload identity_like(const std::string& op, tt_bench::TinyTorchOp tinytorch, tt_bench::LibTorchOp libtorch) {
  Workload w;
  w.op = op;
  w.params = "shape=[64,64]";
  w.inputs = {{{64, 64}, tt_bench::InputKind::Float, true}};
  w.tinytorch = std::move(tinytorch);
  w.libtorch = std::move(libtorch);
  w.flops = w.items = 64 * 64;
  w.bytes = 2 * 4 * 64 * 64;
  w.quick = true;
  return w;
}
}  // namespace

int main(int argc, char** argv) {
  const std::vector<Workload> workloads = {
      identity_like(
          "wrong_forward", [](const tt::TensorList& x) { return x[0] * 1.001; },
          [](const Inputs& x) { return x[0].clone(); }),
      identity_like(
          "wrong_gradient", [](const tt::TensorList& x) { return x[0] * 2.0 - x[0].detach(); },
          [](const Inputs& x) { return x[0].clone(); }),
      identity_like(
          "agree", [](const tt::TensorList& x) { return x[0] * 2.0; }, [](const Inputs& x) { return x[0] * 2; }),
  };
  std::vector<tt_bench::BenchCase> cases;
  for (const Workload& w : workloads)
    for (tt_bench::BenchCase& c : tt_bench::expand("wrong", w)) cases.push_back(std::move(c));
  return tt_bench::run_suite("wrong", cases, argc, argv);
}
