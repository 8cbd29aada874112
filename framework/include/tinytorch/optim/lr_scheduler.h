// Learning-rate scheduler base, with PyTorch 1.13's semantics (torch.optim.lr_scheduler): the
// constructor records each group's "initial_lr" and already takes step 0, so the optimizer runs its
// first step at the schedule's first value; every later step() advances last_epoch by one and writes
// the new rates into the groups' "lr". Subclasses compute the rates recursively from the current
// ones where PyTorch does, so the sequence matches torch's value for value.
#pragma once

#include <cstdint>
#include <vector>

#include "tinytorch/optim/optimizer.h"

namespace tinytorch::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  void step();
  // The rates step() last wrote, one per group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // Rates for last_epoch(), which step() has just advanced.
  virtual std::vector<double> get_lr() = 0;
  // Takes step 0; subclasses call it at the end of their constructor (PyTorch's _initial_step).
  void initial_step() { step(); }
  std::vector<double> current_lrs() const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;

 private:
  int64_t last_epoch_ = -1;
  std::vector<double> last_lr_;
};

}  // namespace tinytorch::optim
