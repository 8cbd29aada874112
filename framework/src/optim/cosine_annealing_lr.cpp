// CosineAnnealingLR: PyTorch's recursive get_lr(), including its special case at the end of each
// half period (where the recursion's denominator would be zero).
#include "tinytorch/optim/cosine_annealing_lr.h"

#include <cmath>

namespace tinytorch::optim {

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  TT_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got {}", T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  std::vector<double> lrs = current_lrs();
  const int64_t t = last_epoch();
  if (t == 0) return lrs;
  const double t_max = static_cast<double>(t_max_);
  if ((t - 1 - t_max_) % (2 * t_max_) == 0) {
    for (size_t i = 0; i < lrs.size(); ++i) lrs[i] += (base_lrs_[i] - eta_min_) * (1.0 - std::cos(M_PI / t_max)) / 2.0;
    return lrs;
  }
  const double ratio = (1.0 + std::cos(M_PI * static_cast<double>(t) / t_max)) /
                       (1.0 + std::cos(M_PI * static_cast<double>(t - 1) / t_max));
  for (double& lr : lrs) lr = ratio * (lr - eta_min_) + eta_min_;
  return lrs;
}

}  // namespace tinytorch::optim
