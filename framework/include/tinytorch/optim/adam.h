// Adam (with the AMSGrad variant) and its L2-coupled weight decay, as torch.optim.Adam (PyTorch 1.13):
//   g = grad + weight_decay * p
//   m = beta1 * m + (1 - beta1) * g,   v = beta2 * v + (1 - beta2) * g²
//   v_max = max(v_max, v) when amsgrad (and used in place of v below)
//   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
#pragma once

#include "tinytorch/optim/optimizer.h"

namespace tinytorch::optim {

struct AdamOptions {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  TT_OPTIM_ARG(double, lr, 1e-3);
  TT_OPTIM_ARG(double, beta1, 0.9);
  TT_OPTIM_ARG(double, beta2, 0.999);
  TT_OPTIM_ARG(double, eps, 1e-8);
  TT_OPTIM_ARG(double, weight_decay, 0.0);
  TT_OPTIM_ARG(bool, amsgrad, false);

 public:
  auto& betas(double b1, double b2) {
    beta1_ = b1;
    beta2_ = b2;
    return *this;
  }
  GroupOptions to_map() const;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults);
  Adam(TensorList params, const AdamOptions& defaults = AdamOptions())
      : Adam(std::vector<ParamGroup>{ParamGroup(std::move(params))}, defaults) {}

 protected:
  // For AdamW, which shares the moment updates and differs in how weight decay is applied.
  Adam(std::string name, const GroupOptions& defaults);
  void check_options(const GroupOptions& options) const override;
  void update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) override;
  std::vector<std::string> state_keys(const ParamGroup& group) const override;
  // The moment updates and the parameter step, with L2-coupled (Adam) or decoupled (AdamW) weight decay.
  static void adam_step(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group,
                        bool decoupled_decay);
};

}  // namespace tinytorch::optim
