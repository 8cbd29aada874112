// Training-loop helpers for classification with cross-entropy: one training epoch and an
// evaluation pass, as the loops of PyTorch's examples. The per-step callback sees every batch's
// loss, accuracy and rate, for progress display and metrics files.
#pragma once

#include <cstdint>
#include <functional>

#include "tinytorch/data/dataloader.h"
#include "tinytorch/nn/module.h"
#include "tinytorch/optim/lr_scheduler.h"
#include "tinytorch/optim/optimizer.h"

namespace tinytorch::train {

struct StepInfo {
  int64_t epoch = 0;           // as passed to train_epoch
  int64_t step = 0;            // 0-based index of the batch within the epoch
  int64_t steps_in_epoch = 0;  // the loader's batches per epoch
  int64_t batch_size = 0;
  double loss = 0;      // the batch's mean loss
  double accuracy = 0;  // fraction of the batch classified correctly
  double lr = 0;        // the rate this step used (first parameter group)
};

struct EpochResult {
  double loss = 0;      // mean over examples
  double accuracy = 0;  // over examples
  int64_t samples = 0;
  int64_t steps = 0;
  double seconds = 0;
};

using StepCallback = std::function<void(const StepInfo&)>;

// Trains for one pass over `loader` in train mode: per batch zero_grad, forward, cross-entropy,
// backward, optimizer step, then scheduler step when one is given (schedules run per iteration).
EpochResult train_epoch(nn::Module& model, data::DataLoader& loader, optim::Optimizer& optimizer,
                        optim::LRScheduler* scheduler = nullptr, int64_t epoch = 0, const StepCallback& on_step = {});

// Mean cross-entropy and accuracy over `loader` in eval mode without recording a graph; the model's
// training mode is restored afterwards.
EpochResult evaluate(nn::Module& model, data::DataLoader& loader);

}  // namespace tinytorch::train
