// Optimized layer_norm and batch_norm: the fused bodies of fused_body.h spread over threads by row
// (layer_norm) or by channel (batch_norm). Each sum stays within one chunk, or (layer_norm's weight
// and bias gradients) within row blocks fixed by the shape, so results are bitwise identical for any
// thread count.
#include <algorithm>
#include <vector>

#include "kernels/optimized/fused_kernels.h"
#include "kernels/optimized/int_math.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {
// layer_norm's backward sums its weight and bias gradients over at most this many row blocks, each
// a multiple of kColumnSumRows rows, then adds the blocks' sums in block order.
constexpr int64_t kMaxRowBlocks = 32;
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
        const auto body = fused_bodies<T>().layer_norm_backward;
        const bool params = a.grad_weight || a.grad_bias;
        const int64_t cols = a.cols;
        const int64_t block_rows = std::max(kColumnSumRows, round_up(ceil_div(a.rows, kMaxRowBlocks), kColumnSumRows));
        const int64_t blocks = ceil_div(a.rows, block_rows);
        std::vector<double> parts(params ? static_cast<size_t>(blocks * 2 * cols) : 0);
        parallel_for(0, blocks, grain_for(block_rows * cols), [&](int64_t first, int64_t last) {
          for (int64_t b = first; b < last; ++b)
            body(a, b * block_rows, std::min(a.rows, (b + 1) * block_rows),
                 params ? parts.data() + b * 2 * cols : nullptr);
        });
        if (!params) return;
        std::vector<double> totals(static_cast<size_t>(2 * cols), 0.0);
        for (int64_t b = 0; b < blocks; ++b)
          for (int64_t j = 0; j < 2 * cols; ++j)
            totals[static_cast<size_t>(j)] += parts[static_cast<size_t>(b * 2 * cols + j)];
        for (int64_t j = 0; j < cols; ++j) {
          if (a.grad_weight) a.grad_weight[j] = static_cast<T>(totals[static_cast<size_t>(j)]);
          if (a.grad_bias) a.grad_bias[j] = static_cast<T>(totals[static_cast<size_t>(cols + j)]);
        }
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
