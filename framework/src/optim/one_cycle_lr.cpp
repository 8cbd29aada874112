// OneCycleLR: phase table and per-group bookkeeping as PyTorch's implementation, so the rate and
// momentum sequences match torch's step for step.
#include "tinytorch/optim/one_cycle_lr.h"

#include <cmath>

namespace tinytorch::optim {

OneCycleLR::OneCycleLR(Optimizer& optimizer, std::vector<double> max_lr, int64_t total_steps,
                       const OneCycleOptions& options)
    : LRScheduler(optimizer), total_steps_(total_steps), options_(options) {
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  TT_CHECK(total_steps > 0, "OneCycleLR: total_steps must be positive, got {}", total_steps);
  TT_CHECK(options.pct_start() >= 0.0 && options.pct_start() <= 1.0, "OneCycleLR: pct_start must be in [0, 1], got {}",
           options.pct_start());
  TT_CHECK(options.anneal_strategy() == "cos" || options.anneal_strategy() == "linear",
           "OneCycleLR: anneal_strategy must be \"cos\" or \"linear\", got \"{}\"", options.anneal_strategy());
  TT_CHECK(max_lr.size() == 1 || max_lr.size() == groups.size(),
           "OneCycleLR: got {} max_lr values for {} parameter groups; pass one, or one per group", max_lr.size(),
           groups.size());

  const double steps = static_cast<double>(total_steps);
  const double pct = options.pct_start();
  if (options.three_phase()) {
    phases_ = {{pct * steps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {2 * pct * steps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"},
               {steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"}};
  } else {
    phases_ = {{pct * steps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"}};
  }

  // Overrides the "initial_lr" the base constructor recorded, as torch sets it before calling up.
  for (size_t i = 0; i < groups.size(); ++i) {
    GroupOptions& o = groups[i].options;
    const double peak = max_lr.size() == 1 ? max_lr[0] : max_lr[i];
    o["initial_lr"] = peak / options.div_factor();
    o["max_lr"] = peak;
    o["min_lr"] = o["initial_lr"] / options.final_div_factor();
    base_lrs_[i] = o["initial_lr"];
  }

  if (options.cycle_momentum()) {
    const GroupOptions& defaults = optimizer_.defaults();
    momentum_key_ = defaults.count("momentum") ? "momentum" : defaults.count("beta1") ? "beta1" : nullptr;
    TT_CHECK(momentum_key_ != nullptr,
             "OneCycleLR: {} has no momentum or beta1 to cycle; pass OneCycleOptions().cycle_momentum(false)",
             optimizer_.name());
    for (ParamGroup& group : groups) {
      group.options[momentum_key_] = options.max_momentum();
      group.options["max_momentum"] = options.max_momentum();
      group.options["base_momentum"] = options.base_momentum();
    }
  }
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy() == "linear") return (end - start) * pct + start;
  return end + (start - end) / 2.0 * (std::cos(M_PI * pct) + 1);
}

std::vector<double> OneCycleLR::get_lr() {
  const int64_t step = last_epoch();
  TT_CHECK(step <= total_steps_, "OneCycleLR: tried to step {} times but total_steps is {}; raise total_steps", step,
           total_steps_);
  std::vector<double> lrs;
  for (ParamGroup& group : optimizer_.param_groups()) {
    double start_step = 0.0, lr = 0.0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (static_cast<double>(step) <= phase.end_step || i + 1 == phases_.size()) {
        const double pct = (static_cast<double>(step) - start_step) / (phase.end_step - start_step);
        lr = anneal(group.get(phase.start_lr), group.get(phase.end_lr), pct);
        if (momentum_key_ != nullptr)
          group.options[momentum_key_] = anneal(group.get(phase.start_momentum), group.get(phase.end_momentum), pct);
        break;
      }
      start_step = phase.end_step;
    }
    lrs.push_back(lr);
  }
  return lrs;
}

}  // namespace tinytorch::optim
