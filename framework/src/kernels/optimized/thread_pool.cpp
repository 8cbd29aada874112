// The process-wide worker pool behind parallel_for, and the public thread-count API.
// Workers sleep on a condition variable between jobs; a job is published under the mutex with a new
// generation number, and the caller runs chunk 0 itself, then waits for the others.
#include "kernels/optimized/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tinytorch/error.h"
#include "tinytorch/threading.h"

namespace tinytorch {
namespace kernels::optimized {
namespace {

class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs task(i) for every i in [0, count), count <= threads; task(0) on the calling thread.
  void run(int count, const std::function<void(int)>& task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &task;
      task_count_ = count;
      pending_ = count - 1;
      error_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    std::exception_ptr caller_error;
    try {
      task(0);
    } catch (...) {
      caller_error = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    task_ = nullptr;
    if (caller_error) std::rethrow_exception(caller_error);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void worker_loop(int index) {
    uint64_t seen = 0;
    while (true) {
      const std::function<void(int)>* task = nullptr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (index >= task_count_) continue;
        task = task_;
      }
      std::exception_ptr error;
      try {
        (*task)(index);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex_);
      if (error && !error_) error_ = error;
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int task_count_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
};

int default_num_threads() {
  if (const char* env = std::getenv("TINYTORCH_NUM_THREADS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long value = std::strtol(env, &end, 10);
    TT_CHECK(*end == '\0' && value >= 1 && value <= 1024,
             "TINYTORCH_NUM_THREADS: expected a positive thread count, got \"{}\"; unset it or use e.g. 4", env);
    return static_cast<int>(value);
  }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// One pool per process. `owner` is held for a whole parallel region (and while resizing), so one
// user thread at a time uses the workers; others fall back to running inline.
struct PoolState {
  std::mutex owner;
  std::atomic<int> threads{default_num_threads()};
  std::unique_ptr<ThreadPool> pool;
};

PoolState& state() {
  static PoolState s;
  return s;
}

thread_local bool in_parallel_region = false;

// Restores in_parallel_region even when a chunk throws.
class RegionFlag {
 public:
  RegionFlag() : previous_(in_parallel_region) { in_parallel_region = true; }
  ~RegionFlag() { in_parallel_region = previous_; }
  RegionFlag(const RegionFlag&) = delete;
  RegionFlag& operator=(const RegionFlag&) = delete;

 private:
  bool previous_;
};

int64_t chunk_count(int64_t items, int64_t grain, int threads) {
  const int64_t by_grain = (items + grain - 1) / grain;
  return std::max<int64_t>(1, std::min<int64_t>(threads, by_grain));
}
}  // namespace

int parallel_width(int64_t work_items) {
  if (in_parallel_region) return 1;
  return static_cast<int>(chunk_count(work_items, 1, state().threads));
}

void parallel_for(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (end <= begin) return;
  const int64_t items = end - begin;
  PoolState& s = state();
  std::unique_lock<std::mutex> owner(s.owner, std::defer_lock);
  if (in_parallel_region || !owner.try_lock()) {
    RegionFlag region;
    fn(begin, end);
    return;
  }
  const int64_t chunks = chunk_count(items, std::max<int64_t>(grain, 1), s.threads);
  if (chunks == 1) {
    owner.unlock();
    fn(begin, end);
    return;
  }
  if (!s.pool) s.pool = std::make_unique<ThreadPool>(s.threads);
  s.pool->run(static_cast<int>(chunks), [&](int chunk) {
    RegionFlag region;
    fn(begin + items * chunk / chunks, begin + items * (chunk + 1) / chunks);
  });
}

}  // namespace kernels::optimized

void set_num_threads(int threads) {
  TT_CHECK(threads >= 1 && threads <= 1024, "set_num_threads: expected a thread count in [1, 1024], got {}", threads);
  TT_CHECK(!kernels::optimized::in_parallel_region,
           "set_num_threads: called from inside a parallel kernel; set the thread count before running ops");
  auto& s = kernels::optimized::state();
  std::lock_guard<std::mutex> owner(s.owner);
  if (s.threads == threads) return;
  s.pool.reset();
  s.threads = threads;
}

int get_num_threads() { return kernels::optimized::state().threads; }

}  // namespace tinytorch
