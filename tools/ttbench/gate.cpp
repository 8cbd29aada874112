// The gate (see gate.h).
#include "gate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ttbench {

GateOutcome evaluate_gate(const GateInputs& inputs) {
  const RunStore store(inputs.runs_dir);
  GateOutcome out;
  out.run = store.load(store.resolve(inputs.run));
  out.baseline = resolve_baseline(inputs.baseline, out.run, inputs.baselines_dir);
  const std::vector<std::string> differences = out.baseline.fingerprint.differences(fingerprint_of(out.run));
  out.same_fingerprint = differences.empty();
  out.comparison = compare_results(out.baseline.results, out.run, inputs.options, out.same_fingerprint);
  if (!out.same_fingerprint)
    out.comparison.warnings.insert(
        out.comparison.warnings.begin(),
        fmt::format("baseline {} comes from another machine fingerprint ({}); only the ratio-normalised change "
                    "(TinyTorch time / LibTorch time) is compared. Create this machine's baseline with: ttbench "
                    "baseline update --run {}",
                    out.baseline.path, fmt::join(differences, "; "), out.run.id));
  const std::string run_planted = out.run.context("planted_slowdown");
  if (!run_planted.empty() && run_planted != "none")
    out.comparison.warnings.push_back(fmt::format("the run has a planted slowdown: {}", run_planted));
  return out;
}

int gate_exit_code(const GateOutcome& outcome) { return outcome.comparison.regressions() > 0 ? 1 : 0; }

std::string gate_summary_markdown(const GateOutcome& outcome) {
  const Comparison& c = outcome.comparison;
  std::string md = fmt::format("## TinyTorch benchmark gate: {}\n\n",
                               c.regressions() ? fmt::format("FAILED, {} regression(s)", c.regressions()) : "passed");
  const json& p = outcome.baseline.provenance;
  md += fmt::format("- run: `{}` (commit {}, profile {})\n", outcome.run.id, outcome.run.meta.value("commit", "?"),
                    outcome.run.meta.value("profile", "?"));
  md += fmt::format("- baseline: `{}` (run {} at commit {}, {})\n", outcome.baseline.path, p.value("run_id", "?"),
                    p.value("commit", "?"), p.value("run_date", "?"));
  md += fmt::format("- machine: `{}`{}\n\n", fingerprint_of(outcome.run).slug(),
                    outcome.same_fingerprint ? "" : " (differs from the baseline's)");
  return md + comparison_markdown(c, false);
}

}  // namespace ttbench
