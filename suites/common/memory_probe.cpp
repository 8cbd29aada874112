#include "common/memory_probe.h"

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>

#include <algorithm>

#include "tinytorch/memory.h"

namespace tt_bench {

struct TorchMemoryProbe::State : public c10::MemoryReportingInfoBase {
  int64_t live = 0;
  int64_t peak = 0;
  int64_t allocations = 0;

  void reportMemoryUsage(void*, int64_t alloc_size, int64_t, int64_t, c10::Device) override {
    live += alloc_size;  // negative for frees
    if (alloc_size > 0) ++allocations;
    peak = std::max(peak, live);
  }
  bool memoryProfilingEnabled() const override { return true; }
};

struct TorchMemoryGuard {
  explicit TorchMemoryGuard(std::shared_ptr<c10::DebugInfoBase> info)
      : guard(c10::DebugInfoKind::PROFILER_STATE, std::move(info)) {}
  c10::DebugInfoGuard guard;
};

TorchMemoryProbe::TorchMemoryProbe()
    : state_(std::make_shared<State>()), guard_(std::make_unique<TorchMemoryGuard>(state_)) {}

TorchMemoryProbe::~TorchMemoryProbe() = default;

int64_t TorchMemoryProbe::peak_bytes() const { return state_->peak; }
int64_t TorchMemoryProbe::allocations() const { return state_->allocations; }

TinyTorchMemoryProbe::TinyTorchMemoryProbe() {
  tinytorch::memory::reset_peak();
  const auto stats = tinytorch::memory::stats();
  start_current_ = stats.current_bytes;
  start_allocations_ = stats.allocations;
}

int64_t TinyTorchMemoryProbe::peak_bytes() const { return tinytorch::memory::stats().peak_bytes - start_current_; }
int64_t TinyTorchMemoryProbe::allocations() const {
  return tinytorch::memory::stats().allocations - start_allocations_;
}

}  // namespace tt_bench
