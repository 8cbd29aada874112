// compare and gate on synthetic runs: a 10% slowdown of one case is flagged, an A/A comparison is
// not, a slower host alone is not; and bad input gets the promised messages (missing baseline with
// the command to create it, another machine's baseline, malformed JSON with file and position,
// benchmarks only in one side listed). The ttbench binary is run for the exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "baseline.h"
#include "gate.h"
#include "synthetic.h"

namespace {
using namespace ttbench;
using ::testing::HasSubstr;
using ttbench_test::SyntheticRun;
using ttbench_test::temp_dir;
using ttbench_test::write_synthetic_run;
namespace fs = std::filesystem;

struct Store {
  fs::path root, runs, baselines;
  explicit Store(const std::string& name) : root(temp_dir(name)), runs(root / "runs"), baselines(root / "baselines") {}

  void baseline_from(const SyntheticRun& r) { baseline_from(std::vector<SyntheticRun>{r}); }
  void baseline_from(const std::vector<SyntheticRun>& rs) {
    const RunStore store(runs.string());
    std::vector<RunResults> loaded;
    for (const SyntheticRun& r : rs) {
      write_synthetic_run(runs, r);
      loaded.push_back(store.load(r.id));
    }
    update_baseline(loaded, baselines.string(), "test");
  }
  GateOutcome gate(const SyntheticRun& r, const std::string& baseline = "auto") {
    write_synthetic_run(runs, r);
    return evaluate_gate({runs.string(), baselines.string(), r.id, baseline, CompareOptions{}});
  }
  // Runs the ttbench binary; returns its exit code, output in *out.
  int cli(const std::string& args, std::string* out) {
    const fs::path log = root / "cli.log";
    const std::string command = std::string(TTBENCH_BINARY) + " " + args + " --runs-dir " + runs.string() +
                                " --baselines-dir " + baselines.string() + " > " + log.string() + " 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(log);
    out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

SyntheticRun run_with(const std::string& id, unsigned seed) {
  SyntheticRun r;
  r.id = id;
  r.seed = seed;
  return r;
}

std::vector<std::string> regressions(const Comparison& c) {
  std::vector<std::string> names;
  for (const CompareRow& r : c.rows)
    if (r.verdict == Verdict::kRegression) names.push_back(r.name);
  return names;
}

// Between runs a single benchmark's median can shift by more than its repetitions' spread (the
// machine's state changes). A baseline merged from runs that saw such a shift does not flag it in a
// later run, while a slowdown beyond the slowest baseline run by more than the threshold is flagged.
TEST(Gate, BaselineOfSeveralRunsAbsorbsBetweenRunShifts) {
  Store s("envelope");
  SyntheticRun shifted = run_with("20250101T010000Z-base2", 2);
  shifted.slowdown["ops/relu/fwd/tinytorch/optimized"] = 0.12;
  s.baseline_from({run_with("20250101T000000Z-base1", 1), shifted, run_with("20250101T020000Z-base3", 3)});
  const Baseline merged = load_baseline(
      baseline_path(s.baselines.string(), fingerprint_of(RunStore(s.runs.string()).load(shifted.id)).slug(), "quick"));
  EXPECT_EQ(merged.provenance.at("run_ids").size(), 3u);
  EXPECT_EQ(merged.results.find("ops/relu/fwd/tinytorch/optimized/n=64/threads=1")->run_medians.size(), 3u);

  SyntheticRun again = run_with("20250102T000000Z-again", 4);
  again.slowdown["ops/relu/fwd/tinytorch/optimized"] = 0.12;
  EXPECT_TRUE(regressions(s.gate(again).comparison).empty());
  // The same shift against a baseline of one unshifted run is flagged: the envelope is what helps.
  Store single("envelope-single");
  single.baseline_from(run_with("20250101T000000Z-base1", 1));
  EXPECT_EQ(regressions(single.gate(again).comparison).size(), 2u);

  SyntheticRun slower = run_with("20250103T000000Z-slower", 5);
  slower.slowdown["ops/relu/fwd/tinytorch/optimized"] = 0.30;
  const Comparison c = s.gate(slower).comparison;
  ASSERT_EQ(regressions(c).size(), 2u);
  const CompareRow& row = *std::find_if(c.rows.begin(), c.rows.end(), [](const CompareRow& r) {
    return r.name == "ops/relu/fwd/tinytorch/optimized/n=64/threads=1";
  });
  EXPECT_NEAR(*row.envelope_change, 1.30 / 1.12 - 1, 0.03);
  EXPECT_THAT(comparison_markdown(c, false), HasSubstr("also beyond the slowest of the baseline's 3 runs"));
}

TEST(Gate, TenPercentSlowdownOfOneCaseIsFlagged) {
  Store s("slowdown");
  s.baseline_from(run_with("20250101T000000Z-base", 1));
  SyntheticRun slow = run_with("20250102T000000Z-slow", 2);
  slow.slowdown["ops/matmul/fwd/tinytorch/optimized"] = 0.10;
  const GateOutcome outcome = s.gate(slow);
  EXPECT_EQ(outcome.comparison.basis, "both");
  const auto flagged = regressions(outcome.comparison);
  ASSERT_EQ(flagged.size(), 2u);  // both thread counts, nothing else
  for (const std::string& name : flagged) EXPECT_THAT(name, HasSubstr("ops/matmul/fwd/tinytorch/optimized"));
  EXPECT_EQ(gate_exit_code(outcome), 1);
  const CompareRow& row = *std::find_if(outcome.comparison.rows.begin(), outcome.comparison.rows.end(),
                                        [&](const CompareRow& r) { return r.name == flagged[0]; });
  EXPECT_NEAR(row.change, 0.10, 0.02);
  EXPECT_NEAR(*row.ratio_change, 0.10, 0.02);
  EXPECT_LT(row.ci_low, 0.10);
  EXPECT_GT(row.ci_high, 0.10);
  EXPECT_LT(row.p_value, 1e-3);
  EXPECT_THAT(gate_summary_markdown(outcome), HasSubstr("FAILED, 2 regression(s)"));

  std::string out;
  EXPECT_EQ(s.cli("gate --run 20250102T000000Z-slow", &out), 1) << out;
  EXPECT_THAT(out, HasSubstr("REGRESSION"));
}

TEST(Gate, AAComparisonsAreNotFlagged) {
  Store s("aa");
  s.baseline_from(run_with("20250101T000000Z-base", 1));
  for (unsigned seed = 2; seed < 12; ++seed) {
    const GateOutcome outcome = s.gate(run_with("20250102T0000" + std::to_string(10 + seed) + "Z-aa", seed));
    EXPECT_EQ(outcome.comparison.regressions(), 0u) << "seed " << seed;
    EXPECT_EQ(outcome.comparison.rows.size(), 24u);
  }
  std::string out, summary = (s.root / "summary.md").string();
  EXPECT_EQ(s.cli("gate --summary-out " + summary, &out), 0) << out;
  std::ifstream in(summary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("benchmark gate: passed"));
  EXPECT_THAT(text, HasSubstr("Geometric mean per suite and implementation"));
}

TEST(Gate, SlowerHostAloneIsNotARegression) {
  Store s("host");
  s.baseline_from(run_with("20250101T000000Z-base", 1));
  SyntheticRun loaded = run_with("20250102T000000Z-host", 3);
  loaded.host_speed = 1.2;  // everything, LibTorch included, 20% slower
  const GateOutcome outcome = s.gate(loaded);
  EXPECT_EQ(outcome.comparison.regressions(), 0u);
  // The time change alone would have flagged every TinyTorch row.
  for (const CompareRow& r : outcome.comparison.rows) EXPECT_GT(r.change, 0.1);
}

TEST(Gate, GeometricMeanRowPerSuiteAndImplementation) {
  Store s("geomean");
  s.baseline_from(run_with("20250101T000000Z-base", 1));
  SyntheticRun slow = run_with("20250102T000000Z-slow", 2);
  slow.noise = 0;
  slow.slowdown["tinytorch/optimized"] = 0.10;
  const GateOutcome outcome = s.gate(slow);
  ASSERT_EQ(outcome.comparison.summary.size(), 3u);
  for (const SummaryRow& row : outcome.comparison.summary) {
    EXPECT_EQ(row.count, 8u);
    if (row.impl == "tinytorch/optimized") {
      EXPECT_NEAR(*row.geomean_ratio_change, 0.10, 0.01);
    }
    if (row.impl == "libtorch") {
      EXPECT_FALSE(row.geomean_ratio_change.has_value());
    }
  }
}

TEST(BadInput, MissingBaselineNamesTheCommand) {
  Store s("missing");
  write_synthetic_run(s.runs, run_with("20250101T000000Z-only", 1));
  try {
    evaluate_gate({s.runs.string(), s.baselines.string(), "latest", "auto", CompareOptions{}});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("no baseline for profile 'quick'"));
    EXPECT_THAT(e.what(), HasSubstr("ttbench baseline update --run 20250101T000000Z-only"));
  }
  std::string out;
  EXPECT_EQ(s.cli("gate", &out), 2);
  EXPECT_THAT(out, HasSubstr("ttbench baseline update --run"));
}

TEST(BadInput, NoRunsNamesTheCommand) {
  Store s("noruns");
  std::string out;
  EXPECT_EQ(s.cli("compare", &out), 2);
  EXPECT_THAT(out, HasSubstr("ttbench run --profile quick"));
}

TEST(BadInput, OtherMachineBaselineWarnsAndComparesRatiosOnly) {
  Store s("fingerprint");
  SyntheticRun other = run_with("20250101T000000Z-other", 1);
  other.cpu_model = "Other CPU 1";
  other.host_speed = 0.5;  // a much faster machine
  s.baseline_from(other);
  SyntheticRun slow = run_with("20250102T000000Z-here", 2);
  slow.slowdown["ops/softmax/fwd/tinytorch/optimized"] = 0.10;
  const GateOutcome outcome = s.gate(slow);
  EXPECT_FALSE(outcome.same_fingerprint);
  EXPECT_EQ(outcome.comparison.basis, "ratio");
  ASSERT_FALSE(outcome.comparison.warnings.empty());
  EXPECT_THAT(outcome.comparison.warnings[0], HasSubstr("another machine fingerprint"));
  EXPECT_THAT(outcome.comparison.warnings[0], HasSubstr("cpu_model: 'Other CPU 1' vs 'Test CPU 9000'"));
  const auto flagged = regressions(outcome.comparison);
  ASSERT_EQ(flagged.size(), 2u);  // the 2x faster host is cancelled; the planted 10% remains
  EXPECT_THAT(flagged[0], HasSubstr("ops/softmax/fwd/tinytorch/optimized"));
}

TEST(BadInput, MalformedJsonNamesFileAndPosition) {
  Store s("malformed");
  const std::string id = write_synthetic_run(s.runs, run_with("20250101T000000Z-trunc", 1));
  const fs::path file = s.runs / id / "bench_ops.json";
  std::string text;
  {
    std::ifstream in(file);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(file, std::ios::trunc) << text.substr(0, 1000);  // truncated mid-file
  try {
    RunStore(s.runs.string()).load(id);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr(file.string()));
    EXPECT_THAT(e.what(), HasSubstr("malformed JSON at byte 1000 of 1000 (the file ends there: truncated?)"));
  }
  std::string out;
  EXPECT_EQ(s.cli("compare --run " + id, &out), 2);
  EXPECT_THAT(out, HasSubstr("bench_ops.json: malformed JSON at byte 1000"));
}

TEST(BadInput, NonFiniteCountersAreReadAsMissing) {
  // Google Benchmark writes bare NaN for a counter like FLOP/s of a case without FLOPs.
  Store s("nan");
  const fs::path file = s.root / "nan.json";
  const std::string doc =
      R"({"context": {"suite": "ops", "note": "NaN inside a string stays"}, "benchmarks": [{"name": )"
      R"("ops/embedding/fwd/libtorch/v=1/threads=1/real_time", "run_type": "iteration", "real_time": 5, )"
      R"("time_unit": "us", "FLOP/s": NaN, "bytes_per_second": inf, "peak_memory_bytes": 64}]})";
  std::ofstream(file) << doc;
  RunResults run;
  add_gbench_results(file.string(), &run);
  const Benchmark* b = run.find("ops/embedding/fwd/libtorch/v=1/threads=1");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->counters.count("FLOP/s"), 0u);
  EXPECT_EQ(b->counters.at("peak_memory_bytes"), 64);
  EXPECT_EQ(run.context("note"), "NaN inside a string stays");
  // Positions of later errors are still positions in the file.
  std::ofstream(file) << R"({"a": NaN, "b": inf, "c": ?})";
  try {
    read_json_file(file.string());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("malformed JSON at byte 27 of 28: "));
  }
}

