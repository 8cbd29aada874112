// The report's sections and plot data (see report.h); rendering is in report_render.cpp.
#include "report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "baseline.h"
#include "gate.h"
#include "runner.h"
#include "stats.h"

namespace fs = std::filesystem;

namespace ttbench {
namespace {

const std::string kOptimized = "tinytorch/optimized", kReference = "tinytorch/reference", kLibTorch = "libtorch";

std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "n/a"; }

// Benchmarks of a run grouped by case and thread count, then implementation.
using CaseKey = std::pair<std::string, int>;
std::map<CaseKey, std::map<std::string, const Benchmark*>> by_case(const RunResults& run) {
  std::map<CaseKey, std::map<std::string, const Benchmark*>> cases;
  for (const Benchmark* b : run.all())
    if (b->error.empty() && !b->times_ns.empty()) cases[{b->parts.case_key(), b->parts.threads}][b->parts.impl] = b;
  return cases;
}

double median_of(const Benchmark* b) { return stats::median(b->times_ns); }
double counter(const Benchmark* b, const std::string& name) {
  auto it = b->counters.find(name);
  return it == b->counters.end() ? std::nan("") : it->second;
}

// A grouped bar plot over cases: one series per thread count of numerator / denominator medians.
Section ratio_section(const RunResults& run, json* plots, const std::string& id, const std::string& title,
                      const std::string& numerator, const std::string& denominator, const std::string& text) {
  const auto cases = by_case(run);
  Section s{title, text, "", {}};
  Table table{"", {"case", "threads", numerator + " median", denominator + " median", "ratio"}, {}};
  std::vector<std::string> labels;
  std::map<int, std::map<std::string, double>> ratios;
  for (const auto& [key, impls] : cases) {
    auto a = impls.find(numerator), b = impls.find(denominator);
    if (a == impls.end() || b == impls.end()) continue;
    const double ratio = median_of(a->second) / median_of(b->second);
    ratios[key.second][key.first] = ratio;
    if (std::find(labels.begin(), labels.end(), key.first) == labels.end()) labels.push_back(key.first);
    table.rows.push_back({key.first, std::to_string(key.second), num(median_of(a->second) / 1e3) + " us",
                          num(median_of(b->second) / 1e3) + " us", num(ratio)});
  }
  s.tables.push_back(table);
  if (labels.empty()) return s;
  json series = json::array();
  for (const auto& [threads, values] : ratios) {
    json v = json::array();
    for (const std::string& label : labels) v.push_back(values.count(label) ? json(values.at(label)) : json(nullptr));
    series.push_back({{"label", fmt::format("{} thread(s)", threads)}, {"values", v}});
  }
  plots->push_back({{"id", id},
                    {"kind", "barh"},
                    {"title", title},
                    {"labels", labels},
                    {"series", series},
                    {"log", true},
                    {"reference", 1.0},
                    {"xlabel", numerator + " time / " + denominator + " time"}});
  s.plot_id = id;
  return s;
}

Section roofline_section(const RunResults& run, json* plots) {
  Section s{"Achieved GFLOP/s against the machine's peak (roofline)", "", "", {}};
  Table table{"", {"benchmark", "GFLOP/s", "FLOP per byte", "peak GFLOP/s at its threads", "% of peak"}, {}};
  std::map<std::string, std::pair<json, json>> points;  // series label -> x, y
  const double peak = run.fma_peak_flops.value_or(std::nan(""));
  for (const Benchmark* b : run.all()) {
    const double flops = counter(b, "FLOP/s"), bytes = counter(b, "bytes_per_second");
    if (b->parts.impl == kReference || !(flops > 0) || !(bytes > 0)) continue;
    const double peak_here = peak * b->parts.threads;
    auto& [x, y] = points[fmt::format("{}, {} thread(s)", b->parts.impl, b->parts.threads)];
    x.push_back(flops / bytes);
    y.push_back(flops / 1e9);
    table.rows.push_back({b->name, num(flops / 1e9), num(flops / bytes), num(peak_here / 1e9),
                          std::isfinite(peak_here) ? num(100 * flops / peak_here) : "n/a"});
  }
  s.text = run.fma_peak_flops
               ? fmt::format(
                     "Ceilings: the FMA peak measured by bench_fma_peak in this run, {} GFLOP/s per thread, "
                     "times the thread count. Arithmetic intensity is the suites' analytic FLOPs over their "
                     "lower-bound byte counts; no memory-bandwidth roof is measured.",
                     num(*run.fma_peak_flops / 1e9))
               : "This run has no FMA peak (bench_fma_peak was not built or failed): points only, no ceiling.";
  s.tables.push_back(table);
  if (points.empty()) return s;
  json series = json::array(), ceilings = json::array();
  for (auto& [label, xy] : points) series.push_back({{"label", label}, {"x", xy.first}, {"y", xy.second}});
  if (run.fma_peak_flops)
    for (int threads : {1, 2})
      ceilings.push_back({{"label", fmt::format("FMA peak, {} thread(s)", threads)}, {"value", peak * threads / 1e9}});
  plots->push_back({{"id", "roofline"},
                    {"kind", "roofline"},
                    {"title", s.title},
                    {"series", series},
                    {"ceilings", ceilings},
                    {"xlabel", "FLOP per byte (analytic)"},
                    {"ylabel", "GFLOP/s"}});
  s.plot_id = "roofline";
  return s;
}

Section memory_section(const RunResults& run, json* plots) {
  Section s{"Peak memory per case (1 thread)",
            "Bytes allocated above the level at the start of the untimed warm-up step (suites/README.md explains how "
            "each framework's peak is measured), and allocations per step (Google Benchmark's allocs_per_iter).",
            "",
            {}};
  Table table{"", {"case", "implementation", "peak memory (MiB)", "allocations per step"}, {}};
  const auto cases = by_case(run);
  std::vector<std::string> labels;
  std::map<std::string, std::map<std::string, double>> values;  // impl -> case -> MiB
  for (const auto& [key, impls] : cases) {
    if (key.second != 1) continue;
    for (const auto& [impl, b] : impls) {
      const double bytes = counter(b, "peak_memory_bytes");
      if (!std::isfinite(bytes)) continue;
      values[impl][key.first] = bytes / (1 << 20);
      if (std::find(labels.begin(), labels.end(), key.first) == labels.end()) labels.push_back(key.first);
      table.rows.push_back({key.first, impl, num(bytes / (1 << 20)), num(counter(b, "allocs_per_iter"))});
    }
  }
  s.tables.push_back(table);
  if (labels.empty()) return s;
  json series = json::array();
  for (const auto& [impl, by_label] : values) {
    json v = json::array();
    for (const std::string& label : labels) v.push_back(by_label.count(label) ? by_label.at(label) : 0.0);
    series.push_back({{"label", impl}, {"values", v}});
  }
  plots->push_back({{"id", "memory"},
                    {"kind", "barh"},
                    {"title", s.title},
                    {"labels", labels},
                    {"series", series},
                    {"log", false},
                    {"xlabel", "MiB"}});
  s.plot_id = "memory";
  return s;
}

Section trend_section(const History& history, json* plots) {
  Section s{"Trend over the stored runs", "", "", {}};
  Table table{"", {"benchmark", "run", "median", "relative to first run"}, {}};
  std::vector<const Trend*> trends;
  for (const Trend& t : history.trends)
    if (t.run_ids.size() >= 2 && t.name.find("/" + kOptimized + "/") != std::string::npos &&
        t.name.find("threads=1") != std::string::npos)
      trends.push_back(&t);
  std::sort(trends.begin(), trends.end(),
            [](const Trend* a, const Trend* b) { return std::abs(a->total_change) > std::abs(b->total_change); });
  if (trends.size() > 10) trends.resize(10);
  s.text = fmt::format(
      "{} run(s) of this profile and machine. The {} TinyTorch optimized 1-thread cases whose level moved most; each "
      "median is divided by the case's first one. `ttbench history` lists change points for every case.",
      history.selected.size(), trends.size());
  json series = json::array();
  for (const Trend* t : trends) {
    json x = json::array(), y = json::array();
    for (size_t i = 0; i < t->run_ids.size(); ++i) {
      const auto pos = std::find(history.selected.begin(), history.selected.end(), t->run_ids[i]);
      x.push_back(pos - history.selected.begin());
      y.push_back(t->medians_ns[i] / t->medians_ns.front());
      table.rows.push_back({t->name, t->run_ids[i], num(t->medians_ns[i] / 1e3) + " us", num(y.back())});
    }
    series.push_back({{"label", t->name.substr(0, 60)}, {"x", x}, {"y", y}});
  }
  s.tables.push_back(table);
  if (trends.empty()) {
    s.text += " Not enough runs for a trend yet (each case needs at least 2).";
    return s;
  }
  plots->push_back({{"id", "trend"},
                    {"kind", "lines"},
                    {"title", s.title},
                    {"series", series},
                    {"reference", 1.0},
                    {"xticklabels", history.selected},
                    {"ylabel", "median / first median"},
                    {"xlabel", "run"}});
  s.plot_id = "trend";
  return s;
}

// "<impl>=<loss> <loss> ...;<impl>=..." as bench_train writes it into its context.
std::map<std::string, std::vector<double>> parse_loss_curves(const std::string& text) {
  std::map<std::string, std::vector<double>> curves;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(';', start), text.size());
    const std::string entry = text.substr(start, end - start);
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) {
      std::istringstream values(entry.substr(eq + 1));
      std::vector<double>& curve = curves[entry.substr(0, eq)];
      for (double v; values >> v;) curve.push_back(v);
    }
    start = end + 1;
  }
  return curves;
}

