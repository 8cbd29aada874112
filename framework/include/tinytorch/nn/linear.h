// nn::Linear: y = x · weightᵀ + bias, weight [out_features, in_features], as torch.nn.Linear.
#pragma once

#include "tinytorch/generator.h"
#include "tinytorch/nn/module.h"

namespace tinytorch::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& input) override;
  // PyTorch's default: weight and bias ~ U(-1/sqrt(in_features), 1/sqrt(in_features)).
  void reset_parameters(Generator* generator = nullptr);
  std::string extra_repr() const override;

  int64_t in_features, out_features;
  Tensor weight;
  Tensor bias;  // undefined without bias
};

}  // namespace tinytorch::nn
