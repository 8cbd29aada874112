// Grow-only scratch buffers, one per thread and Tag (the tag tells apart buffers a kernel holds at
// the same time). Pool workers are persistent, so each buffer is allocated once per thread and
// bounded by the largest request.
#pragma once

#include <cstdint>
#include <vector>

namespace tinytorch::kernels::optimized {

template <class T, int Tag>
T* thread_scratch(int64_t count) {
  thread_local std::vector<T> buffer;
  if (static_cast<int64_t>(buffer.size()) < count) buffer.resize(static_cast<size_t>(count));
  return buffer.data();
}

}  // namespace tinytorch::kernels::optimized
