// Adam's update (formulas in tinytorch/optim/adam.h): one fused kernel pass per parameter over the
// parameter, its gradient and the moment buffers, in torch.optim's order of operations.
#include "tinytorch/optim/adam.h"

#include "kernels/kernel_table.h"
#include "optim/fused_update.h"
#include "optim/option_checks.h"
#include "tinytorch/ops/creation.h"

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
  adam_step(param, grad, state, group, false);
}

void Adam::adam_step(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group,
                     bool decoupled_decay) {
  const bool amsgrad = group.flag("amsgrad");
  if (state.buffers.empty()) {
    state.buffers["exp_avg"] = zeros_like(param);
    state.buffers["exp_avg_sq"] = zeros_like(param);
    if (amsgrad) state.buffers["max_exp_avg_sq"] = zeros_like(param);
  }
  kernels::AdamUpdate u;
  u.lr = group.get("lr");
  u.beta1 = group.get("beta1");
  u.beta2 = group.get("beta2");
  u.eps = group.get("eps");
  u.weight_decay = group.get("weight_decay");
  u.decoupled = decoupled_decay;
  u.step = state.step;
  detail::FusedArgs args(param.dtype());
  kernels::active_kernels().adam_update(args.output(param), args.input(grad), args.output(state.buffers.at("exp_avg")),
                                        args.output(state.buffers.at("exp_avg_sq")),
                                        amsgrad ? args.output(state.buffers.at("max_exp_avg_sq")) : Tensor(), u);
  args.finish();
}

}  // namespace tinytorch::optim
