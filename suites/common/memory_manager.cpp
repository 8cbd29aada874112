// Allocation statistics in Google Benchmark's JSON (see memory_manager.h).
#include "common/memory_manager.h"

namespace tt_bench {

void AllocationRecorder::Start() {
  active_ = true;
  name_.clear();
  allocations_ = peak_bytes_ = 0;
}

void AllocationRecorder::Stop(Result* result) {
  active_ = false;
  result->num_allocs = allocations_;
  result->max_bytes_used = peak_bytes_;
  if (!name_.empty()) results_[name_].push_back(*result);
}

void AllocationRecorder::record(const std::string& name, int64_t allocations, int64_t peak_bytes,
                                benchmark::IterationCount iterations) {
  name_ = name;
  // Google Benchmark divides num_allocs by the pass's iterations to get allocs_per_iter.
  allocations_ = allocations * static_cast<int64_t>(iterations);
  peak_bytes_ = peak_bytes;
}

const AllocationRecorder::Result* AllocationRecorder::result(const std::string& name, int64_t repetition) const {
  auto it = results_.find(name);
  if (it == results_.end() || repetition < 0 || repetition >= static_cast<int64_t>(it->second.size())) return nullptr;
  return &it->second[static_cast<size_t>(repetition)];
}

void MemoryJSONReporter::ReportRuns(const std::vector<Run>& runs) {
  std::vector<Run> fixed = runs;
  for (Run& run : fixed)
    run.memory_result = run.run_type == Run::RT_Iteration
                            ? recorder_.result(run.run_name.function_name, run.repetition_index)
                            : nullptr;
  JSONReporter::ReportRuns(fixed);
}

}  // namespace tt_bench
