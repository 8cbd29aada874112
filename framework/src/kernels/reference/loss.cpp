// Reference cross_entropy kernels: log_softmax and nll (with label smoothing) fused per position of
// logits [N, C, S], so neither the log-probabilities nor a one-hot target are ever materialised.
// The forward saves each position's log-sum-exp; the backward rebuilds softmax from it.
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::reference {

void cross_entropy(const Tensor& loss, const Tensor& lse, const Tensor& logits, const Tensor& target,
                   int64_t ignore_index, double label_smoothing) {
  dispatch_floating(logits.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    const int64_t batch = logits.size(0), classes = logits.size(1), spatial = logits.size(2);
    const T* x = logits.data_ptr<T>();
    const int64_t* t = target.data_ptr<int64_t>();
    const Acc eps = label_smoothing;
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t s = 0; s < spatial; ++s) {
        const T* scores = x + n * classes * spatial + s;  // class c at scores[c * spatial]
        Acc max = -std::numeric_limits<Acc>::infinity();
        for (int64_t c = 0; c < classes; ++c) max = std::fmax(max, static_cast<Acc>(scores[c * spatial]));
        Acc sum_exp = 0, sum_x = 0;
        for (int64_t c = 0; c < classes; ++c) {
          sum_exp += std::exp(scores[c * spatial] - max);
          sum_x += scores[c * spatial];
        }
        const Acc log_sum_exp = max + std::log(sum_exp);
        const int64_t i = n * spatial + s;
        lse.data_ptr<T>()[i] = static_cast<T>(log_sum_exp);
        Acc value = 0;
        if (t[i] != ignore_index) {
          // (1 - eps) * (-log p[target]) + eps * mean over classes of -log p.
          value = (1 - eps) * (log_sum_exp - scores[t[i] * spatial]);
          if (eps != 0) value += eps * (log_sum_exp - sum_x / static_cast<Acc>(classes));
        }
        loss.data_ptr<T>()[i] = static_cast<T>(value);
      }
    }
  });
}

void cross_entropy_backward(const Tensor& grad_logits, const Tensor& grad_loss, const Tensor& logits, const Tensor& lse,
                            const Tensor& target, int64_t ignore_index, double label_smoothing) {
  dispatch_floating(logits.dtype(), "cross_entropy_backward", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    const int64_t batch = logits.size(0), classes = logits.size(1), spatial = logits.size(2);
    const T* x = logits.data_ptr<T>();
    const int64_t* t = target.data_ptr<int64_t>();
    T* gx = grad_logits.data_ptr<T>();
    const Acc eps = label_smoothing;
    for (int64_t n = 0; n < batch; ++n) {
      for (int64_t s = 0; s < spatial; ++s) {
        const int64_t i = n * spatial + s;
        const bool ignored = t[i] == ignore_index;
        const Acc g = grad_loss.data_ptr<T>()[i];
        const Acc log_sum_exp = lse.data_ptr<T>()[i];
        for (int64_t c = 0; c < classes; ++c) {
          const int64_t at = (n * classes + c) * spatial + s;
          const Acc target_prob = (c == t[i] ? 1 - eps : Acc{0}) + eps / static_cast<Acc>(classes);
          const Acc softmax = std::exp(x[at] - log_sum_exp);
          gx[at] = ignored ? T{0} : static_cast<T>(g * (softmax - target_prob));
        }
      }
    }
  });
}

}  // namespace tinytorch::kernels::reference