Section loss_curve_section(const RunResults& run, json* plots) {
  const std::string prefix = "loss_curve ";
  Section s{"Training loss curves", "", "", {}};
  Table table{"", {"case", "implementation", "steps", "first loss", "last loss", "max abs difference to libtorch"}, {}};
  json series = json::array();
  for (const auto& [suite, results] : run.suites)
    for (const auto& [key, value] : results.context) {
      if (key.rfind(prefix, 0) != 0) continue;
      const std::string case_key = key.substr(prefix.size());
      const std::string model = case_key.substr(0, case_key.find("/epoch"));
      const auto curves = parse_loss_curves(value);
      const auto expected = curves.find(kLibTorch);
      for (const auto& [impl, curve] : curves) {
        if (curve.empty()) continue;
        std::string difference = "n/a";
        if (expected != curves.end() && expected->second.size() == curve.size()) {
          double worst = 0;
          for (size_t i = 0; i < curve.size(); ++i) worst = std::max(worst, std::abs(curve[i] - expected->second[i]));
          difference = fmt::format("{:.2g}", worst);
        }
        table.rows.push_back(
            {case_key, impl, std::to_string(curve.size()), num(curve.front()), num(curve.back()), difference});
        json x = json::array();
        for (size_t i = 0; i < curve.size(); ++i) x.push_back(i + 1);
        json line = {{"label", model + ": " + impl}, {"x", x}, {"y", curve}};
        // Drawn first (the map is sorted), wide and pale, so the TinyTorch curves on top stay visible.
        if (impl == kLibTorch) line.update({{"width", 6}, {"alpha", 0.35}, {"marker", ""}});
        series.push_back(line);
      }
    }
  s.tables.push_back(table);
  if (series.empty()) {
    s.text = "This run recorded no loss curves (bench_train's epoch cases were not run).";
    return s;
  }
  s.text =
      "Training loss per step over one epoch of bench_train's epoch cases, as their correctness check ran them "
      "before timing (1 thread): every implementation starts from the same weights and sees the same batches, so "
      "the curves should lie on top of each other; the table gives the largest per-step difference to LibTorch.";
  plots->push_back({{"id", "loss"},
                    {"kind", "lines"},
                    {"title", "Training loss per step (same weights and batches in every implementation)"},
                    {"series", series},
                    {"ylabel", "cross-entropy loss"},
                    {"xlabel", "step"}});
  s.plot_id = "loss";
  return s;
}

