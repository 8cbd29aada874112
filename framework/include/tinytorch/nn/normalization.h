// Normalisation layers: BatchNorm1d, BatchNorm2d and LayerNorm, as their torch.nn namesakes, with
// the same parameter and buffer names (weight, bias, running_mean, running_var, num_batches_tracked).
#pragma once

#include <optional>

#include "tinytorch/nn/module.h"
#include "tinytorch/nn/options.h"

namespace tinytorch::nn {

struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT
  TT_NN_ARG(int64_t, num_features);
  TT_NN_ARG(double, eps) = 1e-5;
  // std::nullopt: cumulative average over all batches (factor 1 / num_batches_tracked).
  TT_NN_ARG(std::optional<double>, momentum) = 0.1;
  TT_NN_ARG(bool, affine) = true;
  TT_NN_ARG(bool, track_running_stats) = true;
};

// Shared by BatchNorm1d and BatchNorm2d, which differ only in the input ranks they accept.
// Training normalises with batch statistics and updates the running ones; eval uses the running
// ones (or batch statistics when track_running_stats is false).
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  // weight = 1, bias = 0, running_mean = 0, running_var = 1, num_batches_tracked = 0.
  void reset_parameters();
  void reset_running_stats();
  std::string extra_repr() const override;

  BatchNormOptions options;
  Tensor weight, bias;                                    // undefined unless affine
  Tensor running_mean, running_var, num_batches_tracked;  // undefined unless track_running_stats

 protected:
  BatchNorm(const char* name, const BatchNormOptions& options, int64_t min_dim, int64_t max_dim);

 private:
  int64_t min_dim_, max_dim_;
};

// Input [N, C] or [N, C, L].
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options) : BatchNorm("BatchNorm1d", options, 2, 3) {}
};

// Input [N, C, H, W].
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(const BatchNormOptions& options) : BatchNorm("BatchNorm2d", options, 4, 4) {}
};

struct LayerNormOptions {
  LayerNormOptions(Shape normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}  // NOLINT
  TT_NN_ARG(Shape, normalized_shape);
  TT_NN_ARG(double, eps) = 1e-5;
  TT_NN_ARG(bool, elementwise_affine) = true;
};

// Normalises over the trailing normalized_shape dims of each sample.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(const LayerNormOptions& options);
  Tensor forward(const Tensor& input) override;
  // weight = 1, bias = 0.
  void reset_parameters();
  std::string extra_repr() const override;

  LayerNormOptions options;
  Tensor weight, bias;  // undefined unless elementwise_affine
};

}  // namespace tinytorch::nn
