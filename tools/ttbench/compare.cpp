// Run-versus-baseline comparison (see compare.h).
#include "compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "stats.h"

namespace ttbench {
namespace {

std::vector<double> logs(const std::vector<double>& values) {
  std::vector<double> out;
  for (double v : values) out.push_back(std::log(v));
  return out;
}

bool is_tinytorch(const tt_bench::BenchName& parts) { return parts.impl.rfind("tinytorch/", 0) == 0; }

// LibTorch's benchmark for the case and thread count of `parts`, if the results have it with timings.
const Benchmark* libtorch_twin(const RunResults& results, const tt_bench::BenchName& parts) {
  tt_bench::BenchName lib = parts;
  lib.impl = "libtorch";
  const Benchmark* b = results.find(lib.str());
  return b && !b->times_ns.empty() ? b : nullptr;
}

// value over the largest of `runs` when it is above all of them, over the smallest when below all,
// else 0 (inside the envelope).
double envelope_change(double value, const std::vector<double>& runs) {
  const auto [low, high] = std::minmax_element(runs.begin(), runs.end());
  if (value > *high) return value / *high - 1;
  if (value < *low) return value / *low - 1;
  return 0;
}

std::string cell_ci(const CompareRow& r) {
  const std::string text = fmt::format("[{}, {}]", format_change(r.ci_low), format_change(r.ci_high));
  return r.ci_bounded ? text : text + " (too few repetitions for the confidence level: range)";
}

std::string cell_p(double p) { return p < 1e-4 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p); }

std::string time_text(double ns) {
  if (ns >= 1e9) return fmt::format("{:.3g} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:.3g} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:.3g} us", ns / 1e3);
  return fmt::format("{:.3g} ns", ns);
}

std::string optional_change(const std::optional<double>& change) { return change ? format_change(*change) : "n/a"; }

std::string row_markdown(const CompareRow& r) {
  return fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", r.name,
                     time_text(r.base_median_ns), time_text(r.run_median_ns), format_change(r.change), cell_ci(r),
                     cell_p(r.p_value) + (r.exact ? " (exact)" : ""), optional_change(r.envelope_change),
                     optional_change(r.ratio_change), r.ratio_p ? cell_p(*r.ratio_p) : "n/a",
                     optional_change(r.ratio_envelope_change), verdict_name(r.verdict));
}

const char* kRowHeader =
    "| benchmark | baseline median | run median | change | CI | p (U test) | beyond baseline runs | ratio change | "
    "ratio p | ratio beyond baseline runs | verdict |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n";
}  // namespace

size_t Comparison::regressions() const {
  return std::count_if(rows.begin(), rows.end(), [](const CompareRow& r) { return r.verdict == Verdict::kRegression; });
}
size_t Comparison::improvements() const {
  return std::count_if(rows.begin(), rows.end(),
                       [](const CompareRow& r) { return r.verdict == Verdict::kImprovement; });
}

std::string format_change(double change) { return fmt::format("{:+.1f}%", 100 * change); }

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kRegression: return "REGRESSION";
    case Verdict::kImprovement: return "improved";
    case Verdict::kNotGated: return "not gated";
    case Verdict::kUnconfirmed: return "not confirmed by a re-run";
    case Verdict::kUnchanged: break;
  }
  return "ok";
}

