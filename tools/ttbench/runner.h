// `ttbench run`: runs the suite binaries for a profile with N repetitions, Google Benchmark's
// random interleaving on (each repetition of each benchmark runs at a random point of the run, so
// a drift of the host's speed hits every implementation alike), plus bench_fma_peak for the
// roofline, and stores the JSON with meta.json under runs/<id>/.
#pragma once

#include <string>
#include <vector>

namespace ttbench {

struct RunOptions {
  std::string profile = "quick";
  int repetitions = 10;
  std::vector<std::string> suites = {"ops", "train"};
  std::string threads = "1,2";
  std::string build_dir = "build";
  std::string runs_dir = "runs";
  std::string filter;           // --benchmark_filter, optional
  std::string min_time;         // --benchmark_min_time, optional (the profile's otherwise)
  std::string planted;          // sets TINYTORCH_PLANTED_SLOWDOWN for the suites
  bool quiet = false;           // do not echo the suites' output (it is always in runs/<id>/<suite>.log)
  std::string confirmation_of;  // gate --confirm's re-run of this run id (not "latest", not in history)
  std::string command_line;
};

// Returns the new run id; throws InputError for a missing binary or bad options, runtime_error when
// a suite fails (the log is named).
std::string run_suites(const RunOptions& options);

// Single-quotes `text` for /bin/sh.
std::string shell_quote(const std::string& text);
// Runs `command` through /bin/sh, writing its output to `log_path` and, unless quiet, to stdout.
// Returns the exit status.
int run_logged(const std::string& command, const std::string& log_path, bool quiet);

}  // namespace ttbench
