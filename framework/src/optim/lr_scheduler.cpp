// LRScheduler base: initial_lr bookkeeping and the step that writes rates into the groups.
#include "tinytorch/optim/lr_scheduler.h"

namespace tinytorch::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (ParamGroup& group : optimizer_.param_groups()) {
    group.options.emplace("initial_lr", group.get("lr"));
    base_lrs_.push_back(group.options.at("initial_lr"));
  }
}

void LRScheduler::step() {
  ++last_epoch_;
  const std::vector<double> lrs = get_lr();
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  TT_CHECK(lrs.size() == groups.size(),
           "LRScheduler: computed {} rates for {} parameter groups; groups were added "
           "after the scheduler was built, build it after the last add_param_group",
           lrs.size(), groups.size());
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options["lr"] = lrs[i];
  last_lr_ = lrs;
}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> lrs;
  for (const ParamGroup& group : optimizer_.param_groups()) lrs.push_back(group.get("lr"));
  return lrs;
}

}  // namespace tinytorch::optim
