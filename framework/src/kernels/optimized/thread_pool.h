// Fork-join parallelism for the optimized kernels: a pool of persistent workers and parallel_for.
// Partitioning is static: the chunks depend only on the range, the grain and the thread count, never
// on timing, so a kernel that keeps each reduction inside one chunk is bitwise reproducible.
#pragma once

#include <cstdint>
#include <functional>

namespace tinytorch::kernels::optimized {

// Calls fn(chunk_begin, chunk_end) for contiguous, balanced chunks covering [begin, end), one chunk
// per thread and each at least `grain` long. Chunk 0 runs on the calling thread. Runs everything
// inline when called from inside a parallel region or while another thread owns the pool.
void parallel_for(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Threads parallel_for would use for a range of `work_items` items at grain 1.
int parallel_width(int64_t work_items);

}  // namespace tinytorch::kernels::optimized
