// The suite driver: flags, correctness check, registration and run (see suite.h).
#include "common/suite.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <thread>

#include "common/bench_context.h"
#include "common/compare.h"
#include "common/memory_manager.h"
#include "common/memory_probe.h"
#include "common/naming.h"
#include "common/table_reporter.h"
#include "common/timed_loop.h"
#include "tinytorch/tinytorch.h"

namespace tt_bench {
namespace {

// Profiles set Google Benchmark's defaults (flags given on the command line still win). The
// reference backend's plain loops take seconds on large cases, so it is skipped above a FLOP budget.
struct Profile {
  const char* name;
  const char* min_time;  // seconds per repetition
  int repetitions;
  double reference_flop_budget;
  const char* description;
};
constexpr Profile kProfiles[] = {
    {"quick", "0.05", 3, 1.5e8, "a representative subset, under 3 minutes (the default)"},
    {"full", "0.1", 3, 1e9, "every case, under 25 minutes"},
};

struct Flags {
  const Profile* profile = &kProfiles[0];
  std::vector<std::string> ops;  // empty: every op
  std::vector<int> threads = {1, 2};
  bool list = false;
  bool console = true;    // --benchmark_format is console (the table is printed then)
  bool json_out = false;  // --benchmark_out is given and --benchmark_out_format is json (the default)
  std::vector<std::string> benchmark_args;
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<std::string> op_names(const std::vector<BenchCase>& cases) {
  std::vector<std::string> ops;
  for (const BenchCase& c : cases)
    if (std::find(ops.begin(), ops.end(), c.op) == ops.end()) ops.push_back(c.op);
  return ops;
}

void print_valid(std::FILE* out, const std::string& suite, const std::vector<BenchCase>& cases) {
  std::fprintf(out, "Valid profiles (--profile=):\n");
  for (const Profile& p : kProfiles) std::fprintf(out, "  %-6s %s\n", p.name, p.description);
  std::fprintf(out, "Valid cases of %s (--case=<op>[,<op>...]):\n  %s\n", suite.c_str(),
               fmt::format("{}", fmt::join(op_names(cases), ", ")).c_str());
}

// Returns the exit code when the flags end the program (--list, or a usage error), else nullopt.
std::optional<int> parse_flags(const std::string& suite, const std::vector<BenchCase>& cases, int argc, char** argv,
                               Flags* flags) {
  const std::vector<std::string> ops = op_names(cases);
  auto usage_error = [&](const std::string& message) {
    std::fprintf(stderr, "bench_%s: %s\n", suite.c_str(), message.c_str());
    print_valid(stderr, suite, cases);
    return 2;
  };
  std::vector<std::string> user_args;
  std::string out_format = "json";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* prefix) -> std::optional<std::string> {
      if (arg.rfind(prefix, 0) != 0) return std::nullopt;
      return arg.substr(std::string(prefix).size());
    };
    if (auto v = value("--profile=")) {
      auto it =
          std::find_if(std::begin(kProfiles), std::end(kProfiles), [&](const Profile& p) { return *v == p.name; });
      if (it == std::end(kProfiles)) return usage_error(fmt::format("unknown profile '{}'", *v));
      flags->profile = &*it;
    } else if (auto v = value("--case=")) {
      for (const std::string& op : split_commas(*v)) {
        if (std::find(ops.begin(), ops.end(), op) == ops.end())
          return usage_error(fmt::format("unknown case '{}'", op));
        flags->ops.push_back(op);
      }
    } else if (auto v = value("--threads=")) {
      flags->threads.clear();
      for (const std::string& t : split_commas(*v)) {
        const int n = std::atoi(t.c_str());
        if (n < 1) return usage_error(fmt::format("bad thread count '{}' in --threads (use e.g. --threads=1,2)", t));
        flags->threads.push_back(n);
      }
      if (flags->threads.empty()) return usage_error("--threads needs at least one count, e.g. --threads=1,2");
    } else if (arg == "--list") {
      flags->list = true;
    } else {
      if (auto v = value("--benchmark_format=")) flags->console = *v == "console";
      if (auto v = value("--benchmark_out=")) flags->json_out = !v->empty();
      if (auto v = value("--benchmark_out_format=")) out_format = *v;
      user_args.push_back(arg);
    }
  }
  flags->json_out = flags->json_out && out_format == "json";
  // Defaults first: Google Benchmark lets a later occurrence of a flag win.
  flags->benchmark_args = {argv[0], fmt::format("--benchmark_min_time={}", flags->profile->min_time),
                           fmt::format("--benchmark_repetitions={}", flags->profile->repetitions),
                           "--benchmark_display_aggregates_only=true"};
  flags->benchmark_args.insert(flags->benchmark_args.end(), user_args.begin(), user_args.end());
  return std::nullopt;
}

bool selected_by_profile(const BenchCase& c, const Profile& profile) {
  return std::string(profile.name) == "full" || c.quick;
}

// Google Benchmark's --benchmark_filter: a regular expression, negated by a leading '-'.
class NameFilter {
 public:
  explicit NameFilter(std::string spec) {
    if (spec.empty() || spec == "." || spec == "all") return;
    if (spec[0] == '-') {
      negate_ = true;
      spec.erase(0, 1);
    }
    regex_.emplace(spec, std::regex::extended);
  }
  bool matches(const std::string& name) const { return !regex_ || std::regex_search(name, *regex_) != negate_; }

