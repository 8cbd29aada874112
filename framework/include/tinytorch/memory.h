// Allocation statistics, the caching allocator's controls and live-object counters. The counters let
// tests prove that an autograd graph is freed after backward; the byte statistics feed the
// profiler and the benchmark suites.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tinytorch::memory {

struct Stats {
  int64_t current_bytes = 0;        // bytes held by live storages (requested sizes)
  int64_t peak_bytes = 0;           // high-water mark of current_bytes since the last reset_peak()
  int64_t allocations = 0;          // storage allocations since start
  int64_t system_allocations = 0;   // allocations the cache could not serve (went to the system)
  int64_t reserved_bytes = 0;       // bytes obtained from the system and not yet returned
  int64_t peak_reserved_bytes = 0;  // high-water mark of reserved_bytes since the last reset_peak()
  int64_t cached_bytes = 0;         // part of reserved_bytes idle in the cache, ready for reuse
};

Stats stats();
void reset_peak();

int64_t live_storages();  // Storage objects alive now
int64_t live_tensors();   // TensorImpl objects alive now

// Raw allocation used by Storage; 64-byte aligned so SIMD kernels may use aligned loads. Freed
// blocks are kept in per-size-class free lists and handed out again, so a training loop that
// allocates the same shapes every step stops touching the system allocator (and its page faults)
// after the first step. Size classes are 64-byte multiples up to 1 KiB, then four per power of
// two, so a block wastes at most a quarter of its size.
void* allocate(size_t nbytes);
void deallocate(void* ptr, size_t nbytes);

// Returns every cached block to the system.
void empty_cache();
// Caching is on unless TINYTORCH_CACHING_ALLOCATOR=0; turning it off empties the cache.
void set_caching_enabled(bool enabled);
bool caching_enabled();

}  // namespace tinytorch::memory
