// CosineAnnealingLR, as torch.optim.lr_scheduler.CosineAnnealingLR (PyTorch 1.13): the rate follows
//   eta_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2
// computed, as torch does when stepped without an epoch, by the recursive form
//   eta_t = (1 + cos(pi t / T_max)) / (1 + cos(pi (t - 1) / T_max)) * (eta_{t-1} - eta_min) + eta_min
// (past T_max it keeps going, rising back up as a cosine wave).
#pragma once

#include "tinytorch/optim/lr_scheduler.h"

namespace tinytorch::optim {

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 protected:
  std::vector<double> get_lr() override;

 private:
  int64_t t_max_;
  double eta_min_;
};

}  // namespace tinytorch::optim
