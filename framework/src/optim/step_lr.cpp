// StepLR and MultiStepLR: recursive decay of the current rate, as PyTorch's get_lr().
#include "tinytorch/optim/step_lr.h"

#include <algorithm>
#include <cmath>

namespace tinytorch::optim {

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  TT_CHECK(step_size > 0, "StepLR: step_size must be positive, got {}", step_size);
  initial_step();
}

std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = current_lrs();
  if (last_epoch() == 0 || last_epoch() % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  initial_step();
}

std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = current_lrs();
  const auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch());
  if (hits == 0) return lrs;
  const double factor = std::pow(gamma_, static_cast<double>(hits));
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

}  // namespace tinytorch::optim
