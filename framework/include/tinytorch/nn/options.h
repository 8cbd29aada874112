// Shared pieces of the layers' option structs: Size2 (one int for both spatial dims, or two) and
// the TT_NN_ARG macro that gives an option a chainable setter and a getter, as PyTorch's TORCH_ARG:
//   nn::Conv2d conv(nn::Conv2dOptions(3, 16, 3).stride(2).padding(1).bias(false));
#pragma once

#include <cstdint>

#include "tinytorch/ops/nn_functional.h"

namespace tinytorch::nn {

struct Size2 {
  Size2(int64_t both) : value{both, both} {}  // NOLINT: `kernel_size = 3` reads naturally
  Size2(int64_t h, int64_t w) : value{h, w} {}
  Size2(Pair pair) : value(pair) {}        // NOLINT
  operator Pair() const { return value; }  // NOLINT
  int64_t operator[](size_t i) const { return value[i]; }
  Pair value;
};

}  // namespace tinytorch::nn

#define TT_NN_ARG(T, name)                  \
 public:                                    \
  auto& name(const T& new_value) {          \
    name##_ = new_value;                    \
    return *this;                           \
  }                                         \
  const T& name() const { return name##_; } \
                                            \
 private:                                   \
  T name##_
