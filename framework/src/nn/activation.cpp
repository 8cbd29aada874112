// Parameter-free layers: each forward is one op call; the op validates its input.
#include "tinytorch/nn/activation.h"

#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/nn_functional.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch::nn {

Tensor ReLU::forward(const Tensor& input) { return relu(input); }

Tensor LeakyReLU::forward(const Tensor& input) { return leaky_relu(input, negative_slope); }
std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", negative_slope); }

GELU::GELU(std::string approximate_) : Module("GELU"), approximate(std::move(approximate_)) {
  TT_CHECK(approximate == "none" || approximate == "tanh", "GELU: approximate must be \"none\" or \"tanh\", got \"{}\"",
           approximate);
}
Tensor GELU::forward(const Tensor& input) { return gelu(input, approximate); }
std::string GELU::extra_repr() const { return "approximate='" + approximate + "'"; }

Tensor SiLU::forward(const Tensor& input) { return silu(input); }

Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }

Tensor Tanh::forward(const Tensor& input) { return tanh(input); }

Tensor Softmax::forward(const Tensor& input) { return softmax(input, dim); }
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim); }

Tensor Flatten::forward(const Tensor& input) { return flatten(input, start_dim, end_dim); }
std::string Flatten::extra_repr() const { return fmt::format("start_dim={}, end_dim={}", start_dim, end_dim); }

}  // namespace tinytorch::nn
