// ttbench: TinyTorch's benchmark regression harness (tools/ttbench/README.md).
//
//   ttbench run --profile quick --repetitions 10       run the suites, store runs/<id>/
//   ttbench baseline update --run latest               store a run as this machine's baseline
//   ttbench compare --baseline auto --run latest       per-benchmark change, CI, U test, ratio change
//   ttbench gate [--summary-out FILE]                  compare + exit 0 ok / 1 regression / 2 input error
//   ttbench callgrind [--cases REGEX]                  instruction-count gate under valgrind
//   ttbench report --run latest [--baseline auto]      markdown + self-contained HTML report with plots
//   ttbench history                                    stored runs, trends and change points
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "baseline.h"
#include "callgrind.h"
#include "gate.h"
#include "history.h"
#include "report.h"
#include "runner.h"

namespace {
using namespace ttbench;

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

void add_store_options(CLI::App* app, std::string* runs_dir, std::string* baselines_dir) {
  app->add_option("--runs-dir", *runs_dir, "where runs are stored")->capture_default_str();
  if (baselines_dir)
    app->add_option("--baselines-dir", *baselines_dir, "where baselines are stored")->capture_default_str();
}

void add_compare_options(CLI::App* app, CompareOptions* options) {
  app->add_option("--alpha", options->alpha, "significance level of the U test")->capture_default_str();
  app->add_option("--threshold", options->threshold, "smallest relative slowdown flagged (0.05 = 5%)")
      ->capture_default_str();
  app->add_option("--basis", options->basis, "what is gated: auto, both (time and ratio), time or ratio")
      ->check(CLI::IsMember({"auto", "both", "time", "ratio"}))
      ->capture_default_str();
}

void append_file(const std::string& path, const std::string& text) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::app);
  if (!out) throw InputError(fmt::format("cannot write the summary to {}", path));
  out << text;
}
}  // namespace

