// Google Benchmark's MemoryManager hooked to both frameworks' allocators, so the standard JSON
// carries allocs_per_iter and max_bytes_used for every repetition (TinyTorch: its allocator's
// statistics; LibTorch: the c10 memory reporter of memory_probe.h).
//
// Google Benchmark runs an extra "memory pass" of each repetition between Start() and Stop(). The
// benchmark body sees it (AllocationRecorder::active()), runs one step under the probe of its
// framework and hands the numbers over with record(): the step's allocation count, and as
// max_bytes_used the peak of the warm-up step (the suite's peak_memory_bytes; see suite.cpp). The
// other iterations of the pass are empty, since every step after the warm-up allocates the same
// (so allocs_per_iter is exact and the pass costs one step, not up to 16).
//
// Google Benchmark 1.7.1 (Debian 12) keeps each repetition's Result in a vector that reallocates
// while later repetitions run, so the reports of all but the last repetition point at freed
// memory. MemoryJSONReporter points every report at the recorder's own copy before writing it.
// (Results are only copied from the ones Google Benchmark makes: its Result() constructor uses a
// constant that 1.7.1's shared library does not export.)
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tt_bench {

class AllocationRecorder : public benchmark::MemoryManager {
 public:
  void Start() override;
  void Stop(Result* result) override;

  bool active() const { return active_; }
  // One step's allocation count and peak bytes, for the benchmark named `name` whose memory pass
  // has `iterations` iterations.
  void record(const std::string& name, int64_t allocations, int64_t peak_bytes, benchmark::IterationCount iterations);
  // The result of repetition `repetition` of benchmark `name`, nullptr when it has none.
  const Result* result(const std::string& name, int64_t repetition) const;

 private:
  bool active_ = false;
  std::string name_;
  int64_t allocations_ = 0, peak_bytes_ = 0;
  std::map<std::string, std::vector<Result>> results_;  // per benchmark, in repetition order
};

class MemoryJSONReporter : public benchmark::JSONReporter {
 public:
  explicit MemoryJSONReporter(const AllocationRecorder& recorder) : recorder_(recorder) {}
  void ReportRuns(const std::vector<Run>& runs) override;

 private:
  const AllocationRecorder& recorder_;
};

}  // namespace tt_bench
