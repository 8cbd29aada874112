// OneCycleLR, as torch.optim.lr_scheduler.OneCycleLR (PyTorch 1.13). The rate rises from
// max_lr / div_factor to max_lr over the first pct_start of total_steps, then anneals to
// initial_lr / final_div_factor (three_phase: back down to the initial rate first, then to the
// minimum). With cycle_momentum the momentum ("momentum", or Adam's "beta1") moves the opposite way
// between max_momentum and base_momentum. Per-group values live in the group options as torch keeps
// them in param_groups: "initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum".
#pragma once

#include <string>

#include "tinytorch/optim/lr_scheduler.h"

namespace tinytorch::optim {

struct OneCycleOptions {
  TT_OPTIM_ARG(double, pct_start, 0.3);
  TT_OPTIM_ARG(std::string, anneal_strategy, "cos");  // "cos" or "linear"
  TT_OPTIM_ARG(bool, cycle_momentum, true);
  TT_OPTIM_ARG(double, base_momentum, 0.85);
  TT_OPTIM_ARG(double, max_momentum, 0.95);
  TT_OPTIM_ARG(double, div_factor, 25.0);
  TT_OPTIM_ARG(double, final_div_factor, 1e4);
  TT_OPTIM_ARG(bool, three_phase, false);
};

class OneCycleLR : public LRScheduler {
 public:
  // max_lr: one value for every group, or one per group.
  OneCycleLR(Optimizer& optimizer, std::vector<double> max_lr, int64_t total_steps,
             const OneCycleOptions& options = OneCycleOptions());
  OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps,
             const OneCycleOptions& options = OneCycleOptions())
      : OneCycleLR(optimizer, std::vector<double>{max_lr}, total_steps, options) {}

 protected:
  std::vector<double> get_lr() override;

 private:
  struct Phase {
    double end_step;
    const char* start_lr;
    const char* end_lr;
    const char* start_momentum;
    const char* end_momentum;
  };
  double anneal(double start, double end, double pct) const;

  int64_t total_steps_;
  OneCycleOptions options_;
  std::vector<Phase> phases_;
  const char* momentum_key_ = nullptr;  // "momentum" or "beta1" when cycling momentum
};

}  // namespace tinytorch::optim