Section training_section(const RunResults& run, json* plots) {
  Section s{"Training step time per repetition", "", "", {}};
  Table table{"", {"benchmark", "repetition", "time per step"}, {}};
  json series = json::array();
  s.text =
      "The time of each training benchmark at 1 thread, repetition by repetition (the order Google Benchmark ran "
      "them): it shows warm-up effects and drift within the run.";
  for (const Benchmark* b : run.all()) {
    if (b->parts.suite != "train" || b->parts.threads != 1 || b->parts.impl == kReference) continue;
    json x = json::array(), y = json::array();
    for (size_t i = 0; i < b->times_ns.size(); ++i) {
      x.push_back(i);
      y.push_back(b->times_ns[i] / 1e6);
      table.rows.push_back({b->name, std::to_string(i), num(b->times_ns[i] / 1e6) + " ms"});
    }
    series.push_back({{"label", b->name.substr(0, 70)}, {"x", x}, {"y", y}});
  }
  s.tables.push_back(table);
  if (series.empty()) {
    s.text += " This run has no training benchmarks at 1 thread.";
    return s;
  }
  plots->push_back({{"id", "training"},
                    {"kind", "lines"},
                    {"title", "Training step time per repetition (1 thread)"},
                    {"series", series},
                    {"log", true},
                    {"ylabel", "ms per step"},
                    {"xlabel", "repetition"}});
  s.plot_id = "training";
  return s;
}

