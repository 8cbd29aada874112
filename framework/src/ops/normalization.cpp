// layer_norm and batch_norm: each is one fused forward kernel that saves the per-row / per-channel
// statistics, and one fused backward kernel recorded beside it (gradients for input, weight and bias
// in a single pass, including the terms that flow through the batch statistics). batch_norm's
// running-stat update happens inside its forward kernel, outside the graph.
#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/nn_functional.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;

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

// The kernels take contiguous data of one dtype, outside the graph, viewed as `shape`.
Tensor dense(const Tensor& t, DType dtype, const Shape& shape) {
  if (!t.defined()) return t;
  return t.detach().to(dtype).contiguous().view(shape);
}

// An undefined tensor where the gradient is not needed, else a fresh one.
Tensor grad_buffer(bool needed, const Shape& shape, DType dtype) { return needed ? empty(shape, dtype) : Tensor(); }
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
  const DType dtype = x.dtype();
  const int64_t cols = numel_of(normalized_shape);
  const int64_t rows = cols == 0 ? 0 : x.numel() / cols;
  const Tensor x2d = dense(x, dtype, {rows, cols});
  const Tensor w = dense(weight, dtype, {cols}), b = dense(bias, dtype, {cols});
  Tensor out = empty(x.sizes(), dtype);
  Tensor mean = empty({rows}, dtype), rstd = empty({rows}, dtype);
  kernels::active_kernels().layer_norm(out.view({rows, cols}), mean, rstd, x2d, w, b, eps);
  if (autograd::needs_grad({x, weight, bias}))
    autograd::record(
        "NativeLayerNormBackward", out, {x, weight, bias},
        [sx = save(x2d), sw = save(w), mean, rstd, shape = x.sizes(), normalized_shape](const Tensor& g,
                                                                                        const Needs& needs) {
          const Tensor& x2 = sx.get();
          const Shape rc = x2.sizes();
          Tensor gx = grad_buffer(needs[0], rc, x2.dtype());
          Tensor gw = grad_buffer(needs[1], {rc[1]}, x2.dtype());
          Tensor gb = grad_buffer(needs[2], {rc[1]}, x2.dtype());
          kernels::active_kernels().layer_norm_backward(gx, gw, gb, dense(g, x2.dtype(), rc), x2, mean, rstd, sw.get());
          return TensorList{gx.defined() ? gx.view(shape) : gx, gw.defined() ? gw.view(normalized_shape) : gw,
                            gb.defined() ? gb.view(normalized_shape) : gb};
        });
  return out;
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
  const int64_t count = channels == 0 ? 0 : x.numel() / channels;
  TT_CHECK(!training || count > 1,
           "batch_norm: expected more than 1 value per channel when training, got input of shape {}; use a batch of "
           "at least 2 or call eval()",
           shape_str(x.sizes()));

  const DType dtype = x.dtype();
  const int64_t batch = x.size(0);
  const Shape ncs{batch, channels, batch == 0 ? 0 : count / batch};
  const Tensor x3d = dense(x, dtype, ncs);
  const Tensor w = dense(weight, dtype, {channels}), b = dense(bias, dtype, {channels});
  // The kernel updates the running stats in place; a buffer of another dtype or layout gets its
  // new values copied back.
  const bool update_running = training && running_mean.defined();
  const Tensor rm = dense(running_mean, dtype, {channels}), rv = dense(running_var, dtype, {channels});
  Tensor out = empty(x.sizes(), dtype);
  Tensor save_mean = empty({channels}, dtype), save_invstd = empty({channels}, dtype);
  const kernels::KernelTable& k = kernels::active_kernels();
  k.batch_norm(out.view(ncs), save_mean, save_invstd, x3d, w, b, rm, rv, training, momentum, eps);
  if (update_running) {
    for (const auto& [buffer, updated] : {std::pair{running_mean, rm}, std::pair{running_var, rv}}) {
      if (updated.storage() == buffer.storage())
        buffer.storage()->bump_version();
      else
        buffer.detach().copy_(updated);
    }
  }
  if (!autograd::needs_grad({x, weight, bias})) return out;
  // The output is x's affine image, so a backend that can recompute it bit for bit lets the ops
  // that save it (a convolution after a relu, typically) drop it; x is kept here anyway.
  autograd::RecomputeFn recompute;
  if (k.batch_norm_apply && (dtype == kFloat32 || dtype == kFloat64))
    recompute = [&k, sx = save(x3d), sw = save(w), sb = save(b), save_mean, save_invstd, shape = x.sizes()](
                    const Tensor& add_to, bool then_relu) {
      const Tensor& x3 = sx.get();
      Tensor y = add_to.defined() ? add_to : empty(shape, x3.dtype());
      k.batch_norm_apply(y.view(x3.sizes()), x3, save_mean, save_invstd, sw.get(), sb.get(), add_to.defined(),
                         then_relu);
      return y;
    };
  autograd::record(
      "NativeBatchNormBackward", out, {x, weight, bias},
      [sx = save(x3d), sw = save(w), save_mean, save_invstd, training, shape = x.sizes()](const Tensor& g,
                                                                                          const Needs& needs) {
        const Tensor& x3 = sx.get();
        const int64_t c = x3.size(1);
        Tensor gx = grad_buffer(needs[0], x3.sizes(), x3.dtype());
        Tensor gw = grad_buffer(needs[1], {c}, x3.dtype());
        Tensor gb = grad_buffer(needs[2], {c}, x3.dtype());
        kernels::active_kernels().batch_norm_backward(gx, gw, gb, dense(g, x3.dtype(), x3.sizes()), x3, save_mean,
                                                      save_invstd, sw.get(), training);
        return TensorList{gx.defined() ? gx.view(shape) : gx, gw, gb};
      },
      std::move(recompute));
  return out;
}

}  // namespace tinytorch
