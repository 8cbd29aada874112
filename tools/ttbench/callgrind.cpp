// The instruction-count gate (see callgrind.h).
#include "callgrind.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "baseline.h"
#include "compare.h"
#include "results.h"
#include "runner.h"

namespace fs = std::filesystem;

namespace ttbench {

const char* kDefaultCallgrindCases = "^ops/(relu|add|sum|matmul)/fwd/tinytorch/optimized/";

std::map<std::string, double> read_callgrind_dumps(const std::string& dir) {
  std::map<std::string, double> ir;
  const std::string trigger = "desc: Trigger: Client Request: ";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("callgrind.out", 0) != 0) continue;
    std::ifstream in(entry.path());
    std::string line, name;
    double total = -1;
    // "totals:" (at the end) holds the total of each event, Ir first; "summary:" in the header may
    // be 0 for dumps requested by the program, so the larger of the two is taken.
    while (std::getline(in, line)) {
      if (line.rfind(trigger, 0) == 0) name = line.substr(trigger.size());
      if (line.rfind("summary:", 0) == 0 || line.rfind("totals:", 0) == 0)
        total = std::max(total, std::atof(line.substr(line.find(':') + 1).c_str()));
    }
    if (!name.empty() && total >= 0) ir[name] += total;
  }
  return ir;
}

