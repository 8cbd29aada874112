// Run history and change points (see history.h).
#include "history.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "compare.h"

namespace ttbench {

History load_history(const HistoryOptions& options) {
  const RunStore store(options.runs_dir);
  History history;
  std::vector<RunResults> runs;
  for (const std::string& id : store.ids()) {
    if (store.is_confirmation(id)) continue;  // partial re-runs of gate --confirm
    RunResults run = store.load(id);
    RunSummary s{id,
                 run.meta.value("date", ""),
                 run.meta.value("commit", ""),
                 run.meta.value("profile", ""),
                 run.meta.value("fingerprint_slug", ""),
                 run.meta.value("planted_slowdown", "none"),
                 run.all().size()};
    history.runs.push_back(s);
    runs.push_back(std::move(run));
  }
  if (runs.empty()) return history;
  const std::string profile = options.profile.empty() ? history.runs.back().profile : options.profile;
  const std::string slug = options.fingerprint.empty() ? history.runs.back().slug : options.fingerprint;
  std::vector<const RunResults*> selected;
  for (size_t i = 0; i < runs.size(); ++i)
    if (history.runs[i].profile == profile && history.runs[i].slug == slug) selected.push_back(&runs[i]);
  if (selected.size() > options.last) selected.erase(selected.begin(), selected.end() - options.last);
  for (const RunResults* run : selected) history.selected.push_back(run->id);

  std::map<std::string, size_t> index;
  for (const RunResults* run : selected)
    for (const Benchmark* b : run->all()) {
      if (b->times_ns.empty()) continue;
      auto [it, inserted] = index.emplace(b->name, history.trends.size());
      if (inserted) history.trends.push_back(Trend{b->name, {}, {}, {}, 0, false});
      Trend& t = history.trends[it->second];
      t.run_ids.push_back(run->id);
      t.medians_ns.push_back(stats::median(b->times_ns));
    }
  for (Trend& t : history.trends) {
    std::vector<double> series;
    for (double m : t.medians_ns) series.push_back(std::log(m));
    t.segments = stats::change_points(series, std::log1p(options.min_step));
    t.total_change = std::exp(t.segments.back().mean - t.segments.front().mean) - 1;
    t.flagged = t.segments.size() > 1 && t.total_change > options.threshold;
  }
  return history;
}

std::string history_markdown(const History& history, bool all_trends) {
  if (history.runs.empty()) return "No stored runs; create one with: ttbench run --profile quick\n";
  std::string md =
      "## Stored runs\n\n| run | date | commit | profile | machine | benchmarks | planted slowdown |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const RunSummary& r : history.runs)
    md += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", r.id, r.date, r.commit, r.profile, r.slug,
                      r.benchmarks, r.planted);
  md += fmt::format("\n## Trends over {} run(s) of the latest run's profile and machine\n\n", history.selected.size());
  if (history.selected.size() < 3) md += "Fewer than 3 runs: change points need a longer history.\n\n";
  std::string rows;
  size_t steps = 0;
  for (const Trend& t : history.trends) {
    if (t.segments.size() > 1) ++steps;
    if (!all_trends && t.segments.size() < 2) continue;
    std::string changes;
    for (size_t i = 1; i < t.segments.size(); ++i)
      changes += fmt::format("{}at `{}`: {}", i > 1 ? "; " : "", t.run_ids[t.segments[i].begin],
                             format_change(std::exp(t.segments[i].mean - t.segments[i - 1].mean) - 1));
    rows += fmt::format("| `{}` | {} | {} | {} | {} |\n", t.name, t.run_ids.size(), format_change(t.total_change),
                        changes.empty() ? "none" : changes, t.flagged ? "DRIFT/STEP UP" : "ok");
  }
  md += fmt::format("{} of {} benchmarks have change points.\n\n", steps, history.trends.size());
  if (!rows.empty())
    md += "| benchmark | runs | first to last level | change points | verdict |\n|---|---|---|---|---|\n" + rows;
  return md;
}

}  // namespace ttbench