int main(int argc, char** argv) {
  std::string command_line = "ttbench";
  for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];

  CLI::App app{"ttbench: TinyTorch benchmark runs, baselines, statistical comparison, CI gate and reports"};
  app.require_subcommand(1);

  RunOptions run_options;
  std::string suites = "ops,train";
  CLI::App* run = app.add_subcommand("run", "run the suites and store the results under runs/<id>/");
  run->add_option("--profile", run_options.profile, "quick or full")->capture_default_str();
  run->add_option("--repetitions", run_options.repetitions, "repetitions of every benchmark")->capture_default_str();
  run->add_option("--suites", suites, "comma-separated: ops, train")->capture_default_str();
  run->add_option("--threads", run_options.threads, "thread counts, e.g. 1,2")->capture_default_str();
  run->add_option("--build-dir", run_options.build_dir, "build folder with suites/bench_*")->capture_default_str();
  run->add_option("--filter", run_options.filter, "Google Benchmark --benchmark_filter regex");
  run->add_option("--min-time", run_options.min_time, "seconds per repetition (default: the profile's)");
  run->add_option("--planted", run_options.planted, "planted slowdown, e.g. ops/matmul/fwd:10 (gate tests)");
  run->add_flag("--quiet", run_options.quiet, "do not echo the suites' output");
  add_store_options(run, &run_options.runs_dir, nullptr);

  std::string runs_dir = "runs", baselines_dir = "baselines", run_id = "latest", baseline = "auto";
  CLI::App* baseline_cmd = app.add_subcommand("baseline", "manage baselines");
  baseline_cmd->require_subcommand(1);
  CLI::App* update = baseline_cmd->add_subcommand("update", "store a run as the baseline of its machine and profile");
  std::vector<std::string> baseline_runs{"latest"};
  update
      ->add_option("--run", baseline_runs,
                   "run id or latest; repeat it (--run A --run B --run C) to merge runs taken at different times, "
                   "which lets compare see how far medians move between runs")
      ->capture_default_str();
  add_store_options(update, &runs_dir, &baselines_dir);

  CompareOptions compare_options;
  std::string summary_out;
  bool regressions_only = false;
  CLI::App* compare = app.add_subcommand("compare", "compare a run with a baseline");
  CLI::App* gate = app.add_subcommand("gate", "compare and exit 0 (ok), 1 (regression) or 2 (input error)");
  for (CLI::App* sub : {compare, gate}) {
    sub->add_option("--baseline", baseline, "baseline file or auto")->capture_default_str();
    sub->add_option("--run", run_id, "run id or latest")->capture_default_str();
    add_compare_options(sub, &compare_options);
    add_store_options(sub, &runs_dir, &baselines_dir);
  }
  compare->add_flag("--regressions-only", regressions_only, "omit the table of every benchmark");
  gate->add_option("--summary-out", summary_out, "append the markdown summary here (e.g. $GITHUB_STEP_SUMMARY)");
  bool confirm = false;
  std::string confirm_build_dir = "build";
  gate->add_flag("--confirm", confirm, "re-run flagged benchmarks; only regressions seen again fail the gate");
  gate->add_option("--build-dir", confirm_build_dir, "build folder with the suites, for --confirm")
      ->capture_default_str();

  CallgrindOptions cg;
  CLI::App* callgrind = app.add_subcommand("callgrind", "instruction-count gate under valgrind's callgrind");
  callgrind->add_option("--cases", cg.cases, "benchmark filter regex")->default_str(kDefaultCallgrindCases);
  callgrind->add_option("--suite", cg.suite, "ops or train")->capture_default_str();
  callgrind->add_option("--profile", cg.profile, "quick or full")->capture_default_str();
  callgrind->add_option("--repetitions", cg.repetitions, "one iteration each")->capture_default_str();
  callgrind->add_option("--threshold", cg.threshold, "relative instruction-count increase flagged")
      ->capture_default_str();
  callgrind->add_option("--baseline", cg.baseline, "baseline file or auto")->capture_default_str();
  callgrind->add_flag("--update-baseline", cg.update_baseline, "store the counts as this machine's baseline");
  callgrind->add_option("--build-dir", cg.build_dir, "build folder with suites/bench_*")->capture_default_str();
  callgrind->add_option("--planted", cg.planted, "planted slowdown, e.g. ops/matmul/fwd:5");
  callgrind->add_option("--summary-out", cg.summary_out, "append the markdown summary here");
  add_store_options(callgrind, &cg.runs_dir, &cg.baselines_dir);

  ReportOptions report_options;
  CLI::App* report = app.add_subcommand("report", "markdown and self-contained HTML report with plots");
  report->add_option("--run", report_options.run, "run id or latest")->capture_default_str();
  report->add_option("--baseline", report_options.baseline, "baseline file or auto (default: no comparison)");
  report->add_option("--out", report_options.out_dir, "output folder (default reports/<run id>)");
  report->add_option("--python", report_options.python, "Python interpreter with matplotlib");
  report->add_option("--plots-script", report_options.plots_script, "plots.py")->capture_default_str();
  add_compare_options(report, &report_options.compare);
  add_store_options(report, &report_options.runs_dir, &report_options.baselines_dir);

  HistoryOptions history_options;
  bool all_trends = false;
  CLI::App* history = app.add_subcommand("history", "stored runs, per-case trends and change points");
  history->add_option("--profile", history_options.profile, "runs of this profile (default: the latest run's)");
  history->add_option("--fingerprint", history_options.fingerprint, "runs of this machine slug (default: latest's)");
  history->add_option("--last", history_options.last, "most recent runs considered")->capture_default_str();
  history->add_option("--min-step", history_options.min_step, "smallest level change (relative) that counts")
      ->capture_default_str();
  history->add_option("--threshold", history_options.threshold, "total rise flagged as drift")->capture_default_str();
  history->add_flag("--all", all_trends, "list every benchmark, not only those with change points");
  add_store_options(history, &history_options.runs_dir, nullptr);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  try {
    if (run->parsed()) {
      run_options.suites = split_commas(suites);
      run_options.command_line = command_line;
      run_suites(run_options);
      return 0;
    }
    if (update->parsed()) {
      const RunStore store(runs_dir);
      std::vector<RunResults> runs;
      std::vector<std::string> ids;
      for (const std::string& id : baseline_runs) {
        runs.push_back(store.load(store.resolve(id)));
        ids.push_back(runs.back().id);
      }
      const std::string path = update_baseline(runs, baselines_dir, command_line);
      std::cout << fmt::format("ttbench: baseline {} written from run(s) {}\n", path, fmt::join(ids, ", "));
      return 0;
    }
    if (compare->parsed() || gate->parsed()) {
      const GateInputs inputs{runs_dir, baselines_dir, run_id, baseline, compare_options};
      GateOutcome outcome = evaluate_gate(inputs);
      if (gate->parsed() && confirm) confirm_regressions(&outcome, inputs, confirm_build_dir);
      for (const std::string& w : outcome.comparison.warnings) std::cerr << "ttbench: warning: " << w << "\n";
      if (compare->parsed()) {
        std::cout << comparison_markdown(outcome.comparison, !regressions_only);
        return 0;
      }
      const std::string md = gate_summary_markdown(outcome);
      std::cout << md;
      append_file(summary_out, md);
      return gate_exit_code(outcome);
    }
    if (callgrind->parsed()) {
      cg.command_line = command_line;
      return run_callgrind(cg);
    }
    if (report->parsed()) {
      const ReportResult result = write_report(report_options);
      std::cout << fmt::format("ttbench: report written: {} and {}{}\n", result.markdown_path, result.html_path,
                               result.plots ? "" : " (without plots)");
      return 0;
    }
    if (history->parsed()) {
      std::cout << history_markdown(load_history(history_options), all_trends);
      return 0;
    }
  } catch (const InputError& e) {
    std::cerr << "ttbench: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ttbench: error: " << e.what() << "\n";
    return 2;
  }
  return 2;
}
