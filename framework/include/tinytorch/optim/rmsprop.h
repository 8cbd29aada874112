// RMSprop with momentum and the centered variant, as torch.optim.RMSprop (PyTorch 1.13):
//   g = grad + weight_decay * p
//   v = alpha * v + (1 - alpha) * g²
//   centered: a = alpha * a + (1 - alpha) * g,  d = sqrt(v - a²) + eps;  else d = sqrt(v) + eps
//   momentum > 0: b = momentum * b + g / d,  p = p - lr * b;  else p = p - lr * g / d
#pragma once

#include "tinytorch/optim/optimizer.h"

namespace tinytorch::optim {

struct RMSpropOptions {
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  TT_OPTIM_ARG(double, lr, 1e-2);
  TT_OPTIM_ARG(double, alpha, 0.99);
  TT_OPTIM_ARG(double, eps, 1e-8);
  TT_OPTIM_ARG(double, weight_decay, 0.0);
  TT_OPTIM_ARG(double, momentum, 0.0);
  TT_OPTIM_ARG(bool, centered, false);

 public:
  GroupOptions to_map() const;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults);
  RMSprop(TensorList params, const RMSpropOptions& defaults = RMSpropOptions())
      : RMSprop(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  void check_options(const GroupOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) override;
  std::vector<std::string> state_keys(const ParamGroup& group) const override;
};

}  // namespace tinytorch::optim
