// The gate: a run compared with its baseline, reduced to an exit code (0 no regression, 1 at least
// one regression; input errors exit 2 from main) and a short markdown summary for a CI job summary.
#pragma once

#include <string>

#include "baseline.h"
#include "compare.h"

namespace ttbench {

struct GateInputs {
  std::string runs_dir = "runs", baselines_dir = "baselines";
  std::string run = "latest", baseline = "auto";
  CompareOptions options;
};

struct GateOutcome {
  RunResults run;
  Baseline baseline;
  bool same_fingerprint = true;
  Comparison comparison;
  std::string confirmation_run;  // the re-run of confirm_regressions, if one was made
};

// Loads the run and its baseline and compares them; fingerprint differences become warnings.
GateOutcome evaluate_gate(const GateInputs& inputs);

// gate --confirm: a run's regressions are re-measured before they fail the gate. The flagged
// TinyTorch benchmarks and their LibTorch twins run again (a new run, same profile, repetitions and
// planted slowdown, bench binaries from `build_dir`) and are compared with the same baseline; a
// benchmark stays a regression only if the re-run flags it too, otherwise its verdict becomes
// kUnconfirmed. On the shared machine a single benchmark's median sometimes shifts for a minute
// while unrelated load comes and goes; a real slowdown shows up in both runs, a passing state
// rarely twice.
void confirm_regressions(GateOutcome* outcome, const GateInputs& inputs, const std::string& build_dir);

int gate_exit_code(const GateOutcome& outcome);
// Verdict line, run and baseline provenance, then the comparison (regressions and summary only).
std::string gate_summary_markdown(const GateOutcome& outcome);

}  // namespace ttbench
