// Running the suites and storing a run (see runner.h).
#include "runner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "results.h"

namespace fs = std::filesystem;

namespace ttbench {
namespace {

double load_average() {
  double load = 0;
  return getloadavg(&load, 1) == 1 ? load : -1;
}

// Best FLOP/s of one thread alone among bench_fma_peak's ISA variants (the ones the CPU lacks
// report errors; the two-thread run stays in fma_peak.json).
std::optional<double> fma_peak(const std::string& path) {
  RunResults peak;
  add_gbench_results(path, &peak);
  std::optional<double> best;
  for (const Benchmark* b : peak.all()) {
    auto it = b->counters.find("FLOPS");
    const bool alone = b->name.find("/threads:") == std::string::npos;
    if (alone && b->error.empty() && it != b->counters.end() && (!best || it->second > *best)) best = it->second;
  }
  return best;
}
}  // namespace

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int run_logged(const std::string& command, const std::string& log_path, bool quiet) {
  std::ofstream log(log_path);
  std::FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return 127;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) {
    log << buffer;
    if (!quiet) std::fputs(buffer, stdout);
  }
  const int status = pclose(pipe);
  std::fflush(stdout);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string run_suites(const RunOptions& options) {
  if (options.profile != "quick" && options.profile != "full")
    throw InputError(fmt::format("run: unknown profile '{}' (use quick or full)", options.profile));
  if (options.repetitions < 2)
    throw InputError(fmt::format("run: --repetitions {} is too few for a U test; use at least 5 (10 is the default)",
                                 options.repetitions));
  for (const std::string& suite : options.suites) {
    const std::string binary = fmt::format("{}/suites/bench_{}", options.build_dir, suite);
    if (!fs::exists(binary))
      throw InputError(
          fmt::format("run: {} not found; build it with: cmake --build {} --target bench_{} (or pass "
                      "--build-dir)",
                      binary, options.build_dir, suite));
  }
  std::string commit = shell_output("git rev-parse --short HEAD");
  if (commit.empty()) commit = "nogit";
  if (!shell_output("git status --porcelain --untracked-files=no").empty()) commit += "-dirty";
  const std::string id = utc_timestamp() + "-" + commit;
  const fs::path dir = fs::path(options.runs_dir) / id;
  fs::create_directories(dir);

  // LibTorch's idle OpenMP workers spin by default, which on a loaded host turns its 2-thread times
  // into noise (suites/README.md); every run uses the same policy so runs stay comparable.
  json environment = json::object();
  if (!std::getenv("OMP_WAIT_POLICY")) {
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    environment["OMP_WAIT_POLICY"] = "PASSIVE (set by ttbench)";
  }
  if (!options.planted.empty()) setenv("TINYTORCH_PLANTED_SLOWDOWN", options.planted.c_str(), 1);
  const char* planted = std::getenv("TINYTORCH_PLANTED_SLOWDOWN");

  json meta = {{"format", "ttbench-run/1"},
               {"id", id},
               {"date", iso_utc_now()},
               {"commit", commit},
               {"profile", options.profile},
               {"repetitions", options.repetitions},
               {"suites", options.suites},
               {"threads", options.threads},
               {"command", options.command_line},
               {"environment", environment},
               {"planted_slowdown", planted ? planted : "none"},
               {"load_average_start", load_average()}};
  json commands = json::array(), files = json::array();
  for (const std::string& suite : options.suites) {
    const std::string file = fmt::format("bench_{}.json", suite);
    std::string command = fmt::format(
        "{}/suites/bench_{} --profile={} --threads={} --benchmark_repetitions={} "
        "--benchmark_enable_random_interleaving=true --benchmark_out={} --benchmark_out_format=json",
        options.build_dir, suite, options.profile, options.threads, options.repetitions,
        shell_quote((dir / file).string()));
    if (!options.filter.empty()) command += " --benchmark_filter=" + shell_quote(options.filter);
    if (!options.min_time.empty()) command += " --benchmark_min_time=" + shell_quote(options.min_time);
    std::cout << "ttbench run: " << command << std::endl;
    const std::string log = (dir / fmt::format("bench_{}.log", suite)).string();
    const int status = run_logged(command, log, options.quiet);
    if (status != 0)
      throw std::runtime_error(fmt::format("run: bench_{} exited with {}; its output is in {}", suite, status, log));
    commands.push_back(command);
    files.push_back(file);
  }
  const std::string peak_binary = options.build_dir + "/suites/bench_fma_peak";
  if (fs::exists(peak_binary)) {
    const std::string command =
        fmt::format("{} --benchmark_min_time=0.2 --benchmark_out={} --benchmark_out_format=json", peak_binary,
                    shell_quote((dir / "fma_peak.json").string()));
    if (run_logged(command, (dir / "fma_peak.log").string(), true) == 0) {
      commands.push_back(command);
      if (auto peak = fma_peak((dir / "fma_peak.json").string())) meta["fma_peak_flops_per_thread"] = *peak;
    }
  } else {
    std::cerr << "ttbench run: " << peak_binary << " not found; the report's roofline will have no measured peak\n";
  }
  if (!options.confirmation_of.empty()) meta["confirmation_of"] = options.confirmation_of;
  meta["suite_commands"] = commands;
  meta["suite_files"] = files;
  meta["load_average_end"] = load_average();
  // meta.json last: a run without it is incomplete and not listed.
  RunResults run;
  run.meta = meta;
  for (const json& f : files) add_gbench_results((dir / f.get<std::string>()).string(), &run);
  // Outside a git checkout, the commit the suites were built from.
  if (commit == "nogit" && !run.context("git_commit").empty()) meta["commit"] = run.context("git_commit");
  const Fingerprint fingerprint = fingerprint_of(run);
  meta["fingerprint"] = fingerprint.to_json();
  meta["fingerprint_slug"] = fingerprint.slug();
  write_json_file((dir / "meta.json").string(), meta);
  std::cout << fmt::format("ttbench run: stored run {} in {}\n", id, dir.string());
  return id;
}

}  // namespace ttbench
