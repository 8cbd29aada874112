// layer_norm and batch_norm, composed from primitives (mean, sub, mul, rsqrt) so autograd supplies
// the gradients, including the terms that flow through the batch statistics. The running-stat
// update of batch_norm is the one in-place step; it runs outside the graph.
#include "ops/elementwise_common.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/nn_functional.h"
#include "tinytorch/ops/reduction.h"

namespace tinytorch {
namespace {

void check_floating_input(const Tensor& x, const char* op) {
  detail::check_compute_dtype(x, op);
  TT_CHECK(is_floating(x.dtype()), "{}: input dtype must be floating point, got {}; convert with .to(tt::kFloat32)", op,
           dtype_name(x.dtype()));
}

void check_param_shape(const Tensor& t, const Shape& expected, const char* op, const char* what) {
  if (!t.defined()) return;
  TT_CHECK(t.sizes() == expected,
           "{}: {} of shape {} does not match the expected shape {}; size it to the normalized dims", op, what,
           shape_str(t.sizes()), shape_str(expected));
}

// (x - mean) / sqrt(var + eps) with the biased variance over `dims`.
Tensor normalize(const Tensor& x, const Shape& dims, double eps, Tensor* batch_mean = nullptr,
                 Tensor* batch_var = nullptr) {
  Tensor mu = mean(x, dims, true);
  Tensor centered = x - mu;
  Tensor variance = mean(centered * centered, dims, true);
  if (batch_mean) *batch_mean = mu;
  if (batch_var) *batch_var = variance;
  return centered * rsqrt(variance + eps);
}

Tensor affine(Tensor y, const Tensor& weight, const Tensor& bias, const Shape& param_shape) {
  if (weight.defined()) y = y * weight.view(param_shape);
  if (bias.defined()) y = y + bias.view(param_shape);
  return y;
}
}  // namespace

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  check_floating_input(x, "layer_norm");
  const auto k = static_cast<int64_t>(normalized_shape.size());
  TT_CHECK(k >= 1, "layer_norm: normalized_shape must name at least one dim, got []; pass e.g. {{x.size(-1)}}");
  const bool matches = x.dim() >= k && Shape(x.sizes().end() - k, x.sizes().end()) == normalized_shape;
  TT_CHECK(matches,
           "layer_norm: input of shape {} does not end with normalized_shape {}; normalized_shape must equal the "
           "input's trailing dims",
           shape_str(x.sizes()), shape_str(normalized_shape));
  check_param_shape(weight, normalized_shape, "layer_norm", "weight");
  check_param_shape(bias, normalized_shape, "layer_norm", "bias");
  Shape dims;
  for (int64_t d = x.dim() - k; d < x.dim(); ++d) dims.push_back(d);
  return affine(normalize(x, dims, eps), weight, bias, normalized_shape);
}

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  check_floating_input(x, "batch_norm");
  TT_CHECK(x.dim() >= 2, "batch_norm: input must be [N, C, *], got shape {}; add a batch dim with unsqueeze(0)",
           shape_str(x.sizes()));
  TT_CHECK(running_mean.defined() == running_var.defined(),
           "batch_norm: running_mean and running_var must both be given or both be undefined");
  TT_CHECK(training || running_mean.defined(),
           "batch_norm: eval mode needs running_mean and running_var; pass them or set training = true");
  const int64_t channels = x.size(1);
  check_param_shape(running_mean, {channels}, "batch_norm", "running_mean");
  check_param_shape(running_var, {channels}, "batch_norm", "running_var");
  check_param_shape(weight, {channels}, "batch_norm", "weight");
  check_param_shape(bias, {channels}, "batch_norm", "bias");

  Shape stat_shape(static_cast<size_t>(x.dim()), 1);
  stat_shape[1] = channels;
  if (!training) {
    Tensor y = (x - running_mean.view(stat_shape)) * rsqrt(running_var.view(stat_shape) + eps);
    return affine(y, weight, bias, stat_shape);
  }

  Shape dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  const int64_t count = x.numel() / channels;
  TT_CHECK(count > 1,
           "batch_norm: expected more than 1 value per channel when training, got input of shape {}; use a batch of "
           "at least 2 or call eval()",
           shape_str(x.sizes()));
  Tensor batch_mean, batch_var;
  Tensor y = normalize(x, dims, eps, &batch_mean, &batch_var);
  if (running_mean.defined()) {
    NoGradGuard no_grad;
    const double unbias = static_cast<double>(count) / static_cast<double>(count - 1);
    Tensor new_mean = running_mean * (1.0 - momentum) + batch_mean.detach().view({channels}) * momentum;
    Tensor new_var = running_var * (1.0 - momentum) + batch_var.detach().view({channels}) * (momentum * unbias);
    Tensor(running_mean).copy_(new_mean);
    Tensor(running_var).copy_(new_var);
  }
  return affine(y, weight, bias, stat_shape);
}

}  // namespace tinytorch