 private:
  std::optional<std::regex> regex_;
  bool negate_ = false;
};

// Reference-backend cases above the profile's FLOP budget are left out (checked and timed by
// the other implementations only).
bool skips_reference(const BenchCase& c, const Profile& profile) { return c.flops > profile.reference_flop_budget; }

std::vector<std::string> impls_for(const BenchCase& c, const Profile& profile) {
  std::vector<std::string> impls;
  for (const std::string& impl : implementations())
    if (impl != "tinytorch/reference" || !skips_reference(c, profile)) impls.push_back(impl);
  return impls;
}

struct ScopedImpl {
  explicit ScopedImpl(const std::string& impl, int threads) {
    set_all_threads(threads);
    if (is_tinytorch(impl)) backend.emplace(tinytorch_backend(impl));
  }
  std::optional<tt::BackendGuard> backend;
};

// Loss curves of the correctness check, for the report: the "losses" result of each implementation
// of a training case, when it is long enough to be a curve (an epoch, not a few steps on one batch).
// Written into the run context as "loss_curve <case key>" = "<impl>=<loss> <loss> ...;<impl>=..."
// (Google Benchmark 1.7 does not escape context values, so no JSON inside).
constexpr int64_t kMinCurveSteps = 8;
std::map<std::string, std::string> g_loss_curves;

void record_loss_curve(const BenchCase& c, const std::string& impl, const std::vector<NamedTensor>& results) {
  for (const auto& [name, values] : results) {
    if (name != "losses" || values.numel() < kMinCurveSteps) continue;
    const at::Tensor losses = values.to(at::kDouble).contiguous();
    std::string& curve = g_loss_curves[c.key()];
    if (curve.find(impl + "=") != std::string::npos) return;  // first thread count only
    curve += fmt::format("{}{}=", curve.empty() ? "" : ";", impl);
    const double* loss = losses.data_ptr<double>();
    for (int64_t i = 0; i < losses.numel(); ++i) curve += fmt::format("{}{:.7g}", i ? " " : "", loss[i]);
  }
}

// Runs every implementation of `c` once at `threads` and compares with LibTorch. Returns "" or the
// failure message.
std::string check_case(const BenchCase& c, const std::vector<std::string>& impls, int threads, int* comparisons) {
  std::vector<NamedTensor> expected;
  std::vector<std::string> order = impls;  // LibTorch first: it gives the expected values
  std::stable_partition(order.begin(), order.end(), [](const std::string& impl) { return impl == "libtorch"; });
  for (const std::string& impl : order) {
    std::vector<NamedTensor> got;
    try {
      ScopedImpl scope(impl, threads);
      got = c.make(impl)->check_results();
    } catch (const std::exception& e) {
      return fmt::format("{} threw: {}", impl, e.what());
    }
    record_loss_curve(c, impl, got);
    if (impl == "libtorch") {
      expected = std::move(got);
      continue;
    }
    if (got.size() != expected.size())
      return fmt::format("{} returned {} results but libtorch {}", impl, got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      const std::string diff = mismatch(got[i].second, expected[i].second, c.rtol, c.atol);
      if (!diff.empty()) return fmt::format("{} \"{}\": {}", impl, got[i].first, diff);
      ++*comparisons;
    }
  }
  return "";
}

// The runner of the benchmark now running, kept across Google Benchmark's repeated calls of the
// same benchmark (iteration-count trials, repetitions) so inputs are built and warmed up once; it
// is freed when the next benchmark starts.
struct Prepared {
  std::string name;
  std::unique_ptr<Runner> runner;
  int64_t peak_bytes = 0;
};
Prepared g_prepared;
std::atomic<bool> g_benchmark_failed{false};
AllocationRecorder g_allocation_recorder;

struct StepMemory {
  int64_t peak_bytes = 0, allocations = 0;
};

// One step of `runner` under the memory probe of its framework.
StepMemory measured_step(Runner& runner, const std::string& impl) {
  if (is_tinytorch(impl)) {
    TinyTorchMemoryProbe probe;
    runner.step();
    return {probe.peak_bytes(), probe.allocations()};
  }
  TorchMemoryProbe probe;
  runner.step();
  return {probe.peak_bytes(), probe.allocations()};
}

Prepared& prepare(const BenchCase& c, const std::string& impl, const std::string& name) {
  if (g_prepared.name == name) return g_prepared;
  g_prepared = Prepared{};
  g_prepared.runner = c.make(impl);
  // One untimed step: the warm-up, and the step whose peak memory is reported.
  g_prepared.peak_bytes = measured_step(*g_prepared.runner, impl).peak_bytes;
  g_prepared.name = name;
  return g_prepared;
}

// The memory pass of Google Benchmark's MemoryManager: allocations of one steady-state step, and
// the peak of the warm-up step (from the state before the first step, as peak_memory_bytes). The
// steady-state peak is not comparable across frameworks: LibTorch's reporter cannot see frees of
// blocks allocated before it started, such as the previous step's gradients.
void record_allocations(const Prepared& prepared, const std::string& impl, const std::string& name,
                        benchmark::IterationCount iterations) {
  const int64_t allocations = measured_step(*prepared.runner, impl).allocations;
  g_allocation_recorder.record(name, allocations, prepared.peak_bytes, iterations);
}

void run_benchmark(benchmark::State& state, const BenchCase& c, const std::string& impl, int threads,
                   const std::string& name) {
  ScopedImpl scope(impl, threads);
  Prepared* prepared = nullptr;
  try {
    prepared = &prepare(c, impl, name);
    if (g_allocation_recorder.active()) {
      record_allocations(*prepared, impl, name, state.max_iterations);
      for (auto _ : state) {
      }
      return;
    }
    timed_loop(state, name, [&] { prepared->runner->step(); });
  } catch (const std::exception& e) {
    g_benchmark_failed = true;
    g_prepared = Prepared{};
    state.SkipWithError(e.what());
    return;
  }
  using benchmark::Counter;
  state.counters["FLOP/s"] = Counter(c.flops, Counter::kIsIterationInvariantRate);
  state.SetBytesProcessed(static_cast<int64_t>(c.bytes) * state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(c.items) * state.iterations());
  state.counters["peak_memory_bytes"] = Counter(static_cast<double>(prepared->peak_bytes));
  // Not "threads": Google Benchmark's JSON already has that key (its own benchmark threads, always 1).
  state.counters["num_threads"] = Counter(threads);
}
// libgomp's default wait policy keeps LibTorch's OpenMP workers spinning between parallel
// regions; with OpenBLAS's own threads also spinning, 2 threads on 2 cores turn a 1 ms training
// step into 13-38 ms. TinyTorch's pool sleeps, so both frameworks get the sleeping policy: the
// variable is read when libgomp loads, so the binary re-executes itself once with it set. An
// explicit OMP_WAIT_POLICY is respected (and recorded in the context like every run setting).
void use_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
  std::perror("bench: re-executing with OMP_WAIT_POLICY=PASSIVE failed; continuing with libgomp's default");
}
}  // namespace

