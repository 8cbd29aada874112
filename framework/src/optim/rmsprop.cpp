// RMSprop's update (formulas in tinytorch/optim/rmsprop.h): one fused kernel pass per parameter.
#include "tinytorch/optim/rmsprop.h"

#include "kernels/kernel_table.h"
#include "optim/fused_update.h"
#include "optim/option_checks.h"
#include "tinytorch/ops/creation.h"

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

void RMSprop::update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) {
  kernels::RmspropUpdate u;
  u.lr = group.get("lr");
  u.alpha = group.get("alpha");
  u.eps = group.get("eps");
  u.weight_decay = group.get("weight_decay");
  u.momentum = group.get("momentum");
  const bool centered = group.flag("centered");
  if (state.buffers.empty()) {
    state.buffers["square_avg"] = zeros_like(param);
    if (u.momentum > 0.0) state.buffers["momentum_buffer"] = zeros_like(param);
    if (centered) state.buffers["grad_avg"] = zeros_like(param);
  }
  detail::FusedArgs args(param.dtype());
  kernels::active_kernels().rmsprop_update(
      args.output(param), args.input(grad), args.output(state.buffers.at("square_avg")),
      u.momentum > 0.0 ? args.output(state.buffers.at("momentum_buffer")) : Tensor(),
      centered ? args.output(state.buffers.at("grad_avg")) : Tensor(), u);
  args.finish();
}

}  // namespace tinytorch::optim
