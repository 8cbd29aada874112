// LinearLR: PyTorch's recursive get_lr() (each step multiplies by the ratio of consecutive factors).
#include "tinytorch/optim/linear_lr.h"

namespace tinytorch::optim {

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  TT_CHECK(start_factor > 0.0 && start_factor <= 1.0, "LinearLR: start_factor must be in (0, 1], got {}", start_factor);
  TT_CHECK(end_factor >= 0.0 && end_factor <= 1.0, "LinearLR: end_factor must be in [0, 1], got {}", end_factor);
  TT_CHECK(total_iters > 0, "LinearLR: total_iters must be positive, got {}", total_iters);
  initial_step();
}

std::vector<double> LinearLR::get_lr() {
  std::vector<double> lrs = current_lrs();
  const int64_t t = last_epoch();
  if (t == 0) {
    for (double& lr : lrs) lr *= start_factor_;
    return lrs;
  }
  if (t > total_iters_) return lrs;
  const double delta = end_factor_ - start_factor_;
  const double factor =
      1.0 + delta / (static_cast<double>(total_iters_) * start_factor_ + static_cast<double>(t - 1) * delta);
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

}  // namespace tinytorch::optim
