// The gate (see gate.h).
#include "gate.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "runner.h"

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

namespace {
// `text` as a POSIX extended regular expression (Google Benchmark's filter syntax) that matches
// exactly it. ']' and '}' are literal outside brackets, and escaping them is undefined in ERE.
std::string regex_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (std::string(".[{()*+?|^$\\").find(ch) != std::string::npos) out += '\\';
    out += ch;
  }
  return out;
}
}  // namespace

void confirm_regressions(GateOutcome* outcome, const GateInputs& inputs, const std::string& build_dir) {
  std::vector<std::string> patterns;
  std::set<std::string> suites;
  for (const CompareRow& r : outcome->comparison.rows) {
    if (r.verdict != Verdict::kRegression) continue;
    tt_bench::BenchName twin = r.parts;
    twin.impl = "libtorch";
    patterns.push_back(regex_escape(r.name));
    patterns.push_back(regex_escape(twin.str()));
    suites.insert(r.parts.suite);
  }
  if (patterns.empty()) return;
  const json& meta = outcome->run.meta;
  RunOptions rerun;
  rerun.profile = meta.value("profile", "quick");
  rerun.repetitions = meta.value("repetitions", 10);
  rerun.threads = meta.value("threads", std::string("1,2"));
  rerun.suites.assign(suites.begin(), suites.end());
  rerun.build_dir = build_dir;
  rerun.runs_dir = inputs.runs_dir;
  rerun.filter = fmt::format("^({})/real_time$", fmt::join(patterns, "|"));
  const std::string planted = meta.value("planted_slowdown", "none");
  if (planted != "none") rerun.planted = planted;
  rerun.quiet = true;
  rerun.command_line = "ttbench gate --confirm (re-run of " + outcome->run.id + ")";
  rerun.confirmation_of = outcome->run.id;
  std::cerr << fmt::format("ttbench gate: {} regression(s) in run {}; re-running them to confirm\n",
                           outcome->comparison.regressions(), outcome->run.id);
  GateInputs again = inputs;
  again.run = run_suites(rerun);
  const GateOutcome second = evaluate_gate(again);
  std::set<std::string> confirmed;
  for (const CompareRow& r : second.comparison.rows)
    if (r.verdict == Verdict::kRegression) confirmed.insert(r.name);
  for (CompareRow& r : outcome->comparison.rows)
    if (r.verdict == Verdict::kRegression && !confirmed.count(r.name)) r.verdict = Verdict::kUnconfirmed;
  outcome->confirmation_run = again.run;
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
  md += fmt::format("- machine: `{}`{}\n", fingerprint_of(outcome.run).slug(),
                    outcome.same_fingerprint ? "" : " (differs from the baseline's)");
  if (!outcome.confirmation_run.empty()) {
    const auto unconfirmed = std::count_if(c.rows.begin(), c.rows.end(),
                                           [](const CompareRow& r) { return r.verdict == Verdict::kUnconfirmed; });
    md += fmt::format("- confirmation: flagged benchmarks re-run as `{}`: {} confirmed, {} not confirmed\n",
                      outcome.confirmation_run, c.regressions(), unconfirmed);
  }
  md += "\n";
  return md + comparison_markdown(c, false);
}

}  // namespace ttbench
