// Loss modules: each forwards to its functional loss with the module's options.
#include "tinytorch/nn/loss.h"

namespace tinytorch::nn {

CrossEntropyLoss::CrossEntropyLoss(const CrossEntropyOptions& options_)
    : Module("CrossEntropyLoss"), options(options_) {}

Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return cross_entropy(input, target, options);
}

std::string CrossEntropyLoss::extra_repr() const {
  return fmt::format("ignore_index={}, label_smoothing={}", options.ignore_index, options.label_smoothing);
}

NLLLoss::NLLLoss(Reduction reduction_, int64_t ignore_index_)
    : Module("NLLLoss"), reduction(reduction_), ignore_index(ignore_index_) {}

Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return nll_loss(input, target, ignore_index, reduction);
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) { return mse_loss(input, target, reduction); }

Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy_with_logits(input, target, reduction);
}

}  // namespace tinytorch::nn
