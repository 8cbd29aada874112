// The caching allocator: blocks are 64-byte aligned, freed blocks are reused without a new system
// allocation, statistics track requested, reserved and cached bytes, empty_cache() and disabling
// the cache return memory, and a repeated training-like step stops allocating from the system.
#include <cstdint>

#include "support/op_harness.h"
#include "tinytorch/memory.h"

namespace {
namespace mem = tt::memory;

// Restores the caching switch a test changed.
struct CachingGuard {
  bool previous = mem::caching_enabled();
  ~CachingGuard() { mem::set_caching_enabled(previous); }
};

TEST(CachingAllocator, BlocksAre64ByteAligned) {
  for (int64_t n : {1, 3, 17, 1000, 100003}) {
    tt::Tensor t = tt::empty({n});
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.raw_data()) % 64, 0u) << n;
  }
}

TEST(CachingAllocator, FreedBlockIsReusedWithoutSystemAllocation) {
  CachingGuard guard;
  mem::set_caching_enabled(true);
  void* first = nullptr;
  {
    tt::Tensor t = tt::empty({12345});
    first = t.raw_data();
  }
  const auto before = mem::stats();
  tt::Tensor again = tt::empty({12300});  // same size class
  const auto after = mem::stats();
  EXPECT_EQ(again.raw_data(), first);
  EXPECT_EQ(after.system_allocations, before.system_allocations);
  EXPECT_EQ(after.allocations, before.allocations + 1);
  EXPECT_LT(after.cached_bytes, before.cached_bytes);
  EXPECT_EQ(after.reserved_bytes, before.reserved_bytes);
}

TEST(CachingAllocator, StatisticsTrackRequestedAndReservedBytes) {
  CachingGuard guard;
  mem::set_caching_enabled(true);
  mem::empty_cache();
  const auto start = mem::stats();
  mem::reset_peak();
  {
    tt::Tensor a = tt::empty({1000}, tt::kFloat32);  // 4000 bytes requested
    tt::Tensor b = tt::empty({3}, tt::kFloat64);     // 24 bytes requested
    const auto held = mem::stats();
    EXPECT_EQ(held.current_bytes, start.current_bytes + 4024);
    EXPECT_GE(held.reserved_bytes - start.reserved_bytes, 4024);
    EXPECT_LE(held.reserved_bytes - start.reserved_bytes, 4024 * 5 / 4 + 64);  // size-class waste <= 25%
  }
  const auto freed = mem::stats();
  EXPECT_EQ(freed.current_bytes, start.current_bytes);
  EXPECT_EQ(freed.peak_bytes, start.current_bytes + 4024);
  EXPECT_GT(freed.cached_bytes, 0);
  mem::empty_cache();
  const auto emptied = mem::stats();
  EXPECT_EQ(emptied.cached_bytes, 0);
  EXPECT_EQ(emptied.reserved_bytes, freed.reserved_bytes - freed.cached_bytes);
}

TEST(CachingAllocator, DisabledCacheReturnsBlocksImmediately) {
  CachingGuard guard;
  mem::set_caching_enabled(false);
  const auto start = mem::stats();
  { tt::Tensor t = tt::empty({50000}); }
  const auto after = mem::stats();
  EXPECT_EQ(after.cached_bytes, 0);
  EXPECT_EQ(after.reserved_bytes, start.reserved_bytes);
  EXPECT_EQ(after.system_allocations, start.system_allocations + 1);
}

TEST(CachingAllocator, RepeatedTrainingStepStopsAllocatingFromTheSystem) {
  CachingGuard guard;
  mem::set_caching_enabled(true);
  tt::Generator gen(3);
  tt::Tensor w = tt::randn({64, 32}, tt::kFloat32, &gen).requires_grad_(true);
  tt::Tensor x = tt::randn({16, 64}, tt::kFloat32, &gen);
  auto step = [&] {
    tt::Tensor loss = tt::relu(tt::matmul(x, w)).sum();
    loss.backward();
    w.set_grad(tt::Tensor());
  };
  step();
  const int64_t warm = mem::stats().system_allocations;
  for (int i = 0; i < 5; ++i) step();
  EXPECT_EQ(mem::stats().system_allocations, warm);
}

}  // namespace
