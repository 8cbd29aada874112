// Side-by-side table of the implementations of each case (see table_reporter.h).
#include "common/table_reporter.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "common/naming.h"

namespace tt_bench {

std::string format_duration(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.1f} us", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.3f} ms", seconds * 1e3);
  return fmt::format("{:.3f} s", seconds);
}

void TableReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    const bool is_median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
    if (run.run_type == Run::RT_Aggregate && !is_median) continue;
    BenchName name;
    if (!parse_bench_name(run.run_name.str(), &name)) continue;
    const std::string row = fmt::format("{} threads={}", name.case_key(), name.threads);
    if (!cells_.count(row)) rows_.push_back(row);
    if (std::find(impls_.begin(), impls_.end(), name.impl) == impls_.end()) impls_.push_back(name.impl);
    Cell& cell = cells_[row][name.impl];
    if (cell.median && !is_median) continue;
    cell.error = run.error_occurred;
    cell.median = is_median;
    cell.seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
  }
  ConsoleReporter::ReportRuns(runs);
}

void TableReporter::Finalize() {
  ConsoleReporter::Finalize();
  if (rows_.empty()) return;
  // Reference, then other TinyTorch backends, then LibTorch (the baseline of the ratio columns).
  auto rank = [](const std::string& impl) { return impl == "tinytorch/reference" ? 0 : impl == "libtorch" ? 2 : 1; };
  std::stable_sort(impls_.begin(), impls_.end(),
                   [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
  const bool has_libtorch = std::find(impls_.begin(), impls_.end(), "libtorch") != impls_.end();
  size_t width = 4;
  for (const std::string& row : rows_) width = std::max(width, row.size());

  std::ostream& out = GetOutputStream();
  std::string header = fmt::format("{:<{}}", "case", width);
  for (const std::string& impl : impls_) header += fmt::format(" {:>20}", impl);
  if (has_libtorch)
    for (const std::string& impl : impls_)
      if (impl != "libtorch") header += fmt::format(" {:>14}", impl.substr(impl.find('/') + 1) + "/libtorch");
  out << "\nWall time per call (median over repetitions), and TinyTorch relative to LibTorch:\n" << header << "\n";
  for (const std::string& row : rows_) {
    auto& cells = cells_[row];
    std::string line = fmt::format("{:<{}}", row, width);
    for (const std::string& impl : impls_) {
      const auto it = cells.find(impl);
      const std::string text = it == cells.end()  ? "skipped"
                               : it->second.error ? "error"
                                                  : format_duration(it->second.seconds);
      line += fmt::format(" {:>20}", text);
    }
    if (has_libtorch) {
      const auto base = cells.find("libtorch");
      for (const std::string& impl : impls_) {
        if (impl == "libtorch") continue;
        const auto it = cells.find(impl);
        const bool ok = it != cells.end() && base != cells.end() && !it->second.error && !base->second.error &&
                        base->second.seconds > 0;
        line += fmt::format(" {:>14}", ok ? fmt::format("{:.2f}x", it->second.seconds / base->second.seconds) : "-");
      }
    }
    out << line << "\n";
  }
  out.flush();
}

}  // namespace tt_bench
