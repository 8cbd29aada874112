// Optimized layer_norm and batch_norm: the fused bodies of fused_body.h spread over threads by row
// (layer_norm), by column (layer_norm's weight and bias gradients) or by channel (batch_norm). Each
// sum stays within one chunk, so results are bitwise identical for any thread count.
#include "kernels/optimized/fused_kernels.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {
template <class T>
LayerNormArgs<T> layer_norm_args(const Tensor& out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                                 const Tensor& weight) {
  LayerNormArgs<T> a{};
  a.x = x.data_ptr<T>();
  a.weight = data_or_null<T>(weight);
  a.out = data_or_null<T>(out);
  a.mean = mean.data_ptr<T>();
  a.rstd = rstd.data_ptr<T>();
  a.rows = x.size(0);
  a.cols = x.size(1);
  return a;
}

template <class T>
BatchNormArgs<T> batch_norm_args(const Tensor& out, const Tensor& x, const Tensor& mean, const Tensor& invstd,
                                 const Tensor& weight, const Tensor& bias, bool training) {
  BatchNormArgs<T> a{};
  a.x = x.data_ptr<T>();
  a.weight = data_or_null<T>(weight);
  a.bias = data_or_null<T>(bias);
  a.out = data_or_null<T>(out);
  a.save_mean = mean.data_ptr<T>();
  a.save_invstd = invstd.data_ptr<T>();
  a.batch = x.size(0);
  a.channels = x.size(1);
  a.spatial = x.size(2);
  a.training = training;
  return a;
}

// Runs a batch_norm body over all channels, split across threads.
template <class T>
void over_channels(const BatchNormArgs<T>& a, void (*body)(const BatchNormArgs<T>&, int64_t, int64_t)) {
  parallel_for(0, a.channels, grain_for(a.batch * a.spatial), [&](int64_t begin, int64_t end) { body(a, begin, end); });
}

}  // namespace

void layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                const Tensor& bias, double eps) {
  dispatch_f32_f64(
      x.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        LayerNormArgs<T> a = layer_norm_args<T>(out, x, mean, rstd, weight);
        a.bias = data_or_null<T>(bias);
        a.eps = eps;
        const auto body = fused_bodies<T>().layer_norm;
        parallel_for(0, a.rows, grain_for(a.cols), [&](int64_t begin, int64_t end) { body(a, begin, end); });
      },
      [&] { reference::layer_norm(out, mean, rstd, x, weight, bias, eps); });
}

void layer_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight) {
  dispatch_f32_f64(
      x.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        LayerNormArgs<T> a = layer_norm_args<T>(grad_input, x, mean, rstd, weight);
        a.grad_out = grad_out.data_ptr<T>();
        a.grad_weight = data_or_null<T>(grad_weight);
        a.grad_bias = data_or_null<T>(grad_bias);
        const FusedBodies<T>& bodies = fused_bodies<T>();
        if (a.out)
          parallel_for(0, a.rows, grain_for(a.cols),
                       [&](int64_t begin, int64_t end) { bodies.layer_norm_backward_input(a, begin, end); });
        if (a.grad_weight || a.grad_bias)
          parallel_for(0, a.cols, grain_for(a.rows),
                       [&](int64_t begin, int64_t end) { bodies.layer_norm_backward_params(a, begin, end); });
      },
      [&] { reference::layer_norm_backward(grad_input, grad_weight, grad_bias, grad_out, x, mean, rstd, weight); });
}

void batch_norm(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& x,
                const Tensor& weight, const Tensor& bias, const Tensor& running_mean, const Tensor& running_var,
                bool training, double momentum, double eps) {
  dispatch_f32_f64(
      x.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        BatchNormArgs<T> a = batch_norm_args<T>(out, x, save_mean, save_invstd, weight, bias, training);
        a.running_mean = data_or_null<T>(running_mean);
        a.running_var = data_or_null<T>(running_var);
        a.momentum = momentum;
        a.eps = eps;
        over_channels(a, fused_bodies<T>().batch_norm);
      },
      [&] {
        reference::batch_norm(out, save_mean, save_invstd, x, weight, bias, running_mean, running_var, training,
                              momentum, eps);
      });
}

void batch_norm_apply(const Tensor& out, const Tensor& x, const Tensor& save_mean, const Tensor& save_invstd,
                      const Tensor& weight, const Tensor& bias, bool accumulate, bool relu) {
  dispatch_f32_f64(
      x.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        BatchNormArgs<T> a = batch_norm_args<T>(out, x, save_mean, save_invstd, weight, bias, false);
        a.accumulate = accumulate;
        a.relu = relu;
        over_channels(a, fused_bodies<T>().batch_norm_apply);
      },
      [&] { TT_CHECK(false, "batch_norm_apply: dtype {} has no recomputation kernel", dtype_name(x.dtype())); });
}

void batch_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& save_mean, const Tensor& save_invstd,
                         const Tensor& weight, bool training) {
  dispatch_f32_f64(
      x.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        BatchNormArgs<T> a = batch_norm_args<T>(grad_input, x, save_mean, save_invstd, weight, Tensor(), training);
        a.grad_out = grad_out.data_ptr<T>();
        a.grad_weight = data_or_null<T>(grad_weight);
        a.grad_bias = data_or_null<T>(grad_bias);
        over_channels(a, fused_bodies<T>().batch_norm_backward);
      },
      [&] {
        reference::batch_norm_backward(grad_input, grad_weight, grad_bias, grad_out, x, save_mean, save_invstd, weight,
                                       training);
      });
}

}  // namespace tinytorch::kernels::optimized
