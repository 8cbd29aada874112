// Comparison of a run against a baseline, benchmark by benchmark.
//
// For each benchmark present in both, over the per-repetition wall times:
//   change        median(run) / median(baseline) - 1
//   CI            Hodges–Lehmann shift of log(time) with its (1 - alpha) interval, as a change
//   p             two-sided Mann–Whitney U test
//   ratio change  (TinyTorch time / LibTorch time of the same case and threads, in the run) over the
//                 same ratio in the baseline, minus 1: a uniformly faster or slower host cancels out;
//                 its p-value is a bootstrap over all four samples (stats::bootstrap_ratio_change_p).
// A TinyTorch benchmark is a regression when the change on the chosen basis is significant
// (p < alpha) and above the threshold: basis "both" (the default on the baseline's machine) needs
// the time and the ratio change to qualify, so a host slowed by load (which slows LibTorch alike) is
// not flagged; basis "ratio" (forced for a baseline from another machine fingerprint) uses the
// ratio change alone; "time" the time change alone. LibTorch rows are reported, never gated.
//
// Repetitions within one run share the machine's state, so between runs a median can move more
// than their spread suggests (an A/A pair of runs on the shared 2-core machine showed 10-15% shifts
// of single benchmarks with p < 0.01). A baseline merged from several runs records each run's
// median; then a change only counts once it also leaves the envelope of those runs by the
// threshold: run median over the slowest baseline run's median (the fastest, for improvements),
// and likewise for the ratio against the baseline runs' ratios.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "results.h"

namespace ttbench {

// Defaults from A/A measurements on the 2-core development machine (see tools/ttbench/README.md).
struct CompareOptions {
  double alpha = 0.01;
  double threshold = 0.05;
  std::string basis = "auto";  // auto | both | time | ratio
};

// kUnconfirmed: flagged in the run, but not again when gate --confirm re-ran it (gate.h).
enum class Verdict { kUnchanged, kRegression, kImprovement, kNotGated, kUnconfirmed };

struct CompareRow {
  std::string name;
  tt_bench::BenchName parts;
  size_t base_n = 0, run_n = 0;
  double base_median_ns = 0, run_median_ns = 0;
  double change = 0;
  double ci_low = 0, ci_high = 0;
  bool ci_bounded = true;
  double p_value = 1;
  bool exact = false;
  std::optional<double> ratio_change, ratio_p;
  // Against the baseline runs' envelope (baselines merged from several runs only): the run's median
  // (ratio) over the slowest baseline run's when it is slower, over the fastest when faster.
  std::optional<double> envelope_change, ratio_envelope_change;
  Verdict verdict = Verdict::kUnchanged;
};

struct SummaryRow {
  std::string suite, impl;
  size_t count = 0;
  double geomean_change = 0;
  std::optional<double> geomean_ratio_change;
};

struct Comparison {
  std::string basis;         // the basis actually used
  size_t baseline_runs = 1;  // runs merged into the baseline
  CompareOptions options;
  std::vector<CompareRow> rows;
  std::vector<SummaryRow> summary;
  std::vector<std::string> only_in_run, only_in_baseline, failed;
  std::vector<std::string> warnings;
  size_t regressions() const;
  size_t improvements() const;
};

Comparison compare_results(const RunResults& baseline, const RunResults& run, const CompareOptions& options,
                           bool same_fingerprint);

std::string format_change(double change);  // "+12.3%"
std::string verdict_name(Verdict v);
// Markdown: warnings, regressions, geometric-mean summary, unmatched names; `all_rows` adds the
// table of every benchmark.
std::string comparison_markdown(const Comparison& c, bool all_rows);

}  // namespace ttbench
