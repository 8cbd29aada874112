// RMSprop's update (formulas in tinytorch/optim/rmsprop.h), written as tensor ops in PyTorch's order.
#include "tinytorch/optim/rmsprop.h"

#include "optim/option_checks.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"

namespace tinytorch::optim {

GroupOptions RMSpropOptions::to_map() const {
  return {{"lr", lr_},
          {"alpha", alpha_},
          {"eps", eps_},
          {"weight_decay", weight_decay_},
          {"momentum", momentum_},
          {"centered", centered_ ? 1.0 : 0.0}};
}

RMSprop::RMSprop(std::vector<ParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer("RMSprop", defaults.to_map()) {
  check_options(this->defaults());
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void RMSprop::check_options(const GroupOptions& options) const {
  for (const char* key : {"lr", "alpha", "eps", "weight_decay", "momentum"})
    detail::check_non_negative(options, "RMSprop", key);
  detail::option(options, "RMSprop", "centered");
}

std::vector<std::string> RMSprop::state_keys(const ParamGroup& group) const {
  std::vector<std::string> keys{"square_avg"};
  if (group.get("momentum") > 0.0) keys.push_back("momentum_buffer");
  if (group.flag("centered")) keys.push_back("grad_avg");
  return keys;
}

void RMSprop::update(const Tensor& param, const Tensor& grad_in, ParamState& state, const ParamGroup& group) {
  const double alpha = group.get("alpha"), momentum = group.get("momentum"), weight_decay = group.get("weight_decay");
  const bool centered = group.flag("centered");
  if (state.buffers.empty()) {
    state.buffers["square_avg"] = zeros_like(param);
    if (momentum > 0.0) state.buffers["momentum_buffer"] = zeros_like(param);
    if (centered) state.buffers["grad_avg"] = zeros_like(param);
  }
  const Tensor grad = weight_decay != 0.0 ? add(grad_in, param, weight_decay) : grad_in;
  Tensor& square_avg = state.buffers.at("square_avg");
  square_avg.mul_(alpha).add_(grad * (1.0 - alpha) * grad);

  Tensor avg;
  if (centered) {
    Tensor& grad_avg = state.buffers.at("grad_avg");
    grad_avg.mul_(alpha).add_(grad, 1.0 - alpha);
    avg = sqrt(square_avg - grad_avg * grad_avg) + group.get("eps");
  } else {
    avg = sqrt(square_avg) + group.get("eps");
  }
  if (momentum > 0.0) {
    Tensor& buffer = state.buffers.at("momentum_buffer");
    buffer.mul_(momentum).add_(grad / avg);
    Tensor(param).add_(buffer, -group.get("lr"));
  } else {
    Tensor(param).add_(grad / avg, -group.get("lr"));
  }
}

}  // namespace tinytorch::optim
