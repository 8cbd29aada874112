// Loss modules over the functional losses, as torch.nn's: called as loss(input, target). They hold
// no parameters; forward hooks do not apply to them (hooks take one input).
// Not supported: per-class weights, pos_weight, and class-probability targets.
#pragma once

#include "tinytorch/nn/module.h"
#include "tinytorch/ops/nn_functional.h"

namespace tinytorch::nn {

// Logits [N, C] (or [N, C, d...], or [C]) and int64 class targets; options: ignore_index,
// label_smoothing, reduction.
class CrossEntropyLoss : public Module {
 public:
  explicit CrossEntropyLoss(const CrossEntropyOptions& options = {});
  using Module::forward;
  Tensor forward(const Tensor& input, const Tensor& target);
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  std::string extra_repr() const override;

  CrossEntropyOptions options;
};

// Log-probabilities [N, C] (or [N, C, d...]) and int64 class targets.
class NLLLoss : public Module {
 public:
  explicit NLLLoss(Reduction reduction = Reduction::Mean, int64_t ignore_index = -100);
  using Module::forward;
  Tensor forward(const Tensor& input, const Tensor& target);
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }

  Reduction reduction;
  int64_t ignore_index;
};

class MSELoss : public Module {
 public:
  explicit MSELoss(Reduction reduction = Reduction::Mean) : Module("MSELoss"), reduction(reduction) {}
  using Module::forward;
  Tensor forward(const Tensor& input, const Tensor& target);
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }

  Reduction reduction;
};

// Logits and float targets in [0, 1] of the same shape.
class BCEWithLogitsLoss : public Module {
 public:
  explicit BCEWithLogitsLoss(Reduction reduction = Reduction::Mean)
      : Module("BCEWithLogitsLoss"), reduction(reduction) {}
  using Module::forward;
  Tensor forward(const Tensor& input, const Tensor& target);
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }

  Reduction reduction;
};

}  // namespace tinytorch::nn
