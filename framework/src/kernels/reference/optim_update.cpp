// Reference fused optimizer updates: one loop per parameter over param, grad and state, each
// element computed in the parameter's dtype in torch.optim's order of operations, so results track
// PyTorch's op-by-op updates to rounding.
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::reference {
namespace {
template <class T>
T* optional_data(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}
}  // namespace

void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdUpdate& u) {
  dispatch_floating(param.dtype(), "sgd_update", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* buf = optional_data<T>(momentum_buffer);
    const T lr = u.lr, wd = u.weight_decay, momentum = u.momentum, damp = 1 - u.dampening;
    for (int64_t i = 0; i < param.numel(); ++i) {
      T d = u.weight_decay != 0 ? g[i] + wd * p[i] : g[i];
      if (buf) {
        buf[i] = u.init_buffer ? d : buf[i] * momentum + damp * d;
        d = u.nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] = p[i] - lr * d;
    }
  });
}

void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, const AdamUpdate& u) {
  dispatch_floating(param.dtype(), "adam_update", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* m = exp_avg.data_ptr<T>();
    T* v = exp_avg_sq.data_ptr<T>();
    T* vmax = optional_data<T>(max_exp_avg_sq);
    const double step = static_cast<double>(u.step);
    const T decay = 1 - u.lr * u.weight_decay, wd = u.weight_decay;
    const T beta1 = u.beta1, beta2 = u.beta2, one_minus_beta1 = 1 - u.beta1, one_minus_beta2 = 1 - u.beta2;
    const T step_size = u.lr / (1 - std::pow(u.beta1, step));
    const T bias_correction2_sqrt = std::sqrt(1 - std::pow(u.beta2, step));
    const T eps = u.eps;
    for (int64_t i = 0; i < param.numel(); ++i) {
      T gi = g[i];
      if (u.decoupled) {
        if (u.weight_decay != 0) p[i] = p[i] * decay;
      } else if (u.weight_decay != 0) {
        gi = gi + wd * p[i];
      }
      m[i] = m[i] * beta1 + one_minus_beta1 * gi;
      v[i] = v[i] * beta2 + one_minus_beta2 * gi * gi;
      T second = v[i];
      if (vmax) second = vmax[i] = std::fmax(vmax[i], v[i]);
      const T denom = std::sqrt(second) / bias_correction2_sqrt + eps;
      p[i] = p[i] - step_size * (m[i] / denom);
    }
  });
}

void rmsprop_update(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& momentum_buffer,
                    const Tensor& grad_avg, const RmspropUpdate& u) {
  dispatch_floating(param.dtype(), "rmsprop_update", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* sq = square_avg.data_ptr<T>();
    T* buf = optional_data<T>(momentum_buffer);
    T* ga = optional_data<T>(grad_avg);
    const T lr = u.lr, alpha = u.alpha, one_minus_alpha = 1 - u.alpha, eps = u.eps, wd = u.weight_decay;
    const T momentum = u.momentum;
    for (int64_t i = 0; i < param.numel(); ++i) {
      const T gi = u.weight_decay != 0 ? g[i] + wd * p[i] : g[i];
      sq[i] = sq[i] * alpha + one_minus_alpha * gi * gi;
      T avg;
      if (ga) {
        ga[i] = ga[i] * alpha + one_minus_alpha * gi;
        avg = std::sqrt(sq[i] - ga[i] * ga[i]) + eps;
      } else {
        avg = std::sqrt(sq[i]) + eps;
      }
      if (buf) {
        buf[i] = buf[i] * momentum + gi / avg;
        p[i] = p[i] - lr * buf[i];
      } else {
        p[i] = p[i] - lr * (gi / avg);
      }
    }
  });
}

void adagrad_update(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradUpdate& u) {
  dispatch_floating(param.dtype(), "adagrad_update", [&](auto tag) {
    using T = decltype(tag);
    T* p = param.data_ptr<T>();
    const T* g = grad.data_ptr<T>();
    T* s = sum.data_ptr<T>();
    const T lr = u.lr, wd = u.weight_decay, eps = u.eps;
    for (int64_t i = 0; i < param.numel(); ++i) {
      const T gi = u.weight_decay != 0 ? g[i] + wd * p[i] : g[i];
      s[i] = s[i] + gi * gi;
      p[i] = p[i] - lr * (gi / (std::sqrt(s[i]) + eps));
    }
  });
}

}  // namespace tinytorch::kernels::reference
