// AdamW: decoupled weight decay in front of Adam's step (formulas in tinytorch/optim/adamw.h).
#include "tinytorch/optim/adamw.h"

namespace tinytorch::optim {

AdamW::AdamW(std::vector<ParamGroup> groups, const AdamOptions& defaults) : Adam("AdamW", defaults.to_map()) {
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void AdamW::update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) {
  adam_step(param, grad, state, group, true);
}

}  // namespace tinytorch::optim
