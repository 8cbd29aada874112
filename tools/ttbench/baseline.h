// Baselines: a run's results stored, with provenance, as the reference for one machine fingerprint
// and profile, in baselines/<fingerprint slug>/<profile>.json (committed to the repository).
#pragma once

#include <string>
#include <vector>

#include "results.h"

namespace ttbench {

struct Baseline {
  std::string path;
  std::string profile;
  Fingerprint fingerprint;
  json provenance;  // run id, commit, date, command
  RunResults results;
};

std::string baseline_path(const std::string& baselines_dir, const std::string& slug, const std::string& profile);

// Writes the baseline of `runs` (their common profile and fingerprint); returns the path written.
// Several runs (taken at different times) are merged: each benchmark keeps every repetition and
// each run's median, so compare can tell how far medians move between runs of unchanged code.
std::string update_baseline(const std::vector<RunResults>& runs, const std::string& baselines_dir,
                            const std::string& command);

Baseline load_baseline(const std::string& path);

// `spec` is a file or "auto": this machine's baseline for the run's profile; when there is none but
// another machine's exists for the profile, that one (the caller warns and compares ratios only);
// when none exists, throws InputError with the command that creates it.
Baseline resolve_baseline(const std::string& spec, const RunResults& run, const std::string& baselines_dir);

}  // namespace ttbench
