// Adagrad's update (formulas in tinytorch/optim/adagrad.h): one fused kernel pass per parameter.
#include "tinytorch/optim/adagrad.h"

#include "kernels/kernel_table.h"
#include "optim/fused_update.h"
#include "optim/option_checks.h"
#include "tinytorch/ops/creation.h"

namespace tinytorch::optim {

GroupOptions AdagradOptions::to_map() const {
  return {{"lr", lr_},
          {"lr_decay", lr_decay_},
          {"weight_decay", weight_decay_},
          {"initial_accumulator_value", initial_accumulator_value_},
          {"eps", eps_}};
}

Adagrad::Adagrad(std::vector<ParamGroup> groups, const AdagradOptions& defaults)
    : Optimizer("Adagrad", defaults.to_map()) {
  check_options(this->defaults());
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void Adagrad::check_options(const GroupOptions& options) const {
  for (const char* key : {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"})
    detail::check_non_negative(options, "Adagrad", key);
}

std::vector<std::string> Adagrad::state_keys(const ParamGroup&) const { return {"sum"}; }

void Adagrad::update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) {
  if (state.buffers.empty()) state.buffers["sum"] = full_like(param, group.get("initial_accumulator_value"));
  kernels::AdagradUpdate u;
  u.lr = group.get("lr") / (1.0 + static_cast<double>(state.step - 1) * group.get("lr_decay"));
  u.weight_decay = group.get("weight_decay");
  u.eps = group.get("eps");
  detail::FusedArgs args(param.dtype());
  kernels::active_kernels().adagrad_update(args.output(param), args.input(grad), args.output(state.buffers.at("sum")),
                                           u);
  args.finish();
}

}  // namespace tinytorch::optim
