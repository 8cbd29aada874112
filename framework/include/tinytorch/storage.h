// Reference-counted block of memory shared by a tensor and all of its views.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "tinytorch/device.h"

namespace tinytorch {

class Storage {
 public:
  explicit Storage(size_t nbytes, Device device = Device::CPU);
  // Wraps memory owned by someone else (from_blob); it is never freed by the storage.
  Storage(void* external, size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // Bumped by every in-place write so autograd can detect a saved tensor that was modified.
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_ = Device::CPU;
  bool owned_ = true;
  std::atomic<uint64_t> version_{0};
};

}  // namespace tinytorch
