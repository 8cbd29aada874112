// nn::Dropout: tt::dropout switched by the module's training flag.
#include "tinytorch/nn/dropout.h"

#include "tinytorch/ops/nn_functional.h"

namespace tinytorch::nn {

Dropout::Dropout(double p_, Generator* generator_) : Module("Dropout"), p(p_), generator(generator_) {
  TT_CHECK(p >= 0.0 && p <= 1.0, "Dropout: probability p must be in [0, 1], got {}", p);
}

Tensor Dropout::forward(const Tensor& input) { return dropout(input, p, is_training(), generator); }

std::string Dropout::extra_repr() const { return fmt::format("p={}", p); }

}  // namespace tinytorch::nn
