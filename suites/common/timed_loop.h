// The timed loop of every suite benchmark, with the two hooks the regression harness (tools/ttbench)
// needs and that cost nothing when unused:
//
// - A planted slowdown, to prove the gate detects regressions: TINYTORCH_PLANTED_SLOWDOWN=
//   "<substring>:<percent>[,<substring>:<percent>...]" slows every TinyTorch benchmark whose name
//   contains <substring> by <percent>. Natively, each step is timed and followed, inside the timed
//   region, by a spin of <percent> of its duration. Under valgrind (instruction-count mode) a spin
//   would count a time-dependent number of instructions, so whole extra steps are run instead, one
//   each time the accumulated fraction reaches 1 (deterministic; exact over the repetitions).
//   Compiled in only with TT_BENCH_PLANTED_SLOWDOWN (set on the suite targets, never the library).
// - Instruction counting: under callgrind (started with --instr-atstart=no) the loop alone is
//   instrumented and its counts are dumped after each repetition, labelled with the benchmark name.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

namespace tt_bench {

// The planted slowdown of benchmark `name` as a fraction (0.1 for 10%), 0 when none applies.
double planted_slowdown(const std::string& name);
// The raw TINYTORCH_PLANTED_SLOWDOWN value for the run context, or "none". Returns false and sets
// `error` when the variable is malformed or set in a build without the switch.
bool describe_planted_slowdown(std::string* description, std::string* error);

bool running_on_valgrind();
void begin_counted_region();
void end_counted_region(const std::string& name);
// Whole extra steps owed by `name` after one more step (instruction-count mode of the slowdown).
int extra_steps_owed(const std::string& name, double fraction);
void spin_for(std::chrono::steady_clock::duration duration);

template <class Step>
void timed_loop(benchmark::State& state, const std::string& name, Step&& step) {
  const double slowdown = planted_slowdown(name);
  const bool counting = running_on_valgrind();
  if (counting) begin_counted_region();
  if (slowdown <= 0) {
    for (auto _ : state) step();
  } else if (counting) {
    for (auto _ : state)
      for (int n = 1 + extra_steps_owed(name, slowdown); n > 0; --n) step();
  } else {
    for (auto _ : state) {
      const auto start = std::chrono::steady_clock::now();
      step();
      spin_for(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          (std::chrono::steady_clock::now() - start) * slowdown));
    }
  }
  if (counting) end_counted_region(name);
}

}  // namespace tt_bench