int run_callgrind(const CallgrindOptions& options) {
  if (shell_output("valgrind --version").empty())
    throw InputError("callgrind: valgrind not found; install it with: bash tools/install-deps.sh");
  const std::string binary = fmt::format("{}/suites/bench_{}", options.build_dir, options.suite);
  if (!fs::exists(binary))
    throw InputError(fmt::format("callgrind: {} not found; build it with: cmake --build {} --target bench_{}", binary,
                                 options.build_dir, options.suite));
  if (options.repetitions < 1) throw InputError("callgrind: --repetitions must be at least 1");
  const std::string cases = options.cases.empty() ? kDefaultCallgrindCases : options.cases;
  const fs::path dir = fs::path(options.runs_dir) / "callgrind" / utc_timestamp();
  fs::create_directories(dir);
  if (!options.planted.empty()) setenv("TINYTORCH_PLANTED_SLOWDOWN", options.planted.c_str(), 1);
  if (!std::getenv("OMP_WAIT_POLICY")) setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  const std::string preload =
      fs::exists(TTBENCH_VALGRIND_PRELOAD) ? "LD_PRELOAD=" + shell_quote(TTBENCH_VALGRIND_PRELOAD) + " " : "";
  const std::string command =
      preload +
      fmt::format(
          "valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file={} {} --profile={} --threads=1 "
          "--benchmark_filter={} --benchmark_min_time=0.000000001 --benchmark_repetitions={} --benchmark_out={} "
          "--benchmark_out_format=json",
          shell_quote((dir / "callgrind.out").string()), binary, options.profile, shell_quote(cases),
          options.repetitions, shell_quote((dir / "bench.json").string()));
  std::cout << "ttbench callgrind: " << command << std::endl;
  const std::string log = (dir / "callgrind.log").string();
  if (const int status = run_logged(command, log, true); status != 0)
    throw std::runtime_error(fmt::format("callgrind: the run exited with {}; its output is in {}", status, log));

  RunResults run;
  add_gbench_results((dir / "bench.json").string(), &run);
  const std::map<std::string, double> ir = read_callgrind_dumps(dir.string());
  json counts = json::object();
  for (const Benchmark* b : run.all()) {
    double iterations = 0;
    for (double i : b->iterations) iterations += i;
    auto it = ir.find(b->name);
    if (it != ir.end() && iterations > 0) counts[b->name] = it->second / iterations;
  }
  if (counts.empty())
    throw InputError(
        fmt::format("callgrind: no benchmark matched --cases '{}' (or no counts were dumped; see {}); "
                    "list the cases with: {} --list --profile={}",
                    cases, log, binary, options.profile));
  const Fingerprint fingerprint = fingerprint_of(run);
  const std::string own =
      (fs::path(options.baselines_dir) / fingerprint.slug() / fmt::format("callgrind-{}.json", options.suite)).string();
  json result = {{"format", "ttbench-callgrind/1"},
                 {"suite", options.suite},
                 {"cases", cases},
                 {"repetitions", options.repetitions},
                 {"fingerprint_slug", fingerprint.slug()},
                 {"fingerprint", fingerprint.to_json()},
                 {"planted_slowdown", run.context("planted_slowdown")},
                 {"provenance",
                  {{"commit", run.context("git_commit")},
                   {"date", iso_utc_now()},
                   {"command", options.command_line},
                   {"valgrind_command", command}}},
                 {"ir_per_iteration", counts}};
  write_json_file((dir / "callgrind.json").string(), result);
  if (options.update_baseline) {
    write_json_file(own, result);
    std::cout << fmt::format("ttbench callgrind: stored {} instruction counts as the baseline {}\n", counts.size(),
                             own);
    return 0;
  }

  const std::string path = options.baseline == "auto" ? own : options.baseline;
  if (!fs::exists(path))
    throw InputError(
        fmt::format("callgrind: no instruction-count baseline {}; create it with:\n  ttbench callgrind "
                    "--suite {} --cases {} --repetitions {} --update-baseline",
                    path, options.suite, shell_quote(cases), options.repetitions));
  const json base = read_json_file(path);
  const Fingerprint base_fingerprint = Fingerprint::from_json(base.value("fingerprint", json::object()));
  const std::vector<std::string> differences = base_fingerprint.differences(fingerprint);
  std::string md = "## TinyTorch instruction-count gate\n\n";
  if (!differences.empty())
    md += fmt::format(
        "> **Warning:** baseline {} comes from another machine fingerprint ({}): instruction counts "
        "depend on the ISA and build, so they are shown but not gated.\n\n",
        path, fmt::join(differences, "; "));
  const json& base_counts = base.at("ir_per_iteration");
  std::string rows;
  int regressions = 0;
  std::vector<std::string> only_run, only_base;
  for (const auto& [name, value] : counts.items()) {
    if (!base_counts.contains(name)) {
      only_run.push_back(name);
      continue;
    }
    const double before = base_counts[name].get<double>(), after = value.get<double>();
    const double change = after / before - 1;
    std::string verdict = "ok";
    if (change > options.threshold && differences.empty()) {
      verdict = "REGRESSION";
      ++regressions;
    } else if (change < -options.threshold) {
      verdict = "improved";
    }
    rows += fmt::format("| `{}` | {:.0f} | {:.0f} | {} | {} |\n", name, before, after,
                        fmt::format("{:+.3f}%", 100 * change), verdict);
  }
  for (const auto& [name, value] : base_counts.items())
    if (!counts.contains(name)) only_base.push_back(name);
  md += fmt::format(
      "{} case(s), **{} regression(s)** (threshold {} instructions per iteration); baseline {} (commit "
      "{}).\n\n| benchmark | baseline Ir/iter | run Ir/iter | change | verdict |\n|---|---|---|---|---|\n",
      counts.size() - only_run.size(), regressions, format_change(options.threshold), path,
      base.value("provenance", json::object()).value("commit", "?"));
  md += rows + "\n";
  for (const auto& [names, title] : {std::pair{only_run, "In the run but not in the baseline"},
                                     std::pair{only_base, "In the baseline but not in the run"}}) {
    if (names.empty()) continue;
    md += fmt::format("### {} ({}, not compared)\n\n", title, names.size());
    for (const std::string& n : names) md += fmt::format("- `{}`\n", n);
    md += "\n";
  }
  std::cout << md;
  if (!options.summary_out.empty()) std::ofstream(options.summary_out, std::ios::app) << md;
  return regressions > 0 ? 1 : 0;
}

}  // namespace ttbench
