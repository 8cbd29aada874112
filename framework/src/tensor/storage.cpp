// Storage lifetime; the bytes come from the caching allocator (allocator.cpp).
#include "tinytorch/storage.h"

#include <atomic>

#include "tinytorch/error.h"
#include "tinytorch/memory.h"

namespace tinytorch {
namespace {
std::atomic<int64_t> g_live_storages{0};
}  // namespace

int64_t memory::live_storages() { return g_live_storages.load(); }

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  TT_CHECK(device == Device::CPU, "storage: device {} is not available in this build; use the CPU",
           device_name(device));
  data_ = memory::allocate(nbytes);
  g_live_storages.fetch_add(1);
}

Storage::Storage(void* external, size_t nbytes) : data_(external), nbytes_(nbytes), owned_(false) {
  g_live_storages.fetch_add(1);
}

Storage::~Storage() {
  if (owned_) {
    memory::deallocate(data_, nbytes_);
  }
  g_live_storages.fetch_sub(1);
}

}  // namespace tinytorch
