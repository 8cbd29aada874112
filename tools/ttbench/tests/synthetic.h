// Synthetic run stores for ttbench's tests: Google Benchmark JSON files shaped like the suites'
// (names per suites/common/naming.h, per-repetition entries plus aggregates to be skipped, the
// counters and context keys the suites write), with seeded log-normal noise and optional slowdowns.
#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace ttbench_test {

using nlohmann::json;

struct SyntheticRun {
  std::string id = "20250101T000000Z-aaaaaaa";
  std::string profile = "quick";
  std::string cpu_model = "Test CPU 9000";
  int repetitions = 10;
  double noise = 0.01;  // relative standard deviation of each repetition
  unsigned seed = 1;
  double host_speed = 1.0;                 // multiplies every time (a slower or faster host)
  std::map<std::string, double> slowdown;  // benchmark-name substring -> fraction, TinyTorch only
  std::vector<std::string> extra_cases;    // op names added only to this run
  std::vector<std::string> dropped_cases;  // op names left out of this run
  bool loss_curve = true;                  // a "loss_curve <case>" context entry, as bench_train writes
};

// "<impl>=<loss> ...;<impl>=..." of a decaying loss; TinyTorch's differ from LibTorch's by `offset`.
inline std::string synthetic_loss_curve(unsigned seed, double offset) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 0.02);
  std::vector<double> losses;
  for (int step = 0; step < 20; ++step) losses.push_back(2.3 * std::exp(-0.05 * step) + noise(rng));
  std::string text;
  for (const auto& [impl, shift] : std::vector<std::pair<std::string, double>>{
           {"tinytorch/reference", offset}, {"tinytorch/optimized", offset}, {"libtorch", 0.0}}) {
    text += (text.empty() ? "" : ";") + impl + "=";
    for (size_t i = 0; i < losses.size(); ++i) text += (i ? " " : "") + std::to_string(losses[i] + shift);
  }
  return text;
}

// Case op -> median time in microseconds of libtorch; tinytorch/optimized is 1.5x, reference 20x.
inline std::map<std::string, double> synthetic_cases() {
  return {{"matmul", 120}, {"softmax", 30}, {"conv2d", 400}, {"relu", 8}};
}

inline std::string write_synthetic_run(const std::filesystem::path& runs_dir, const SyntheticRun& r) {
  namespace fs = std::filesystem;
  std::mt19937 rng(r.seed);
  std::normal_distribution<double> noise(0, r.noise);
  json benchmarks = json::array();
  auto cases = synthetic_cases();
  for (const std::string& extra : r.extra_cases) cases[extra] = 50;
  for (const std::string& dropped : r.dropped_cases) cases.erase(dropped);
  for (int rep = 0; rep < r.repetitions; ++rep)
    for (const auto& [op, lib_us] : cases)
      for (int threads : {1, 2})
        for (const auto& [impl, factor] : std::vector<std::pair<std::string, double>>{
                 {"tinytorch/reference", 20.0}, {"tinytorch/optimized", 1.5}, {"libtorch", 1.0}}) {
          const std::string name = "ops/" + op + "/fwd/" + impl + "/n=64/threads=" + std::to_string(threads);
          double t = lib_us * factor / threads * r.host_speed * std::exp(noise(rng));
          if (impl != "libtorch")
            for (const auto& [substring, fraction] : r.slowdown)
              if (name.find(substring) != std::string::npos) t *= 1 + fraction;
          const double flops = 2e6 * lib_us;
          benchmarks.push_back({{"name", name + "/real_time"},
                                {"run_name", name + "/real_time"},
                                {"run_type", "iteration"},
                                {"repetitions", r.repetitions},
                                {"repetition_index", rep},
                                {"threads", 1},
                                {"iterations", 100},
                                {"real_time", t},
                                {"cpu_time", t},
                                {"time_unit", "us"},
                                {"FLOP/s", flops / (t * 1e-6)},
                                {"bytes_per_second", flops / 4 / (t * 1e-6)},
                                {"items_per_second", 1e3 / (t * 1e-6)},
                                {"peak_memory_bytes", 4096.0 * lib_us * (impl == "libtorch" ? 1.0 : 1.2)},
                                {"num_threads", threads}});
        }
  // An aggregate entry, which ttbench must skip (it recomputes medians from the repetitions).
  benchmarks.push_back({{"name", "ops/relu/fwd/libtorch/n=64/threads=1/real_time_median"},
                        {"run_type", "aggregate"},
                        {"aggregate_name", "median"},
                        {"real_time", 1e9},
                        {"time_unit", "us"}});
  json doc = {{"context",
               {{"cpu_model", r.cpu_model},
                {"num_cpus", 2},
                {"cpu_isa_flags", "avx avx2 fma"},
                {"tinytorch_isa", "avx2"},
                {"libtorch_blas", "OpenBLAS 0.3.21 DYNAMIC_ARCH"},
                {"libtorch_blas_core", "Haswell"},
                {"build_type", "Release"},
                {"git_commit", "aaaaaaa"},
                {"suite", "ops"},
                {"profile", r.profile},
                {"planted_slowdown", "none"}}},
              {"benchmarks", benchmarks}};
  if (r.loss_curve)
    doc["context"]["loss_curve train/mlp/epoch/samples=160,batch=8,optimizer=sgd"] = synthetic_loss_curve(r.seed, 1e-3);
  const fs::path dir = runs_dir / r.id;
  fs::create_directories(dir);
  std::ofstream(dir / "bench_ops.json") << doc.dump(1);
  const json meta = {{"format", "ttbench-run/1"},
                     {"id", r.id},
                     {"date", "2025-01-01T00:00:00Z"},
                     {"commit", "aaaaaaa"},
                     {"profile", r.profile},
                     {"command", "synthetic"},
                     {"suite_files", {"bench_ops.json"}},
                     {"fma_peak_flops_per_thread", 5e10},
                     {"planted_slowdown", "none"},
                     {"fingerprint_slug", ""}};
  std::ofstream(dir / "meta.json") << meta.dump(1);
  return r.id;
}

// A fresh temporary folder per test.
inline std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("ttbench_test_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace ttbench_test
