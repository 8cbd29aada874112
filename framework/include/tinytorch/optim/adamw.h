// AdamW: Adam with decoupled weight decay, as torch.optim.AdamW (PyTorch 1.13): the parameter is
// first shrunk, p = p * (1 - lr * weight_decay), then takes Adam's step from the raw gradient.
#pragma once

#include "tinytorch/optim/adam.h"

namespace tinytorch::optim {

// Adam's options with PyTorch's AdamW default weight decay, 1e-2 (its setters return AdamOptions&,
// which AdamW takes).
struct AdamWOptions : AdamOptions {
  explicit AdamWOptions(double lr = 1e-3) : AdamOptions(lr) { weight_decay(1e-2); }
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<ParamGroup> groups, const AdamOptions& defaults);
  AdamW(TensorList params, const AdamOptions& defaults = AdamWOptions())
      : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) override;
};

}  // namespace tinytorch::optim
