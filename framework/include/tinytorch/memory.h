// Allocation statistics and live-object counters. The counters let tests prove that an autograd
// graph is freed after backward; the byte statistics feed the profiler and the benchmark suites.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tinytorch::memory {

struct Stats {
  int64_t current_bytes = 0;    // bytes held by live storages (requested sizes)
  int64_t peak_bytes = 0;       // high-water mark of current_bytes since the last reset_peak()
  int64_t allocations = 0;      // number of storage allocations since start
  int64_t reserved_bytes = 0;   // bytes obtained from the system, including allocator caches
};

Stats stats();
void reset_peak();

int64_t live_storages();  // Storage objects alive now
int64_t live_tensors();   // TensorImpl objects alive now

// Raw allocation used by Storage; 64-byte aligned so SIMD kernels may use aligned loads.
void* allocate(size_t nbytes);
void deallocate(void* ptr, size_t nbytes);

}  // namespace tinytorch::memory
