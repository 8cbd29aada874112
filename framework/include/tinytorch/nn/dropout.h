// nn::Dropout: zeroes elements with probability p and scales the rest by 1/(1-p) in training mode;
// the identity in eval mode, as torch.nn.Dropout.
#pragma once

#include "tinytorch/generator.h"
#include "tinytorch/nn/module.h"

namespace tinytorch::nn {

class Dropout : public Module {
 public:
  // generator = nullptr draws masks from tt::default_generator(); it must outlive the module.
  explicit Dropout(double p = 0.5, Generator* generator = nullptr);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  double p;
  Generator* generator;
};

}  // namespace tinytorch::nn
