// SGD's update (formulas in tinytorch/optim/sgd.h), written as tensor ops in PyTorch's order.
#include "tinytorch/optim/sgd.h"

#include "optim/option_checks.h"
#include "tinytorch/ops/elementwise.h"

namespace tinytorch::optim {

GroupOptions SGDOptions::to_map() const {
  return {{"lr", lr_},
          {"momentum", momentum_},
          {"dampening", dampening_},
          {"weight_decay", weight_decay_},
          {"nesterov", nesterov_ ? 1.0 : 0.0}};
}

SGD::SGD(std::vector<ParamGroup> groups, const SGDOptions& defaults) : Optimizer("SGD", defaults.to_map()) {
  check_options(this->defaults());
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void SGD::check_options(const GroupOptions& options) const {
  for (const char* key : {"lr", "momentum", "weight_decay"}) detail::check_non_negative(options, "SGD", key);
  const bool nesterov = detail::option(options, "SGD", "nesterov") != 0.0;
  const double momentum = options.at("momentum"), dampening = detail::option(options, "SGD", "dampening");
  TT_CHECK(!nesterov || (momentum > 0.0 && dampening == 0.0),
           "SGD: Nesterov momentum needs momentum > 0 and dampening 0, got momentum {} and dampening {}", momentum,
           dampening);
}

std::vector<std::string> SGD::state_keys(const ParamGroup& group) const {
  if (group.get("momentum") == 0.0) return {};
  return {"momentum_buffer"};
}

void SGD::update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) {
  const double weight_decay = group.get("weight_decay"), momentum = group.get("momentum");
  Tensor d_p = weight_decay != 0.0 ? add(grad, param, weight_decay) : grad;
  if (momentum != 0.0) {
    Tensor buffer;
    if (auto it = state.buffers.find("momentum_buffer"); it == state.buffers.end()) {
      buffer = d_p.clone();
      state.buffers["momentum_buffer"] = buffer;
    } else {
      buffer = it->second;
      buffer.mul_(momentum).add_(d_p, 1.0 - group.get("dampening"));
    }
    d_p = group.flag("nesterov") ? add(d_p, buffer, momentum) : buffer;
  }
  Tensor(param).add_(d_p, -group.get("lr"));
}

}  // namespace tinytorch::optim
