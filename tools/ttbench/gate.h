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
};

// Loads the run and its baseline and compares them; fingerprint differences become warnings.
GateOutcome evaluate_gate(const GateInputs& inputs);

int gate_exit_code(const GateOutcome& outcome);
// Verdict line, run and baseline provenance, then the comparison (regressions and summary only).
std::string gate_summary_markdown(const GateOutcome& outcome);

}  // namespace ttbench
