// AdamW: Adam with decoupled weight decay, as torch.optim.AdamW (PyTorch 1.13): the parameter is
// first shrunk, p = p * (1 - lr * weight_decay), then takes Adam's step from the raw gradient.
#pragma once

#include "tinytorch/optim/adam.h"

namespace tinytorch::optim {

struct AdamWOptions {
  explicit AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  TT_OPTIM_ARG(double, lr, 1e-3);
  TT_OPTIM_ARG(double, beta1, 0.9);
  TT_OPTIM_ARG(double, beta2, 0.999);
  TT_OPTIM_ARG(double, eps, 1e-8);
  TT_OPTIM_ARG(double, weight_decay, 1e-2);
  TT_OPTIM_ARG(bool, amsgrad, false);

 public:
  auto& betas(double b1, double b2) {
    beta1_ = b1;
    beta2_ = b2;
    return *this;
  }
  GroupOptions to_map() const;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults);
  AdamW(TensorList params, const AdamWOptions& defaults = AdamWOptions())
      : AdamW(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  void update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) override;
};

}  // namespace tinytorch::optim
