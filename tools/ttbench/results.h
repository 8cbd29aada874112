// Benchmark results as ttbench sees them, and the run store.
//
// A run is one `ttbench run`: the Google Benchmark JSON of each suite (every repetition, in the
// interleaved order Google Benchmark ran them), the FMA peak of the machine, and meta.json (run id,
// profile, command, machine fingerprint, commit), stored under runs/<id>/ with
// id = <UTC timestamp>-<short commit>, so ids sort by time.
// Results are read into RunResults: per benchmark (named as suites/common/naming.h, without
// Google Benchmark's "/real_time") the per-repetition wall times and the medians of its counters.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/naming.h"

namespace ttbench {

using nlohmann::json;

// Bad input (missing or malformed files, unknown runs, bad flags): ttbench exits 2 with the message.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Benchmark {
  std::string name;  // <suite>/<op>/<mode>/<impl>/<params>/threads=<n>
  tt_bench::BenchName parts;
  std::vector<double> times_ns;  // wall time per iteration, one value per repetition
  // A baseline merged from several runs: each run's median, in run order (empty otherwise).
  std::vector<double> run_medians;
  std::vector<double> iterations;
  std::map<std::string, double> counters;  // median over repetitions
  std::string error;                       // Google Benchmark's error_message, if it failed
};

struct SuiteResults {
  std::map<std::string, std::string> context;  // Google Benchmark's and the suite's context entries
  std::vector<Benchmark> benchmarks;           // in first-seen order
};

struct RunResults {
  std::string id;
  json meta = json::object();
  std::map<std::string, SuiteResults> suites;  // by suite name ("ops", "train")
  std::optional<double> fma_peak_flops;        // per thread, best ISA, from bench_fma_peak

  const Benchmark* find(const std::string& name) const;
  std::vector<const Benchmark*> all() const;
  // The first suite's context value for `key`, or "".
  std::string context(const std::string& key) const;
};

// Parses a JSON file; errors name the file and, for malformed JSON, the byte position.
json read_json_file(const std::string& path);
void write_json_file(const std::string& path, const json& value);

// Reads one Google Benchmark JSON file of a suite into `run` (suite name from its context).
void add_gbench_results(const std::string& path, RunResults* run);
// ttbench's compact form of results (baselines store it): suites, benchmarks, context, peak.
json results_to_json(const RunResults& run);
RunResults results_from_json(const json& value, const std::string& path);

// The machine fingerprint: what makes timings comparable between two runs.
struct Fingerprint {
  std::map<std::string, std::string> fields;
  std::string slug() const;  // short directory name, e.g. intel-xeon-8375c-2cpu-avx512-skylakex-release
  json to_json() const;
  static Fingerprint from_json(const json& value);
  // Names of the fields that differ, "a: x vs y" each.
  std::vector<std::string> differences(const Fingerprint& other) const;
};
Fingerprint fingerprint_of(const RunResults& run);

// The run store.
class RunStore {
 public:
  explicit RunStore(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::vector<std::string> ids() const;  // oldest first
  // "latest" (the newest run that is not a confirmation) or an id; throws InputError naming the command that creates a
  // run when none exists.
  std::string resolve(const std::string& id_or_latest) const;
  RunResults load(const std::string& id) const;
  std::string path_of(const std::string& id) const { return dir_ + "/" + id; }
  // A partial re-run made by gate --confirm (skipped by "latest" and by history).
  bool is_confirmation(const std::string& id) const;

 private:
  std::string dir_;
};

std::string utc_timestamp();  // 20250102T030405Z
std::string iso_utc_now();    // 2025-01-02T03:04:05Z
// Output of a shell command (trimmed), or "" if it fails.
std::string shell_output(const std::string& command);

}  // namespace ttbench
