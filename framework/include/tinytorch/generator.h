// Seedable random source for rand/randn/randint/dropout/shuffling. Streams are reproducible for a
// seed on every platform (splitmix64 seeding, xoshiro256** stepping); they do not match PyTorch's
// streams, so tests that compare against LibTorch copy the data across instead.
#pragma once

#include <cstdint>

namespace tinytorch {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0x5eed) { manual_seed(seed); }
  void manual_seed(uint64_t seed);
  uint64_t next_u64();
  double next_uniform();  // [0, 1)
  double next_normal();   // mean 0, stddev 1
  uint64_t seed() const { return seed_; }

 private:
  uint64_t seed_ = 0;
  uint64_t state_[4] = {};
  bool has_spare_normal_ = false;
  double spare_normal_ = 0;
};

// The process-wide generator used when an op is not given one.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace tinytorch
