// BatchNorm and LayerNorm modules over tt::batch_norm / tt::layer_norm. The modules decide which
// statistics to use and the momentum factor, exactly as torch.nn's _BatchNorm.forward does.
#include "tinytorch/nn/normalization.h"

#include "tinytorch/grad_mode.h"
#include "tinytorch/nn/init.h"
#include "tinytorch/ops/creation.h"

namespace tinytorch::nn {

BatchNorm::BatchNorm(const char* name, const BatchNormOptions& options_, int64_t min_dim, int64_t max_dim)
    : Module(name), options(options_), min_dim_(min_dim), max_dim_(max_dim) {
  const int64_t features = options.num_features();
  TT_CHECK(features > 0, "{}: num_features must be positive, got {}", name, features);
  TT_CHECK(!options.momentum() || (*options.momentum() >= 0.0 && *options.momentum() <= 1.0),
           "{}: momentum must be in [0, 1] (or std::nullopt for a cumulative average), got {}", name,
           options.momentum().value_or(0.0));
  if (options.affine()) {
    weight = register_parameter("weight", empty({features}));
    bias = register_parameter("bias", empty({features}));
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", empty({features}));
    running_var = register_buffer("running_var", empty({features}));
    num_batches_tracked = register_buffer("num_batches_tracked", empty({}, kInt64));
  }
  reset_parameters();
}

void BatchNorm::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void BatchNorm::reset_parameters() {
  reset_running_stats();
  if (!options.affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor BatchNorm::forward(const Tensor& input) {
  TT_CHECK(input.dim() >= min_dim_ && input.dim() <= max_dim_, "{}: expected a {}-D input{}, got shape {}; use {}",
           name(), min_dim_, max_dim_ > min_dim_ ? fmt::format(" or {}-D input", max_dim_) : "",
           shape_str(input.sizes()),
           min_dim_ == 4 ? "BatchNorm1d for [N, C] or [N, C, L]" : "BatchNorm2d for [N, C, H, W]");
  TT_CHECK(input.size(1) == options.num_features(),
           "{}: input of shape {} has {} channels in dim 1 but the layer has num_features = {}", name(),
           shape_str(input.sizes()), input.size(1), options.num_features());
  double factor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats()) {
    NoGradGuard no_grad;
    const auto batches = num_batches_tracked.item<int64_t>() + 1;
    num_batches_tracked.fill_(batches);
    if (!options.momentum()) factor = 1.0 / static_cast<double>(batches);
  }
  const bool use_batch_stats = is_training() || !options.track_running_stats();
  return batch_norm(input, running_mean, running_var, weight, bias, use_batch_stats, factor, options.eps());
}

std::string BatchNorm::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", options.num_features(),
                     options.eps(), options.momentum() ? fmt::format("{}", *options.momentum()) : "None",
                     options.affine(), options.track_running_stats());
}

LayerNorm::LayerNorm(const LayerNormOptions& options_) : Module("LayerNorm"), options(options_) {
  const Shape& shape = options.normalized_shape();
  TT_CHECK(!shape.empty(), "LayerNorm: normalized_shape must name at least one dim, got []");
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", empty(shape));
    bias = register_parameter("bias", empty(shape));
  }
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (!options.elementwise_affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNorm::forward(const Tensor& input) {
  return layer_norm(input, options.normalized_shape(), weight, bias, options.eps());
}

std::string LayerNorm::extra_repr() const {
  return fmt::format("{}, eps={}, elementwise_affine={}", shape_str(options.normalized_shape()), options.eps(),
                     options.elementwise_affine());
}

}  // namespace tinytorch::nn