Comparison compare_results(const RunResults& baseline, const RunResults& run, const CompareOptions& options,
                           bool same_fingerprint) {
  Comparison c;
  c.options = options;
  c.basis = options.basis == "auto" ? (same_fingerprint ? "both" : "ratio") : options.basis;
  if (!same_fingerprint && c.basis != "ratio") {
    c.warnings.push_back(
        fmt::format("basis '{}' requested with a baseline from another machine; using 'ratio'", c.basis));
    c.basis = "ratio";
  }
  const double alpha = options.alpha, threshold = options.threshold;
  for (const Benchmark* b : run.all()) {
    const Benchmark* base = baseline.find(b->name);
    if (!base) {
      c.only_in_run.push_back(b->name);
      continue;
    }
    if (!b->error.empty() || !base->error.empty() || b->times_ns.empty() || base->times_ns.empty()) {
      c.failed.push_back(fmt::format("{}: {}", b->name,
                                     !b->error.empty()      ? "run: " + b->error
                                     : !base->error.empty() ? "baseline: " + base->error
                                                            : std::string("no timings")));
      continue;
    }
    CompareRow r;
    r.name = b->name;
    r.parts = b->parts;
    r.base_n = base->times_ns.size();
    r.run_n = b->times_ns.size();
    r.base_median_ns = stats::median(base->times_ns);
    r.run_median_ns = stats::median(b->times_ns);
    r.change = r.run_median_ns / r.base_median_ns - 1;
    const stats::Shift shift = stats::hodges_lehmann(logs(base->times_ns), logs(b->times_ns), alpha);
    r.ci_low = std::exp(shift.low) - 1;
    r.ci_high = std::exp(shift.high) - 1;
    r.ci_bounded = shift.bounded;
    const stats::UTest u = stats::mann_whitney_u(b->times_ns, base->times_ns);
    r.p_value = u.p_value;
    r.exact = u.exact;
    const Benchmark *lib_run = libtorch_twin(run, b->parts), *lib_base = libtorch_twin(baseline, b->parts);
    if (b->parts.impl != "libtorch" && lib_run && lib_base) {
      r.ratio_change = (r.run_median_ns / stats::median(lib_run->times_ns)) /
                           (r.base_median_ns / stats::median(lib_base->times_ns)) -
                       1;
      r.ratio_p = stats::bootstrap_ratio_change_p(b->times_ns, lib_run->times_ns, base->times_ns, lib_base->times_ns);
    }
    c.baseline_runs = std::max(c.baseline_runs, base->run_medians.size());
    if (base->run_medians.size() >= 2) {
      r.envelope_change = envelope_change(r.run_median_ns, base->run_medians);
      if (r.ratio_change && lib_base->run_medians.size() == base->run_medians.size()) {
        std::vector<double> base_ratios;
        for (size_t i = 0; i < base->run_medians.size(); ++i)
          base_ratios.push_back(base->run_medians[i] / lib_base->run_medians[i]);
        r.ratio_envelope_change = envelope_change(r.run_median_ns / stats::median(lib_run->times_ns), base_ratios);
      }
    }
    // Beyond the threshold on the pooled change and, where the baseline has several runs, on the
    // envelope change too.
    const auto beyond = [threshold](double change, const std::optional<double>& envelope, int sign) {
      return sign * change > threshold && (!envelope || sign * *envelope > threshold);
    };
    const bool time_up = r.p_value < alpha && beyond(r.change, r.envelope_change, 1);
    const bool time_down = r.p_value < alpha && beyond(r.change, r.envelope_change, -1);
    const bool ratio_significant = r.ratio_change.has_value() && r.ratio_p.value() < alpha;
    const bool ratio_up = ratio_significant && beyond(*r.ratio_change, r.ratio_envelope_change, 1);
    const bool ratio_down = ratio_significant && beyond(*r.ratio_change, r.ratio_envelope_change, -1);
    bool up = false, down = false;
    if (c.basis == "time" || (c.basis == "both" && !r.ratio_change)) {
      up = time_up;
      down = time_down;
    } else if (c.basis == "ratio") {
      up = ratio_up;
      down = ratio_down;
    } else {
      up = time_up && ratio_up;
      down = time_down && ratio_down;
    }
    if (!is_tinytorch(b->parts) || (c.basis == "ratio" && !r.ratio_change))
      r.verdict = Verdict::kNotGated;
    else
      r.verdict = up ? Verdict::kRegression : down ? Verdict::kImprovement : Verdict::kUnchanged;
    c.rows.push_back(std::move(r));
  }
  for (const Benchmark* b : baseline.all())
    if (!run.find(b->name)) c.only_in_baseline.push_back(b->name);

  // Geometric means per suite and implementation, over the benchmarks compared.
  std::map<std::pair<std::string, std::string>, std::pair<std::vector<double>, std::vector<double>>> groups;
  for (const CompareRow& r : c.rows) {
    auto& [times, ratios] = groups[{r.parts.suite, r.parts.impl}];
    times.push_back(1 + r.change);
    if (r.ratio_change) ratios.push_back(1 + *r.ratio_change);
  }
  for (const auto& [key, values] : groups) {
    SummaryRow s{key.first, key.second, values.first.size(), stats::geometric_mean(values.first) - 1, std::nullopt};
    if (!values.second.empty()) s.geomean_ratio_change = stats::geometric_mean(values.second) - 1;
    c.summary.push_back(s);
  }
  return c;
}

std::string comparison_markdown(const Comparison& c, bool all_rows) {
  std::string md;
  for (const std::string& w : c.warnings) md += fmt::format("> **Warning:** {}\n\n", w);
  md += fmt::format(
      "{} benchmarks compared; **{} regression(s)**, {} improvement(s). Basis: {}; regression = p < {} and change > "
      "{}{}.\n\n",
      c.rows.size(), c.regressions(), c.improvements(), c.basis, c.options.alpha, format_change(c.options.threshold),
      c.baseline_runs >= 2 ? fmt::format(", also beyond the slowest of the baseline's {} runs", c.baseline_runs) : "");
  std::string regressions;
  for (const CompareRow& r : c.rows)
    if (r.verdict == Verdict::kRegression) regressions += row_markdown(r);
  if (!regressions.empty()) md += "### Regressions\n\n" + std::string(kRowHeader) + regressions + "\n";
  std::string unconfirmed;
  for (const CompareRow& r : c.rows)
    if (r.verdict == Verdict::kUnconfirmed) unconfirmed += row_markdown(r);
  if (!unconfirmed.empty())
    md += "### Flagged, but not again when re-run (not failing the gate)\n\n" + std::string(kRowHeader) + unconfirmed +
          "\n";
  md +=
      "### Geometric mean per suite and implementation\n\n"
      "| suite | implementation | benchmarks | geomean time change | geomean ratio change (vs LibTorch) |\n"
      "|---|---|---|---|---|\n";
  for (const SummaryRow& s : c.summary)
    md += fmt::format("| {} | {} | {} | {} | {} |\n", s.suite, s.impl, s.count, format_change(s.geomean_change),
                      s.geomean_ratio_change ? format_change(*s.geomean_ratio_change) : "n/a");
  md += "\n";
  auto list = [&](const std::vector<std::string>& names, const std::string& title) {
    if (names.empty()) return;
    md += fmt::format("### {} ({})\n\n", title, names.size());
    for (const std::string& n : names) md += fmt::format("- `{}`\n", n);
    md += "\n";
  };
  list(c.only_in_run, "In the run but not in the baseline (not compared)");
  list(c.only_in_baseline, "In the baseline but not in the run (not compared)");
  list(c.failed, "Failed benchmarks (not compared)");
  if (all_rows && !c.rows.empty()) {
    md += "### Every benchmark\n\n" + std::string(kRowHeader);
    for (const CompareRow& r : c.rows) md += row_markdown(r);
    md += "\n";
  }
  return md;
}

}  // namespace ttbench
