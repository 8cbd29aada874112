// Adagrad, as torch.optim.Adagrad (PyTorch 1.13):
//   g = grad + weight_decay * p
//   clr = lr / (1 + (t - 1) * lr_decay)
//   s = s + g²            (s starts at initial_accumulator_value)
//   p = p - clr * g / (sqrt(s) + eps)
#pragma once

#include "tinytorch/optim/optimizer.h"

namespace tinytorch::optim {

struct AdagradOptions {
  explicit AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  TT_OPTIM_ARG(double, lr, 1e-2);
  TT_OPTIM_ARG(double, lr_decay, 0.0);
  TT_OPTIM_ARG(double, weight_decay, 0.0);
  TT_OPTIM_ARG(double, initial_accumulator_value, 0.0);
  TT_OPTIM_ARG(double, eps, 1e-10);

 public:
  GroupOptions to_map() const;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults);
  Adagrad(TensorList params, const AdagradOptions& defaults = AdagradOptions())
      : Adagrad(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  void check_options(const GroupOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) override;
  std::vector<std::string> state_keys(const ParamGroup& group) const override;
};

}  // namespace tinytorch::optim
