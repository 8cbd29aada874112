// Adam's update (formulas in tinytorch/optim/adam.h), written as tensor ops in PyTorch's order:
// torch's addcmul/addcdiv become a product or quotient followed by add_.
#include "tinytorch/optim/adam.h"

#include <cmath>

#include "optim/option_checks.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"

namespace tinytorch::optim {

GroupOptions AdamOptions::to_map() const {
  return {{"lr", lr_},
          {"beta1", beta1_},
          {"beta2", beta2_},
          {"eps", eps_},
          {"weight_decay", weight_decay_},
          {"amsgrad", amsgrad_ ? 1.0 : 0.0}};
}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& defaults) : Adam("Adam", defaults.to_map()) {
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

Adam::Adam(std::string name, const GroupOptions& defaults) : Optimizer(std::move(name), defaults) {
  check_options(this->defaults());
}

void Adam::check_options(const GroupOptions& options) const {
  for (const char* key : {"lr", "eps", "weight_decay"}) detail::check_non_negative(options, name(), key);
  for (const char* key : {"beta1", "beta2"}) detail::check_unit_interval(options, name(), key);
  detail::option(options, name(), "amsgrad");
}

std::vector<std::string> Adam::state_keys(const ParamGroup& group) const {
  if (group.flag("amsgrad")) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  return {"exp_avg", "exp_avg_sq"};
}

void Adam::update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) {
  const double weight_decay = group.get("weight_decay");
  adam_step(param, weight_decay != 0.0 ? add(grad, param, weight_decay) : grad, state, group);
}

void Adam::adam_step(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) {
  const bool amsgrad = group.flag("amsgrad");
  if (state.buffers.empty()) {
    state.buffers["exp_avg"] = zeros_like(param);
    state.buffers["exp_avg_sq"] = zeros_like(param);
    if (amsgrad) state.buffers["max_exp_avg_sq"] = zeros_like(param);
  }
  const double beta1 = group.get("beta1"), beta2 = group.get("beta2");
  Tensor& exp_avg = state.buffers.at("exp_avg");
  Tensor& exp_avg_sq = state.buffers.at("exp_avg_sq");
  exp_avg.mul_(beta1).add_(grad, 1.0 - beta1);
  exp_avg_sq.mul_(beta2).add_(grad * (1.0 - beta2) * grad);

  const double step = static_cast<double>(state.step);
  const double bias_correction1 = 1.0 - std::pow(beta1, step);
  const double bias_correction2 = 1.0 - std::pow(beta2, step);
  Tensor second_moment = exp_avg_sq;
  if (amsgrad) {
    Tensor& max_exp_avg_sq = state.buffers.at("max_exp_avg_sq");
    max_exp_avg_sq.copy_(maximum(max_exp_avg_sq, exp_avg_sq));
    second_moment = max_exp_avg_sq;
  }
  const Tensor denom = sqrt(second_moment) / std::sqrt(bias_correction2) + group.get("eps");
  Tensor(param).add_(exp_avg * (-group.get("lr") / bias_correction1) / denom);
}

}  // namespace tinytorch::optim
