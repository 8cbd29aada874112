// nn::Linear: registration, PyTorch's default initialisation and the forward through tt::linear.
#include "tinytorch/nn/linear.h"

#include <cmath>

#include "tinytorch/nn/init.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/linalg.h"

namespace tinytorch::nn {

Linear::Linear(int64_t in_features_, int64_t out_features_, bool bias_)
    : Module("Linear"), in_features(in_features_), out_features(out_features_) {
  TT_CHECK(in_features >= 0 && out_features >= 0, "Linear: in_features ({}) and out_features ({}) must be >= 0",
           in_features, out_features);
  weight = register_parameter("weight", empty({out_features, in_features}));
  if (bias_) bias = register_parameter("bias", empty({out_features}));
  reset_parameters();
}

void Linear::reset_parameters(Generator* generator) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, init::Nonlinearity::LeakyReLU, generator);
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
    init::uniform_(bias, -bound, bound, generator);
  }
}

Tensor Linear::forward(const Tensor& input) {
  TT_CHECK(input.dim() >= 1 && input.size(-1) == in_features,
           "Linear: input of shape {} does not end in in_features = {}; reshape or flatten it to [*, {}]",
           shape_str(input.sizes()), in_features, in_features);
  return linear(input, weight, bias);
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features, out_features, bias.defined());
}

}  // namespace tinytorch::nn
