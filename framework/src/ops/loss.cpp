// Loss functions (cross_entropy, nll_loss, mse_loss, binary_cross_entropy_with_logits). cross_entropy
// is one fused kernel (log_softmax + nll + label smoothing per position) with a fused backward; the
// others are composed from primitives so autograd supplies their gradients. Semantics follow
// torch.nn.functional, including ignore_index and label smoothing.
#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/nn_functional.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;

void check_floating(const Tensor& t, const char* op, const char* what) {
  detail::check_compute_dtype(t, op);
  TT_CHECK(is_floating(t.dtype()), "{}: {} must be floating point, got {}; convert with .to(tt::kFloat32)", op, what,
           dtype_name(t.dtype()));
}

// Class scores are [N, C, d...], or a single sample [C] whose target is 0-d.
int64_t class_dim_of(const Tensor& input) { return input.dim() == 1 ? 0 : 1; }

// Validates a class-index target for `input` and returns how many positions count (target !=
// ignore_index).
int64_t check_class_target(const Tensor& input, const Tensor& target, int64_t ignore_index, const char* op) {
  check_floating(input, op, "input");
  TT_CHECK(input.dim() >= 1, "{}: input must be [N, C, d...] or [C], got a 0-d tensor; add the class dim", op);
  TT_CHECK(target.dtype() == kInt64,
           "{}: target must hold int64 class indices, got dtype {}; convert with .to(tt::kInt64) (class-probability "
           "targets are not supported)",
           op, dtype_name(target.dtype()));
  const int64_t class_dim = class_dim_of(input);
  Shape expected = input.sizes();
  expected.erase(expected.begin() + class_dim);
  TT_CHECK(target.sizes() == expected,
           "{}: target of shape {} does not match input of shape {}; expected target shape {} (input [N, C, d...] "
           "takes target [N, d...])",
           op, shape_str(target.sizes()), shape_str(input.sizes()), shape_str(expected));
  const int64_t classes = input.size(class_dim);
  int64_t counted = 0;
  for (int64_t t : target.to_vector<int64_t>()) {
    TT_CHECK(t == ignore_index || (t >= 0 && t < classes),
             "{}: target value {} is out of range for {} classes; class indices must be in [0, {}) or equal "
             "ignore_index ({})",
             op, t, classes, classes, ignore_index);
    counted += t != ignore_index;
  }
  return counted;
}

// -log_probs at each target's class (0 where `valid` is false), shaped like the target. A one-hot
// mask over the class dim picks the entry, so the gradient is -1 there and 0 elsewhere.
Tensor picked_nll(const Tensor& log_probs, const Tensor& target, const Tensor& valid) {
  const int64_t class_dim = class_dim_of(log_probs);
  const int64_t classes = log_probs.size(class_dim);
  Shape class_shape(static_cast<size_t>(log_probs.dim() - class_dim), 1);
  class_shape[0] = classes;
  Tensor one_hot = eq(target.unsqueeze(class_dim), arange(classes).view(class_shape));
  Tensor zero = zeros({}, log_probs.dtype());
  Tensor picked = sum(where(one_hot, log_probs, zero), {class_dim});
  return where(valid, -picked, zero);
}

// Mean divides by the number of counted targets, not by numel, as PyTorch (NaN when none count).
Tensor reduce_class_loss(const Tensor& loss, const Tensor& valid, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return loss;
    case Reduction::Sum: return sum(loss);
    case Reduction::Mean: return sum(loss) / sum(valid.to(loss.dtype()));
  }
  return loss;
}

Tensor reduce_loss(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return loss;
    case Reduction::Sum: return sum(loss);
    case Reduction::Mean: return mean(loss);
  }
  return loss;
}

void check_same_shape(const Tensor& input, const Tensor& target, const char* op) {
  TT_CHECK(input.sizes() == target.sizes(),
           "{}: input of shape {} and target of shape {} differ; pass a target of the input's shape (e.g. reshape "
           "a [N] target to [N, 1], or squeeze the input)",
           op, shape_str(input.sizes()), shape_str(target.sizes()));
}
}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, int64_t ignore_index, Reduction reduction) {
  check_class_target(log_probs, target, ignore_index, "nll_loss");
  Tensor valid = ne(target, ignore_index);
  return reduce_class_loss(picked_nll(log_probs, target, valid), valid, reduction);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
  const double eps = options.label_smoothing;
  TT_CHECK(eps >= 0.0 && eps <= 1.0, "cross_entropy: label_smoothing must be in [0, 1], got {}", eps);
  const int64_t counted = check_class_target(logits, target, options.ignore_index, "cross_entropy");
  // [C] is one sample, [N, C, d...] is N samples of prod(d) positions: the kernels see [N, C, S].
  const int64_t batch = logits.dim() == 1 ? 1 : logits.size(0);
  const int64_t classes = logits.size(class_dim_of(logits));
  const int64_t positions = batch * classes == 0 ? 0 : logits.numel() / (batch * classes);
  const DType dtype = logits.dtype();
  const Tensor x = logits.detach().contiguous().view({batch, classes, positions});
  const Tensor t = target.contiguous().view({batch, positions});
  Tensor loss = empty(target.sizes(), dtype);
  Tensor lse = empty({batch, positions}, dtype);
  const int64_t ignore_index = options.ignore_index;
  kernels::active_kernels().cross_entropy(loss.view({batch, positions}), lse, x, t, ignore_index, eps);
  if (autograd::needs_grad({logits}))
    autograd::record("CrossEntropyBackward", loss, {logits},
                     [sx = save(x), lse, t, ignore_index, eps, shape = logits.sizes()](const Tensor& g, const Needs&) {
                       const Tensor& x3 = sx.get();
                       Tensor grad = empty(x3.sizes(), x3.dtype());
                       const Tensor g2 = g.to(x3.dtype()).contiguous().view(lse.sizes());
                       kernels::active_kernels().cross_entropy_backward(grad, g2, x3, lse, t, ignore_index, eps);
                       return TensorList{grad.view(shape)};
                     });
  switch (options.reduction) {
    case Reduction::None: return loss;
    case Reduction::Sum: return sum(loss);
    // Mean divides by the number of counted targets, not by numel, as PyTorch (NaN when none count).
    case Reduction::Mean: return sum(loss) / static_cast<double>(counted);
  }
  return loss;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_floating(input, "mse_loss", "input");
  check_floating(target, "mse_loss", "target");
  check_same_shape(input, target, "mse_loss");
  Tensor diff = input - target;
  return reduce_loss(diff * diff, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction) {
  const char* op = "binary_cross_entropy_with_logits";
  check_floating(logits, op, "logits");
  check_floating(target, op, "target");
  check_same_shape(logits, target, op);
  // log(1 + exp(-x)) written as m + log(exp(-m) + exp(-x - m)) with m = max(-x, 0): no exp() overflows
  // for large |x|, and m cancels exactly, so its kink at 0 adds nothing to the gradient.
  Tensor m = relu(-logits);
  Tensor softplus_neg = m + log(exp(-m) + exp(-logits - m));
  return reduce_loss((1.0 - target) * logits + softplus_neg, reduction);
}

}  // namespace tinytorch
