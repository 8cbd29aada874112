// The caching allocator behind Storage (see tinytorch/memory.h) and its byte statistics.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tinytorch/error.h"
#include "tinytorch/memory.h"

namespace tinytorch::memory {
namespace {

constexpr size_t kAlignment = 64;
constexpr size_t kSmallLimit = 1024;

size_t size_class(size_t nbytes) {
  if (nbytes <= kSmallLimit) return std::max(kAlignment, (nbytes + kAlignment - 1) / kAlignment * kAlignment);
  size_t power = kSmallLimit;
  while (power * 2 < nbytes) power *= 2;
  const size_t step = power / 4;
  return (nbytes + step - 1) / step * step;
}

bool caching_from_environment() {
  const char* value = std::getenv("TINYTORCH_CACHING_ALLOCATOR");
  return value == nullptr || std::strcmp(value, "0") != 0;
}

// One lock guards the free lists and the statistics: allocation is rare next to the kernels that
// fill the memory, and DataLoader workers allocate concurrently with the training thread.
struct Allocator {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;
  bool caching = caching_from_environment();
  Stats stats;

  void* take_cached(size_t block) {
    auto it = free_blocks.find(block);
    if (it == free_blocks.end() || it->second.empty()) return nullptr;
    void* ptr = it->second.back();
    it->second.pop_back();
    stats.cached_bytes -= static_cast<int64_t>(block);
    return ptr;
  }

  void release_cache() {
    for (auto& [block, pointers] : free_blocks) {
      for (void* ptr : pointers) std::free(ptr);
      stats.reserved_bytes -= static_cast<int64_t>(block * pointers.size());
    }
    free_blocks.clear();
    stats.cached_bytes = 0;
  }
};

Allocator& allocator() {
  static auto* instance = new Allocator();  // never destroyed: storages may outlive static destructors
  return *instance;
}

}  // namespace

void* allocate(size_t nbytes) {
  const size_t block = size_class(nbytes);
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mutex);
  void* ptr = a.caching ? a.take_cached(block) : nullptr;
  if (ptr == nullptr) {
    ptr = std::aligned_alloc(kAlignment, block);
    if (ptr == nullptr && a.stats.cached_bytes > 0) {
      a.release_cache();
      ptr = std::aligned_alloc(kAlignment, block);
    }
    if (ptr == nullptr)
      throw Error(
          fmt::format("allocate: out of memory requesting {} bytes ({} reserved); free tensors or use "
                      "smaller batches",
                      nbytes, a.stats.reserved_bytes));
    a.stats.system_allocations += 1;
    a.stats.reserved_bytes += static_cast<int64_t>(block);
    a.stats.peak_reserved_bytes = std::max(a.stats.peak_reserved_bytes, a.stats.reserved_bytes);
  }
  a.stats.allocations += 1;
  a.stats.current_bytes += static_cast<int64_t>(nbytes);
  a.stats.peak_bytes = std::max(a.stats.peak_bytes, a.stats.current_bytes);
  return ptr;
}

void deallocate(void* ptr, size_t nbytes) {
  const size_t block = size_class(nbytes);
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.stats.current_bytes -= static_cast<int64_t>(nbytes);
  if (a.caching) {
    a.free_blocks[block].push_back(ptr);
    a.stats.cached_bytes += static_cast<int64_t>(block);
    return;
  }
  std::free(ptr);
  a.stats.reserved_bytes -= static_cast<int64_t>(block);
}

Stats stats() {
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mutex);
  return a.stats;
}

void reset_peak() {
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.stats.peak_bytes = a.stats.current_bytes;
  a.stats.peak_reserved_bytes = a.stats.reserved_bytes;
}

void empty_cache() {
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.release_cache();
}

void set_caching_enabled(bool enabled) {
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.caching = enabled;
  if (!enabled) a.release_cache();
}

bool caching_enabled() {
  Allocator& a = allocator();
  std::lock_guard<std::mutex> lock(a.mutex);
  return a.caching;
}

}  // namespace tinytorch::memory
