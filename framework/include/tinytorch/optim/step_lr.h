// StepLR and MultiStepLR: multiply the rate by gamma every step_size steps, or at each milestone
// (a milestone listed twice multiplies twice), as torch.optim.lr_scheduler in PyTorch 1.13.
#pragma once

#include "tinytorch/optim/lr_scheduler.h"

namespace tinytorch::optim {

class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() override;

 private:
  int64_t step_size_;
  double gamma_;
};

class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<int64_t> milestones_;
  double gamma_;
};

}  // namespace tinytorch::optim