TEST(BadInput, UnknownBenchmarksAreListed) {
  Store s("unknown");
  s.baseline_from(run_with("20250101T000000Z-base", 1));
  SyntheticRun changed = run_with("20250102T000000Z-changed", 2);
  changed.extra_cases = {"new_op"};
  changed.dropped_cases = {"relu"};
  const GateOutcome outcome = s.gate(changed);
  EXPECT_EQ(outcome.comparison.only_in_run.size(), 6u);  // 3 implementations x 2 thread counts
  EXPECT_EQ(outcome.comparison.only_in_baseline.size(), 6u);
  const std::string md = comparison_markdown(outcome.comparison, false);
  EXPECT_THAT(md, HasSubstr("In the run but not in the baseline (not compared) (6)"));
  EXPECT_THAT(md, HasSubstr("`ops/new_op/fwd/libtorch/n=64/threads=1`"));
  EXPECT_THAT(md, HasSubstr("In the baseline but not in the run (not compared) (6)"));
  EXPECT_THAT(md, HasSubstr("`ops/relu/fwd/tinytorch/optimized/n=64/threads=2`"));
}

TEST(BadInput, UnknownRunIdListsLatest) {
  Store s("unknownid");
  write_synthetic_run(s.runs, run_with("20250101T000000Z-a", 1));
  std::string out;
  EXPECT_EQ(s.cli("gate --run nope", &out), 2);
  EXPECT_THAT(out, HasSubstr("run 'nope' not found"));
  EXPECT_THAT(out, HasSubstr("20250101T000000Z-a"));
  EXPECT_EQ(s.cli("gate --alpha", &out), 2);  // usage error
}

}  // namespace
