// AdamW: decoupled weight decay in front of Adam's step (formulas in tinytorch/optim/adamw.h).
#include "tinytorch/optim/adamw.h"

namespace tinytorch::optim {

GroupOptions AdamWOptions::to_map() const {
  return {{"lr", lr_},
          {"beta1", beta1_},
          {"beta2", beta2_},
          {"eps", eps_},
          {"weight_decay", weight_decay_},
          {"amsgrad", amsgrad_ ? 1.0 : 0.0}};
}

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamWOptions& defaults) : Adam("AdamW", defaults.to_map()) {
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void AdamW::update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) {
  adam_step(param, grad, state, group, true);
}

}  // namespace tinytorch::optim