Section comparison_section(const GateOutcome& outcome) {
  const Comparison& c = outcome.comparison;
  Section s{"Comparison with the baseline", "", "", {}};
  for (const std::string& w : c.warnings) s.text += "Warning: " + w + "\n";
  s.text += fmt::format(
      "Baseline `{}` (run {}, commit {}). {} benchmarks compared, {} regression(s), {} "
      "improvement(s); basis {}, regression = p < {} and change > {}{}.",
      outcome.baseline.path, outcome.baseline.provenance.value("run_id", "?"),
      outcome.baseline.provenance.value("commit", "?"), c.rows.size(), c.regressions(), c.improvements(), c.basis,
      c.options.alpha, format_change(c.options.threshold),
      c.baseline_runs >= 2 ? fmt::format(", also beyond the slowest of the baseline's {} runs", c.baseline_runs) : "");
  Table summary{"Geometric mean per suite and implementation",
                {"suite", "implementation", "benchmarks", "geomean time change", "geomean ratio change"},
                {}};
  for (const SummaryRow& r : c.summary)
    summary.rows.push_back({r.suite, r.impl, std::to_string(r.count), format_change(r.geomean_change),
                            r.geomean_ratio_change ? format_change(*r.geomean_ratio_change) : "n/a"});
  Table rows{"Every benchmark",
             {"benchmark", "baseline median", "run median", "change", "CI", "p", "beyond baseline runs", "ratio change",
              "ratio p", "ratio beyond baseline runs", "verdict"},
             {}};
  for (const CompareRow& r : c.rows)
    rows.rows.push_back(
        {r.name, num(r.base_median_ns / 1e3) + " us", num(r.run_median_ns / 1e3) + " us", format_change(r.change),
         fmt::format("[{}, {}]{}", format_change(r.ci_low), format_change(r.ci_high), r.ci_bounded ? "" : " (range)"),
         num(r.p_value), r.envelope_change ? format_change(*r.envelope_change) : "n/a",
         r.ratio_change ? format_change(*r.ratio_change) : "n/a", r.ratio_p ? num(*r.ratio_p) : "n/a",
         r.ratio_envelope_change ? format_change(*r.ratio_envelope_change) : "n/a", verdict_name(r.verdict)});
  Table unmatched{"Not compared", {"benchmark", "why"}, {}};
  for (const std::string& n : c.only_in_run) unmatched.rows.push_back({n, "in the run only"});
  for (const std::string& n : c.only_in_baseline) unmatched.rows.push_back({n, "in the baseline only"});
  for (const std::string& n : c.failed) unmatched.rows.push_back({n, "failed"});
  s.tables = {summary, rows, unmatched};
  return s;
}

