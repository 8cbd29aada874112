// Reference layer_norm and batch_norm kernels, forward and backward side by side: plain loops over
// contiguous [rows, cols] and [N, C, S] data, with every sum accumulated in acc_t (double).
#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::reference {
namespace {
// Pointer to an optional tensor's data (nullptr when undefined).
template <class T>
T* optional_data(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}
}  // namespace

void layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                const Tensor& bias, double eps) {
  dispatch_floating(x.dtype(), "layer_norm", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    const int64_t rows = x.size(0), cols = x.size(1);
    const T* px = x.data_ptr<T>();
    const T* w = optional_data<T>(weight);
    const T* b = optional_data<T>(bias);
    T* y = out.data_ptr<T>();
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = px + r * cols;
      Acc sum = 0;
      for (int64_t j = 0; j < cols; ++j) sum += row[j];
      const Acc mu = sum / static_cast<Acc>(cols);
      Acc squares = 0;  // two passes: the variance of centred values does not cancel catastrophically
      for (int64_t j = 0; j < cols; ++j) squares += (row[j] - mu) * (row[j] - mu);
      const Acc inv = 1 / std::sqrt(squares / static_cast<Acc>(cols) + static_cast<Acc>(eps));
      for (int64_t j = 0; j < cols; ++j) {
        Acc v = (row[j] - mu) * inv;
        if (w) v *= w[j];
        if (b) v += b[j];
        y[r * cols + j] = static_cast<T>(v);
      }
      mean.data_ptr<T>()[r] = static_cast<T>(mu);
      rstd.data_ptr<T>()[r] = static_cast<T>(inv);
    }
  });
}

// With xhat = (x - mean) * rstd and dy = grad_out * weight, per row of n values:
//   grad_input = rstd * (dy - mean(dy) - xhat * mean(dy * xhat)),
// and grad_weight / grad_bias sum grad_out * xhat / grad_out over the rows.
void layer_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight) {
  dispatch_floating(x.dtype(), "layer_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    const int64_t rows = x.size(0), cols = x.size(1);
    const T* px = x.data_ptr<T>();
    const T* g = grad_out.data_ptr<T>();
    const T* w = optional_data<T>(weight);
    T* gx = optional_data<T>(grad_input);
    std::vector<Acc> gw(static_cast<size_t>(cols), 0), gb(static_cast<size_t>(cols), 0);
    for (int64_t r = 0; r < rows; ++r) {
      const Acc mu = mean.data_ptr<T>()[r], inv = rstd.data_ptr<T>()[r];
      const T* row = px + r * cols;
      const T* grow = g + r * cols;
      Acc sum_dy = 0, sum_dy_xhat = 0;
      for (int64_t j = 0; j < cols; ++j) {
        const Acc xhat = (row[j] - mu) * inv;
        const Acc dy = w ? static_cast<Acc>(grow[j]) * w[j] : static_cast<Acc>(grow[j]);
        sum_dy += dy;
        sum_dy_xhat += dy * xhat;
        gw[j] += grow[j] * xhat;
        gb[j] += grow[j];
      }
      if (!gx) continue;
      const Acc mean_dy = sum_dy / static_cast<Acc>(cols), mean_dy_xhat = sum_dy_xhat / static_cast<Acc>(cols);
      for (int64_t j = 0; j < cols; ++j) {
        const Acc xhat = (row[j] - mu) * inv;
        const Acc dy = w ? static_cast<Acc>(grow[j]) * w[j] : static_cast<Acc>(grow[j]);
        gx[r * cols + j] = static_cast<T>(inv * (dy - mean_dy - xhat * mean_dy_xhat));
      }
    }
    for (int64_t j = 0; j < cols; ++j) {
      if (grad_weight.defined()) grad_weight.data_ptr<T>()[j] = static_cast<T>(gw[j]);
      if (grad_bias.defined()) grad_bias.data_ptr<T>()[j] = static_cast<T>(gb[j]);
    }
  });
}

