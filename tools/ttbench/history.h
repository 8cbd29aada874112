// `ttbench history`: the stored runs and each benchmark's median over them, cut into segments of
// constant level by change-point detection (binary segmentation on log time), so both a single
// jump and a slow drift of small steps show up as level changes between runs.
#pragma once

#include <string>
#include <vector>

#include "results.h"
#include "stats.h"

namespace ttbench {

struct HistoryOptions {
  std::string runs_dir = "runs";
  std::string profile;      // only runs of this profile; "" = the latest run's
  std::string fingerprint;  // only runs of this fingerprint slug; "" = the latest run's
  size_t last = 50;         // at most this many most recent runs
  double min_step = 0.02;   // a level change smaller than this (relative) is not a change point
  double threshold = 0.05;  // a case whose last level is this much above its first is flagged
};

struct RunSummary {
  std::string id, date, commit, profile, slug, planted;
  size_t benchmarks = 0;
};

struct Trend {
  std::string name;
  std::vector<std::string> run_ids;  // the runs that have this benchmark, oldest first
  std::vector<double> medians_ns;
  std::vector<stats::Segment> segments;
  double total_change = 0;  // last segment's level over the first's, minus 1
  bool flagged = false;
};

struct History {
  std::vector<RunSummary> runs;       // every stored run, oldest first
  std::vector<std::string> selected;  // the ids trends are computed over
  std::vector<Trend> trends;
};

History load_history(const HistoryOptions& options);
std::string history_markdown(const History& history, bool all_trends);

}  // namespace ttbench
