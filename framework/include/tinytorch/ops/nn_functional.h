// Neural-network ops: activations over a dim, losses, convolution, pooling, dropout, normalisation.
#pragma once

#include <array>

#include "tinytorch/generator.h"
#include "tinytorch/tensor.h"

namespace tinytorch {

enum class Reduction { None, Mean, Sum };

Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

struct CrossEntropyOptions {
  int64_t ignore_index = -100;
  double label_smoothing = 0.0;
  Reduction reduction = Reduction::Mean;
};
// logits [N, C] (or [N, C, d...]) and int64 class indices [N] (or [N, d...]).
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options = {});
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, int64_t ignore_index = -100,
                Reduction reduction = Reduction::Mean);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        Reduction reduction = Reduction::Mean);

using Pair = std::array<int64_t, 2>;
// input [N, C_in, H, W], weight [C_out, C_in / groups, kH, kW], bias [C_out] or undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), Pair stride = {1, 1},
              Pair padding = {0, 0}, Pair dilation = {1, 1}, int64_t groups = 1);
// stride {0, 0} means stride = kernel_size, as PyTorch's default.
Tensor max_pool2d(const Tensor& input, Pair kernel_size, Pair stride = {0, 0}, Pair padding = {0, 0},
                  Pair dilation = {1, 1});
Tensor avg_pool2d(const Tensor& input, Pair kernel_size, Pair stride = {0, 0}, Pair padding = {0, 0},
                  bool count_include_pad = true);

// Zeroes elements with probability p and scales the rest by 1/(1-p); identity when !training.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* generator = nullptr);

// Normalises over the trailing dims `normalized_shape` with the biased variance, then scales by
// weight and shifts by bias (both shaped normalized_shape; either may be undefined).
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);
// x [N, C, *]; running stats, weight and bias are [C] (any may be undefined; without running stats
// only training mode is possible). Training normalises with the batch's biased variance and, when
// running stats are given, updates them in place: stat = (1 - momentum) * stat + momentum * batch
// value, using the unbiased variance for running_var, as PyTorch. Eval normalises with the running stats.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), bool training = false, double momentum = 0.1, double eps = 1e-5);
// Averages each of output_size's regions of an [N, C, H, W] or [C, H, W] input; row i covers
// [floor(i * H / out_h), ceil((i + 1) * H / out_h)), as PyTorch.
Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size);

}  // namespace tinytorch
