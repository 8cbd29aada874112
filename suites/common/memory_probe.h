// Peak memory of a benchmarked region, for both frameworks. TinyTorch reports its own allocator
// statistics. LibTorch 1.13 has no public CPU allocator statistics, so we register a memory
// reporter through c10's profiler hook (c10::MemoryReportingInfoBase): LibTorch's CPU allocator then
// reports every allocation and free made on this thread, and we track the live total's high-water
// mark. Allocations made by LibTorch's worker threads are not seen (outputs are allocated on the
// calling thread, so this misses only thread-local scratch buffers).
#pragma once

#include <cstdint>
#include <memory>

namespace tt_bench {

class TorchMemoryProbe {
 public:
  TorchMemoryProbe();  // starts tracking on this thread
  ~TorchMemoryProbe();
  TorchMemoryProbe(const TorchMemoryProbe&) = delete;
  TorchMemoryProbe& operator=(const TorchMemoryProbe&) = delete;

  int64_t peak_bytes() const;  // above the live bytes at construction
  int64_t allocations() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::unique_ptr<struct TorchMemoryGuard> guard_;
};

// TinyTorch: peak bytes above the live bytes at construction, from tinytorch::memory::stats().
class TinyTorchMemoryProbe {
 public:
  TinyTorchMemoryProbe();
  int64_t peak_bytes() const;
  int64_t allocations() const;

 private:
  int64_t start_current_;
  int64_t start_allocations_;
};

}  // namespace tt_bench