std::vector<std::string> implementations() {
  tt::backend_name();  // registers the backends: available_backends() lists only registered ones
  std::vector<std::string> backends = tt::available_backends();
  std::stable_partition(backends.begin(), backends.end(), [](const std::string& b) { return b == "reference"; });
  std::vector<std::string> impls;
  for (const std::string& b : backends) impls.push_back("tinytorch/" + b);
  impls.push_back("libtorch");
  return impls;
}

bool is_tinytorch(const std::string& impl) { return impl.rfind("tinytorch/", 0) == 0; }
std::string tinytorch_backend(const std::string& impl) { return impl.substr(std::string("tinytorch/").size()); }

int run_suite(const std::string& suite, const std::vector<BenchCase>& all_cases, int argc, char** argv,
              const ContextEntries& context) {
  use_passive_openmp_wait(argv);
  Flags flags;
  if (auto exit_code = parse_flags(suite, all_cases, argc, argv, &flags)) return *exit_code;
  const Profile& profile = *flags.profile;

  std::vector<const BenchCase*> cases;
  for (const BenchCase& c : all_cases) {
    const bool op_selected = flags.ops.empty() || std::count(flags.ops.begin(), flags.ops.end(), c.op);
    if (op_selected && selected_by_profile(c, profile)) cases.push_back(&c);
  }
  if (flags.list) {
    std::printf("Cases of profile %s (%zu; FLOPs per call):\n", profile.name, cases.size());
    for (const BenchCase* c : cases)
      std::printf("  %-70s %10.3g%s%s\n", c->key().c_str(), c->flops, c->quick ? "  [quick]" : "",
                  skips_reference(*c, profile) ? "  [reference skipped]" : "");
    print_valid(stdout, suite, all_cases);
    return 0;
  }
  std::string planted, planted_error;
  if (!describe_planted_slowdown(&planted, &planted_error)) {
    std::fprintf(stderr, "bench_%s: %s\n", suite.c_str(), planted_error.c_str());
    return 2;
  }
  if (cases.empty()) {
    std::fprintf(stderr, "bench_%s: none of the selected cases is in the %s profile; try --profile=full\n",
                 suite.c_str(), profile.name);
    print_valid(stderr, suite, all_cases);
    return 2;
  }

  std::vector<char*> args;
  for (std::string& arg : flags.benchmark_args) args.push_back(arg.data());
  int args_count = static_cast<int>(args.size());
  benchmark::Initialize(&args_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(args_count, args.data())) return 2;
  std::optional<NameFilter> filter;
  try {
    filter.emplace(benchmark::GetBenchmarkFilter());
  } catch (const std::regex_error& e) {
    std::fprintf(stderr, "bench_%s: --benchmark_filter is not a valid regular expression: %s\n", suite.c_str(),
                 e.what());
    return 2;
  }

  // Correctness before timing, for every (case, threads) with at least one benchmark to run.
  int comparisons = 0;
  std::vector<std::string> reference_skipped;
  for (const BenchCase* c : cases) {
    const std::vector<std::string> impls = impls_for(*c, profile);
    if (skips_reference(*c, profile))
      reference_skipped.push_back(fmt::format("{} ({:.2g} GFLOP)", c->key(), c->flops / 1e9));
    for (int threads : flags.threads) {
      const bool any = std::any_of(impls.begin(), impls.end(), [&](const std::string& impl) {
        // As Google Benchmark matches it: with the "/real_time" suffix UseRealTime() adds.
        return filter->matches(BenchName{c->suite, c->op, c->mode, impl, c->params, threads}.str() + "/real_time");
      });
      if (!any) continue;
      const std::string failure = check_case(*c, impls, threads, &comparisons);
      if (!failure.empty()) {
        std::fprintf(stderr, "bench_%s: CORRECTNESS FAILURE in %s at threads=%d: %s\nNothing was timed.\n",
                     suite.c_str(), c->key().c_str(), threads, failure.c_str());
        return 1;
      }
    }
  }
  std::fprintf(stderr, "bench_%s: correctness check passed (%d comparisons against LibTorch)\n", suite.c_str(),
               comparisons);
  if (!reference_skipped.empty())
    std::fprintf(stderr, "bench_%s: tinytorch/reference skipped above %.2g GFLOP per call (profile %s): %s\n",
                 suite.c_str(), profile.reference_flop_budget / 1e9, profile.name,
                 fmt::format("{}", fmt::join(reference_skipped, "; ")).c_str());

  add_run_context();
  benchmark::AddCustomContext("suite", suite);
  benchmark::AddCustomContext("profile", profile.name);
  benchmark::AddCustomContext("threads", fmt::format("{}", fmt::join(flags.threads, ",")));
  benchmark::AddCustomContext("implementations", fmt::format("{}", fmt::join(implementations(), ",")));
  benchmark::AddCustomContext("timing", "wall-clock (UseRealTime); one untimed warm-up step per benchmark");
  benchmark::AddCustomContext("correctness_check", fmt::format("passed, {} comparisons against LibTorch", comparisons));
  benchmark::AddCustomContext("reference_flop_budget", fmt::format("{:g}", profile.reference_flop_budget));
  benchmark::AddCustomContext("reference_skipped", reference_skipped.empty()
                                                       ? std::string("none")
                                                       : fmt::format("{}", fmt::join(reference_skipped, "; ")));
  benchmark::AddCustomContext("planted_slowdown", planted);
  for (const auto& [key, value] : context) benchmark::AddCustomContext(key, value);
  for (const auto& [key, curve] : g_loss_curves) benchmark::AddCustomContext("loss_curve " + key, curve);

  for (const BenchCase* c : cases)
    for (int threads : flags.threads)
      for (const std::string& impl : impls_for(*c, profile)) {
        const std::string name = BenchName{c->suite, c->op, c->mode, impl, c->params, threads}.str();
        benchmark::RegisterBenchmark(
            name.c_str(),
            [c, impl, threads, name](benchmark::State& state) { run_benchmark(state, *c, impl, threads, name); })
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }

  benchmark::RegisterMemoryManager(&g_allocation_recorder);
  TableReporter table(isatty(STDOUT_FILENO) ? TableReporter::OO_Color : TableReporter::OO_None);
  MemoryJSONReporter json_file(g_allocation_recorder);
  // Google Benchmark makes its default display reporter when given none.
  benchmark::RunSpecifiedBenchmarks(flags.console ? &table : nullptr, flags.json_out ? &json_file : nullptr);
  benchmark::RegisterMemoryManager(nullptr);
  g_prepared = Prepared{};
  benchmark::Shutdown();
  return g_benchmark_failed ? 1 : 0;
}

}  // namespace tt_bench
