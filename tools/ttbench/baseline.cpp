// Storing and finding baselines (see baseline.h).
#include "baseline.h"

#include <fmt/format.h>

#include <filesystem>

#include "stats.h"

namespace fs = std::filesystem;

namespace ttbench {

std::string baseline_path(const std::string& baselines_dir, const std::string& slug, const std::string& profile) {
  return (fs::path(baselines_dir) / slug / (profile + ".json")).string();
}

namespace {
// One RunResults holding every repetition of `runs` and, per benchmark, each run's median.
RunResults merge_runs(const std::vector<RunResults>& runs) {
  RunResults merged = runs.front();
  for (auto& [suite_name, suite] : merged.suites)
    for (Benchmark& b : suite.benchmarks) {
      b.times_ns.clear();
      for (const RunResults& run : runs)
        if (const Benchmark* other = run.find(b.name); other && !other->times_ns.empty()) {
          b.times_ns.insert(b.times_ns.end(), other->times_ns.begin(), other->times_ns.end());
          b.run_medians.push_back(stats::median(other->times_ns));
        }
      if (runs.size() == 1) b.run_medians.clear();
    }
  return merged;
}
}  // namespace

std::string update_baseline(const std::vector<RunResults>& runs, const std::string& baselines_dir,
                            const std::string& command) {
  if (runs.empty()) throw InputError("baseline update: no run given");
  const RunResults& first = runs.front();
  const Fingerprint fingerprint = fingerprint_of(first);
  const std::string profile = first.meta.value("profile", "quick");
  json run_ids = json::array();
  for (const RunResults& run : runs) {
    if (run.meta.value("profile", "quick") != profile || fingerprint_of(run).slug() != fingerprint.slug())
      throw InputError(
          fmt::format("baseline update: run {} ({}, {}) does not match run {} ({}, {}); a baseline "
                      "merges runs of one profile on one machine fingerprint",
                      run.id, run.meta.value("profile", "quick"), fingerprint_of(run).slug(), first.id, profile,
                      fingerprint.slug()));
    run_ids.push_back(run.id);
  }
  const std::string path = baseline_path(baselines_dir, fingerprint.slug(), profile);
  json doc = {{"format", "ttbench-baseline/1"},
              {"profile", profile},
              {"fingerprint_slug", fingerprint.slug()},
              {"fingerprint", fingerprint.to_json()},
              {"provenance",
               {{"run_id", first.id},
                {"run_ids", run_ids},
                {"commit", first.meta.value("commit", "unknown")},
                {"run_date", first.meta.value("date", "unknown")},
                {"run_command", first.meta.value("command", "unknown")},
                {"baseline_date", iso_utc_now()},
                {"baseline_command", command}}},
              {"results", results_to_json(merge_runs(runs))}};
  write_json_file(path, doc);
  return path;
}

Baseline load_baseline(const std::string& path) {
  const json doc = read_json_file(path);
  Baseline b;
  b.path = path;
  try {
    if (doc.value("format", "") != "ttbench-baseline/1")
      throw InputError(fmt::format("{}: not a ttbench baseline (format '{}', expected 'ttbench-baseline/1')", path,
                                   doc.value("format", "")));
    b.profile = doc.at("profile").get<std::string>();
    b.fingerprint = Fingerprint::from_json(doc.at("fingerprint"));
    b.provenance = doc.at("provenance");
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: baseline is missing a field: {}", path, e.what()));
  }
  b.results = results_from_json(doc.at("results"), path);
  b.results.id = "baseline " + b.provenance.value("run_id", "?");
  return b;
}

Baseline resolve_baseline(const std::string& spec, const RunResults& run, const std::string& baselines_dir) {
  if (spec != "auto") return load_baseline(spec);
  const Fingerprint fingerprint = fingerprint_of(run);
  const std::string profile = run.meta.value("profile", "quick");
  const std::string own = baseline_path(baselines_dir, fingerprint.slug(), profile);
  if (fs::exists(own)) return load_baseline(own);
  // Another machine's baseline: usable for ratio-normalised comparison; prefer the closest fingerprint.
  std::string best;
  size_t best_differences = SIZE_MAX;
  if (fs::is_directory(baselines_dir))
    for (const auto& entry : fs::directory_iterator(baselines_dir)) {
      const fs::path candidate = entry.path() / (profile + ".json");
      if (!fs::exists(candidate)) continue;
      const size_t d = load_baseline(candidate.string()).fingerprint.differences(fingerprint).size();
      if (d < best_differences || (d == best_differences && candidate.string() < best)) {
        best = candidate.string();
        best_differences = d;
      }
    }
  if (!best.empty()) return load_baseline(best);
  throw InputError(
      fmt::format("no baseline for profile '{}' in {}/ (this machine's would be {}); create it from a run with:\n"
                  "  ttbench baseline update --run {}",
                  profile, baselines_dir, own, run.id.empty() ? "latest" : run.id));
}

}  // namespace ttbench
