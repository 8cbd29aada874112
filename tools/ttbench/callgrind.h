// `ttbench callgrind`: the instruction-count gate. Selected cases run at one thread under
// valgrind's callgrind with instrumentation off except inside the timed loop
// (suites/common/timed_loop.h turns it on there and dumps the counts per repetition, labelled with
// the benchmark name); each repetition is exactly one iteration (--benchmark_min_time of 1 ns).
// The instructions executed per iteration (Ir) barely depend on the host's load, so a small
// threshold gates changes that timing noise hides. Baselines: baselines/<slug>/callgrind-<suite>.json.
#pragma once

#include <map>
#include <string>

namespace ttbench {

struct CallgrindOptions {
  std::string suite = "ops";
  std::string cases;  // --benchmark_filter regex
  std::string profile = "quick";
  int repetitions = 20;
  std::string build_dir = "build";
  std::string runs_dir = "runs";
  std::string baselines_dir = "baselines";
  std::string baseline = "auto";
  double threshold = 0.01;
  bool update_baseline = false;
  std::string planted;  // sets TINYTORCH_PLANTED_SLOWDOWN
  std::string summary_out;
  std::string command_line;
};

// The default case selection: small TinyTorch optimized forward cases (run at one thread).
extern const char* kDefaultCallgrindCases;

// Parses callgrind dump files in `dir` into Ir per benchmark name (summed over dumps).
std::map<std::string, double> read_callgrind_dumps(const std::string& dir);

// Runs, compares with (or updates) the baseline, prints a markdown summary; returns the exit code
// (0 ok or updated, 1 regression). Throws InputError for bad input.
int run_callgrind(const CallgrindOptions& options);

}  // namespace ttbench
