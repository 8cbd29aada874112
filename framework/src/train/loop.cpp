// train_epoch and evaluate: the classification loop around a Module, a DataLoader and an Optimizer.
#include "tinytorch/train/loop.h"

#include <chrono>

#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/nn_functional.h"
#include "tinytorch/ops/reduction.h"

namespace tinytorch::train {
namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int64_t count_correct(const Tensor& logits, const Tensor& target) {
  return static_cast<int64_t>(eq(argmax(logits, 1), target).to(kInt64).sum().item());
}
}  // namespace

EpochResult train_epoch(nn::Module& model, data::DataLoader& loader, optim::Optimizer& optimizer,
                        optim::LRScheduler* scheduler, int64_t epoch, const StepCallback& on_step) {
  const auto start = std::chrono::steady_clock::now();
  model.train();
  EpochResult result;
  double loss_sum = 0;
  int64_t correct = 0;
  for (data::Batch& batch : loader) {
    const double lr = optimizer.param_groups().front().get("lr");
    optimizer.zero_grad();
    const Tensor logits = model(batch.data);
    const Tensor loss = cross_entropy(logits, batch.target);
    loss.backward();
    optimizer.step();
    if (scheduler != nullptr) scheduler->step();

    const int64_t n = batch.target.size(0);
    const double batch_loss = loss.item();
    const int64_t batch_correct = count_correct(logits.detach(), batch.target);
    loss_sum += batch_loss * static_cast<double>(n);
    correct += batch_correct;
    result.samples += n;
    if (on_step) {
      on_step({epoch, result.steps, loader.size(), n, batch_loss,
               static_cast<double>(batch_correct) / static_cast<double>(n), lr});
    }
    ++result.steps;
  }
  TT_CHECK(result.samples > 0, "train_epoch: the loader produced no batches; is the dataset empty?");
  result.loss = loss_sum / static_cast<double>(result.samples);
  result.accuracy = static_cast<double>(correct) / static_cast<double>(result.samples);
  result.seconds = seconds_since(start);
  return result;
}

EpochResult evaluate(nn::Module& model, data::DataLoader& loader) {
  const auto start = std::chrono::steady_clock::now();
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  EpochResult result;
  double loss_sum = 0;
  int64_t correct = 0;
  for (data::Batch& batch : loader) {
    const Tensor logits = model(batch.data);
    CrossEntropyOptions sum;
    sum.reduction = Reduction::Sum;
    loss_sum += cross_entropy(logits, batch.target, sum).item();
    correct += count_correct(logits, batch.target);
    result.samples += batch.target.size(0);
    ++result.steps;
  }
  model.train(was_training);
  TT_CHECK(result.samples > 0, "evaluate: the loader produced no batches; is the dataset empty?");
  result.loss = loss_sum / static_cast<double>(result.samples);
  result.accuracy = static_cast<double>(correct) / static_cast<double>(result.samples);
  result.seconds = seconds_since(start);
  return result;
}

}  // namespace tinytorch::train