void batch_norm(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& x,
                const Tensor& weight, const Tensor& bias, const Tensor& running_mean, const Tensor& running_var,
                bool training, double momentum, double eps) {
  dispatch_floating(x.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    const int64_t batch = x.size(0), channels = x.size(1), spatial = x.size(2);
    const Acc count = static_cast<Acc>(batch * spatial);
    const T* px = x.data_ptr<T>();
    const T* w = optional_data<T>(weight);
    const T* b = optional_data<T>(bias);
    T* rm = optional_data<T>(running_mean);
    T* rv = optional_data<T>(running_var);
    T* y = out.data_ptr<T>();
    // Element s of sample n in channel c.
    const auto at = [&](int64_t n, int64_t c, int64_t s) { return (n * channels + c) * spatial + s; };
    for (int64_t c = 0; c < channels; ++c) {
      Acc mu, inv;
      if (training) {
        Acc sum = 0;
        for (int64_t n = 0; n < batch; ++n)
          for (int64_t s = 0; s < spatial; ++s) sum += px[at(n, c, s)];
        mu = sum / count;
        Acc squares = 0;
        for (int64_t n = 0; n < batch; ++n)
          for (int64_t s = 0; s < spatial; ++s) squares += (px[at(n, c, s)] - mu) * (px[at(n, c, s)] - mu);
        const Acc var = squares / count;
        inv = 1 / std::sqrt(var + static_cast<Acc>(eps));
        if (rm) {
          // PyTorch's running update: momentum-weighted, with the unbiased variance.
          rm[c] = static_cast<T>(rm[c] * (1 - momentum) + mu * momentum);
          rv[c] = static_cast<T>(rv[c] * (1 - momentum) + var * count / (count - 1) * momentum);
        }
      } else {
        mu = rm[c];
        inv = 1 / std::sqrt(static_cast<Acc>(rv[c]) + static_cast<Acc>(eps));
      }
      const Acc scale = w ? inv * w[c] : inv;
      const Acc shift = b ? static_cast<Acc>(b[c]) : Acc{0};
      for (int64_t n = 0; n < batch; ++n)
        for (int64_t s = 0; s < spatial; ++s) y[at(n, c, s)] = static_cast<T>((px[at(n, c, s)] - mu) * scale + shift);
      save_mean.data_ptr<T>()[c] = static_cast<T>(mu);
      save_invstd.data_ptr<T>()[c] = static_cast<T>(inv);
    }
  });
}

// Per channel, with xhat = (x - mean) * invstd over its count values:
//   training: grad_input = weight * invstd * (g - mean(g) - xhat * mean(g * xhat))
//   eval:     grad_input = weight * invstd * g (the running stats are constants)
void batch_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& save_mean, const Tensor& save_invstd,
                         const Tensor& weight, bool training) {
  dispatch_floating(x.dtype(), "batch_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    const int64_t batch = x.size(0), channels = x.size(1), spatial = x.size(2);
    const Acc count = static_cast<Acc>(batch * spatial);
    const T* px = x.data_ptr<T>();
    const T* g = grad_out.data_ptr<T>();
    const T* w = optional_data<T>(weight);
    T* gx = optional_data<T>(grad_input);
    const auto at = [&](int64_t n, int64_t c, int64_t s) { return (n * channels + c) * spatial + s; };
    for (int64_t c = 0; c < channels; ++c) {
      const Acc mu = save_mean.data_ptr<T>()[c], inv = save_invstd.data_ptr<T>()[c];
      Acc sum_g = 0, sum_g_xhat = 0;
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t s = 0; s < spatial; ++s) {
          sum_g += g[at(n, c, s)];
          sum_g_xhat += g[at(n, c, s)] * ((px[at(n, c, s)] - mu) * inv);
        }
      }
      if (grad_weight.defined()) grad_weight.data_ptr<T>()[c] = static_cast<T>(sum_g_xhat);
      if (grad_bias.defined()) grad_bias.data_ptr<T>()[c] = static_cast<T>(sum_g);
      if (!gx) continue;
      const Acc scale = w ? inv * w[c] : inv;
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t s = 0; s < spatial; ++s) {
          Acc v = g[at(n, c, s)];
          if (training) v -= sum_g / count + (px[at(n, c, s)] - mu) * inv * (sum_g_xhat / count);
          gx[at(n, c, s)] = static_cast<T>(scale * v);
        }
      }
    }
  });
}

}  // namespace tinytorch::kernels::reference
