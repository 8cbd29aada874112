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

enum class Verdict { kUnchanged, kRegression, kImprovement, kNotGated };

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
  Verdict verdict = Verdict::kUnchanged;
};

struct SummaryRow {
  std::string suite, impl;
  size_t count = 0;
  double geomean_change = 0;
  std::optional<double> geomean_ratio_change;
};

struct Comparison {
  std::string basis;  // the basis actually used
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
