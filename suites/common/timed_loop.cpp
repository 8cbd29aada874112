// Planted slowdown and callgrind markers of the timed loop (see timed_loop.h).
#include "common/timed_loop.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <vector>

#include "common/naming.h"

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define TT_HAVE_VALGRIND 1
#endif

namespace tt_bench {
namespace {

struct Planted {
  std::string substring;
  double fraction = 0;
};

// Parses "<substring>:<percent>[,...]"; returns false with `error` set on a malformed entry.
bool parse_planted(const char* text, std::vector<Planted>* out, std::string* error) {
  const std::string spec = text;
  size_t start = 0;
  while (start < spec.size()) {
    const size_t end = std::min(spec.find(',', start), spec.size());
    const std::string entry = spec.substr(start, end - start);
    start = end + 1;
    const size_t colon = entry.rfind(':');
    char* parse_end = nullptr;
    const double percent = colon == std::string::npos ? 0 : std::strtod(entry.c_str() + colon + 1, &parse_end);
    if (colon == 0 || colon == std::string::npos || parse_end == nullptr || *parse_end != '\0' || !(percent > 0)) {
      *error = fmt::format(
          "TINYTORCH_PLANTED_SLOWDOWN: bad entry '{}' in '{}'; use <name substring>:<percent>, e.g. "
          "'ops/matmul/fwd:10'",
          entry, spec);
      return false;
    }
    out->push_back({entry.substr(0, colon), percent / 100});
  }
  return true;
}

const std::vector<Planted>& planted_entries() {
  static const std::vector<Planted> entries = [] {
    std::vector<Planted> parsed;
    std::string error;
    const char* text = std::getenv("TINYTORCH_PLANTED_SLOWDOWN");
#ifdef TT_BENCH_PLANTED_SLOWDOWN
    if (text != nullptr && !parse_planted(text, &parsed, &error)) parsed.clear();
#else
    (void)text;
#endif
    return parsed;
  }();
  return entries;
}
}  // namespace

double planted_slowdown(const std::string& name) {
  BenchName parsed;
  if (planted_entries().empty() || !parse_bench_name(name, &parsed) || parsed.impl.rfind("tinytorch/", 0) != 0)
    return 0;
  double fraction = 0;
  for (const Planted& p : planted_entries())
    if (name.find(p.substring) != std::string::npos) fraction += p.fraction;
  return fraction;
}

bool describe_planted_slowdown(std::string* description, std::string* error) {
  const char* text = std::getenv("TINYTORCH_PLANTED_SLOWDOWN");
  *description = text == nullptr || *text == '\0' ? "none" : text;
  if (text == nullptr || *text == '\0') return true;
#ifdef TT_BENCH_PLANTED_SLOWDOWN
  std::vector<Planted> parsed;
  return parse_planted(text, &parsed, error);
#else
  *error =
      "TINYTORCH_PLANTED_SLOWDOWN is set but this build has no planted-slowdown switch (TT_BENCH_PLANTED_SLOWDOWN)";
  return false;
#endif
}

bool running_on_valgrind() {
#ifdef TT_HAVE_VALGRIND
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

void begin_counted_region() {
#ifdef TT_HAVE_VALGRIND
  CALLGRIND_START_INSTRUMENTATION;
#endif
}

void end_counted_region([[maybe_unused]] const std::string& name) {
#ifdef TT_HAVE_VALGRIND
  CALLGRIND_STOP_INSTRUMENTATION;
  CALLGRIND_DUMP_STATS_AT(name.c_str());
#endif
}

int extra_steps_owed(const std::string& name, double fraction) {
  static std::map<std::string, double> owed;
  double& debt = owed[name];
  debt += fraction;
  int steps = 0;
  for (; debt >= 1; debt -= 1) ++steps;
  return steps;
}

void spin_for(std::chrono::steady_clock::duration duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace tt_bench
