// Storage lifetime and the allocation statistics behind tinytorch::memory.
#include "tinytorch/storage.h"

#include <atomic>
#include <cstdlib>
#include <new>

#include "tinytorch/error.h"
#include "tinytorch/memory.h"

namespace tinytorch {
namespace {
std::atomic<int64_t> g_live_storages{0};
std::atomic<int64_t> g_current_bytes{0};
std::atomic<int64_t> g_peak_bytes{0};
std::atomic<int64_t> g_allocations{0};

void note_allocation(int64_t nbytes) {
  const int64_t now = g_current_bytes.fetch_add(nbytes) + nbytes;
  int64_t peak = g_peak_bytes.load();
  while (now > peak && !g_peak_bytes.compare_exchange_weak(peak, now)) {
  }
  g_allocations.fetch_add(1);
}
}  // namespace

namespace memory {
Stats stats() {
  Stats s;
  s.current_bytes = g_current_bytes.load();
  s.peak_bytes = g_peak_bytes.load();
  s.allocations = g_allocations.load();
  s.reserved_bytes = s.current_bytes;
  return s;
}
void reset_peak() { g_peak_bytes.store(g_current_bytes.load()); }
int64_t live_storages() { return g_live_storages.load(); }

void* allocate(size_t nbytes) {
  const size_t rounded = (nbytes + 63) / 64 * 64;
  void* ptr = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (ptr == nullptr) throw Error(fmt::format("allocate: out of memory requesting {} bytes", nbytes));
  return ptr;
}
void deallocate(void* ptr, size_t /*nbytes*/) { std::free(ptr); }
}  // namespace memory

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  TT_CHECK(device == Device::CPU, "storage: device {} is not available in this build; use the CPU",
           device_name(device));
  data_ = memory::allocate(nbytes);
  note_allocation(static_cast<int64_t>(nbytes));
  g_live_storages.fetch_add(1);
}

Storage::Storage(void* external, size_t nbytes) : data_(external), nbytes_(nbytes), owned_(false) {
  g_live_storages.fetch_add(1);
}

Storage::~Storage() {
  if (owned_) {
    memory::deallocate(data_, nbytes_);
    g_current_bytes.fetch_sub(static_cast<int64_t>(nbytes_));
  }
  g_live_storages.fetch_sub(1);
}

}  // namespace tinytorch
