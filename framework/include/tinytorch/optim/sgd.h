// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay, as
// torch.optim.SGD (PyTorch 1.13):
//   g = grad + weight_decay * p
//   b = g on the first step, else momentum * b + (1 - dampening) * g
//   g = nesterov ? g + momentum * b : b          (only when momentum != 0)
//   p = p - lr * g
#pragma once

#include "tinytorch/optim/optimizer.h"

namespace tinytorch::optim {

struct SGDOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  TT_OPTIM_ARG(double, lr, 0.0);
  TT_OPTIM_ARG(double, momentum, 0.0);
  TT_OPTIM_ARG(double, dampening, 0.0);
  TT_OPTIM_ARG(double, weight_decay, 0.0);
  TT_OPTIM_ARG(bool, nesterov, false);

 public:
  GroupOptions to_map() const;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults);
  SGD(TensorList params, const SGDOptions& defaults)
      : SGD(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  void check_options(const GroupOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) override;
  std::vector<std::string> state_keys(const ParamGroup& group) const override;
};

}  // namespace tinytorch::optim
