// The driver shared by every suite binary. A suite is a list of BenchCases; each case is run by
// every implementation (tinytorch/<backend> for each TinyTorch backend, and libtorch) at each
// thread count. run_suite():
//   1. parses the suite flags (--profile, --case, --threads, --list) before Google Benchmark's;
//   2. checks correctness first: every implementation runs each selected case once and its results
//      (outputs, gradients, losses) are compared with LibTorch's; any mismatch prints the case,
//      implementation and element, and the binary exits 1 without timing anything;
//   3. registers one benchmark per (case, threads, impl), named as in naming.h, with the counters
//      FLOP/s, bytes_per_second, items_per_second, peak_memory_bytes and num_threads;
//   4. runs them (wall-clock time: the kernels are multi-threaded) and prints a side-by-side table.
// The run context (machine, BLAS, versions, profile, skipped cases, the loss curves of the epoch
// cases' check) goes into the JSON, and a MemoryManager (memory_manager.h) adds allocs_per_iter and
// max_bytes_used to every repetition.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tt_bench {

using NamedTensor = std::pair<std::string, at::Tensor>;

// One implementation of a case, prepared outside the timed region (inputs, model, optimizer and
// batches are built by BenchCase::make). The driver selects the TinyTorch backend and the thread
// count before make() and keeps them for every call.
class Runner {
 public:
  virtual ~Runner() = default;
  // The timed unit: one call of the op (fwd), op plus backward (fwdbwd), or one training step.
  virtual void step() = 0;
  // Runs the case once more and returns the values the correctness check compares against
  // LibTorch's, in a fixed order (e.g. "output", "grad of input 0").
  virtual std::vector<NamedTensor> check_results() = 0;
};

struct BenchCase {
  std::string suite, op, mode, params;  // see naming.h
  double flops = 0;                     // analytic floating-point operations of one step()
  double bytes = 0;                     // bytes one step() reads and writes at least
  double items = 0;    // units of work of one step(): rows or samples for layers, elements for pointwise ops
  bool quick = false;  // part of the quick profile
  double rtol = 1e-4, atol = 1e-5;  // correctness: |got - expected| <= atol + rtol * |expected|
  // Builds the runner of an implementation ("tinytorch/reference", "tinytorch/optimized", "libtorch").
  std::function<std::unique_ptr<Runner>(const std::string& impl)> make;

  std::string key() const { return suite + "/" + op + "/" + mode + "/" + params; }
};

// tinytorch/<backend> for every TinyTorch backend (reference first), then libtorch.
std::vector<std::string> implementations();
bool is_tinytorch(const std::string& impl);
// "reference" for "tinytorch/reference".
std::string tinytorch_backend(const std::string& impl);

// Extra run-context entries a suite adds (e.g. dataset_source), written after the common ones.
using ContextEntries = std::vector<std::pair<std::string, std::string>>;

// The whole main() of a suite binary. Returns the process exit code: 0, 1 (a correctness mismatch
// or a failed benchmark) or 2 (bad suite flags).
int run_suite(const std::string& suite, const std::vector<BenchCase>& cases, int argc, char** argv,
              const ContextEntries& context = {});

}  // namespace tt_bench
