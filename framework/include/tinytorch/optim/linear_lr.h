// LinearLR (the usual warm-up), as torch.optim.lr_scheduler.LinearLR (PyTorch 1.13): the factor on
// the base rate moves linearly from start_factor to end_factor over total_iters steps, then stays.
//   lr_t = base_lr * (start + (end - start) * min(t, total_iters) / total_iters)
// computed recursively from the previous rate, as torch does.
#pragma once

#include "tinytorch/optim/lr_scheduler.h"

namespace tinytorch::optim {

class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5);

 protected:
  std::vector<double> get_lr() override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

}  // namespace tinytorch::optim