Section context_section(const RunResults& run) {
  Section s{"Run context", "", "", {}};
  Table meta{"Run", {"key", "value"}, {}};
  for (const auto& [key, value] : run.meta.items())
    meta.rows.push_back({key, value.is_string() ? value.get<std::string>() : value.dump()});
  s.tables.push_back(meta);
  for (const auto& [suite, results] : run.suites) {
    Table t{"Suite " + suite, {"key", "value"}, {}};
    for (const auto& [key, value] : results.context) t.rows.push_back({key, value});
    s.tables.push_back(t);
  }
  return s;
}
}  // namespace

ReportResult write_report(const ReportOptions& options) {
  const RunStore store(options.runs_dir);
  const std::string id = store.resolve(options.run);
  const RunResults run = store.load(id);
  const std::string out_dir = options.out_dir.empty() ? (fs::path("reports") / id).string() : options.out_dir;
  fs::create_directories(out_dir);

  json plots = json::array();
  std::vector<Section> sections;
  if (!options.baseline.empty()) {
    GateInputs inputs{options.runs_dir, options.baselines_dir, id, options.baseline, options.compare};
    sections.push_back(comparison_section(evaluate_gate(inputs)));
  }
  sections.push_back(ratio_section(run, &plots, "ratio", "TinyTorch / LibTorch time ratio per case", kOptimized,
                                   kLibTorch,
                                   "Median time of TinyTorch's optimized backend over LibTorch's, same case and "
                                   "thread count, same run. Below 1: TinyTorch is faster."));
  sections.push_back(ratio_section(run, &plots, "speedup", "Optimized vs reference speed-up", kReference, kOptimized,
                                   "Reference median time over optimized median time (how many times faster the "
                                   "optimized backend is). Cases above the profile's FLOP budget skip the reference "
                                   "backend and are absent."));
  sections.push_back(roofline_section(run, &plots));
  sections.push_back(memory_section(run, &plots));
  HistoryOptions history_options = options.history;
  history_options.runs_dir = options.runs_dir;
  history_options.profile = run.meta.value("profile", "");
  history_options.fingerprint = run.meta.value("fingerprint_slug", "");
  sections.push_back(trend_section(load_history(history_options), &plots));
  sections.push_back(loss_curve_section(run, &plots));
  sections.push_back(training_section(run, &plots));
  sections.push_back(context_section(run));

  ReportResult result;
  const std::string data_path = (fs::path(out_dir) / "plot_data.json").string();
  write_json_file(data_path, {{"run", id}, {"plots", plots}});
  std::string tried;
  const std::string python = find_python(options.python, &tried);
  if (python.empty()) {
    result.note = fmt::format(
        "no plots: no Python interpreter with matplotlib was found (tried {}); install it with `apt-get install "
        "python3-matplotlib` (or bash tools/install-deps.sh), or name one with TTBENCH_PYTHON. The tables have "
        "every number.",
        tried);
  } else {
    const std::string command = fmt::format("{} {} {} {}", shell_quote(python), shell_quote(options.plots_script),
                                            shell_quote(data_path), shell_quote(out_dir));
    const std::string log = (fs::path(out_dir) / "plots.log").string();
    if (run_logged(command, log, true) != 0)
      result.note = fmt::format("plots.py failed (its output is in {}); the report has the tables only", log);
    else
      result.plots = true;
  }
  if (!result.note.empty()) std::cerr << "ttbench report: " << result.note << "\n";
  const std::string title = fmt::format("TinyTorch benchmark report: run {}", id);
  result.markdown_path = (fs::path(out_dir) / "report.md").string();
  result.html_path = (fs::path(out_dir) / "report.html").string();
  std::ofstream(result.markdown_path) << render_markdown(title, sections, result.note);
  std::ofstream(result.html_path) << render_html(title, sections, result.note, out_dir);
  return result;
}

}  // namespace ttbench
