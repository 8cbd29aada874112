// Optimized cross_entropy: rows of [N, C] logits (one position per sample) spread over threads, each
// row fused into two passes forward (max, then exp-sum) and one backward. Logits with trailing
// positions ([N, C, d...]) use the reference kernels.
#include "kernels/optimized/fused_kernels.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {

// The fields forward and backward share; each adds its own outputs.
template <class T>
CrossEntropyArgs<T> shared_args(const Tensor& logits, const Tensor& target, const Tensor& lse, int64_t ignore_index,
                                double label_smoothing) {
  CrossEntropyArgs<T> a{};
  a.logits = logits.data_ptr<T>();
  a.target = target.data_ptr<int64_t>();
  a.lse = lse.data_ptr<T>();
  a.classes = logits.size(1);
  a.ignore_index = ignore_index;
  a.label_smoothing = label_smoothing;
  return a;
}

// Rows (samples) spread over threads; each row's work stays in one chunk.
template <class T, class Body>
void run_rows(Body body, const CrossEntropyArgs<T>& a, int64_t rows) {
  parallel_for(0, rows, grain_for(a.classes), [&](int64_t begin, int64_t end) { body(a, begin, end); });
}

}  // namespace

void cross_entropy(const Tensor& loss, const Tensor& lse, const Tensor& logits, const Tensor& target,
                   int64_t ignore_index, double label_smoothing) {
  const auto fallback = [&] { reference::cross_entropy(loss, lse, logits, target, ignore_index, label_smoothing); };
  if (logits.size(2) != 1) return fallback();
  dispatch_f32_f64(
      logits.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        CrossEntropyArgs<T> a = shared_args<T>(logits, target, lse, ignore_index, label_smoothing);
        a.loss = loss.data_ptr<T>();
        run_rows(fused_bodies<T>().cross_entropy, a, logits.size(0));
      },
      fallback);
}

void cross_entropy_backward(const Tensor& grad_logits, const Tensor& grad_loss, const Tensor& logits, const Tensor& lse,
                            const Tensor& target, int64_t ignore_index, double label_smoothing) {
  const auto fallback = [&] {
    reference::cross_entropy_backward(grad_logits, grad_loss, logits, lse, target, ignore_index, label_smoothing);
  };
  if (logits.size(2) != 1) return fallback();
  dispatch_f32_f64(
      logits.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        CrossEntropyArgs<T> a = shared_args<T>(logits, target, lse, ignore_index, label_smoothing);
        a.grad_loss = grad_loss.data_ptr<T>();
        a.grad_logits = grad_logits.data_ptr<T>();
        run_rows(fused_bodies<T>().cross_entropy_backward, a, logits.size(0));
      },
      fallback);
}

}  // namespace tinytorch::kernels::optimized
