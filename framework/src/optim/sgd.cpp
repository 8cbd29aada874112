// SGD's update (formulas in tinytorch/optim/sgd.h): one fused kernel pass per parameter.
#include "tinytorch/optim/sgd.h"

#include "kernels/kernel_table.h"
#include "optim/fused_update.h"
#include "optim/option_checks.h"
#include "tinytorch/ops/creation.h"

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
  kernels::SgdUpdate u;
  u.lr = group.get("lr");
  u.momentum = group.get("momentum");
  u.dampening = group.get("dampening");
  u.weight_decay = group.get("weight_decay");
  u.nesterov = group.flag("nesterov");
  Tensor buffer;
  if (u.momentum != 0.0) {
    if (auto it = state.buffers.find("momentum_buffer"); it != state.buffers.end()) {
      buffer = it->second;
    } else {
      // PyTorch's first step sets the buffer to d_p itself, without dampening.
      buffer = empty_like(param);
      state.buffers["momentum_buffer"] = buffer;
      u.init_buffer = true;
    }
  }
  detail::FusedArgs args(param.dtype());
  kernels::active_kernels().sgd_update(args.output(param), args.input(grad), args.output(buffer), u);
  args.finish();
}

}  // namespace tinytorch::optim
