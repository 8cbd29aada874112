// Optimized fused optimizer updates: one vectorized pass over param, grad and state, split into
// element ranges over threads. Each element's update is independent, so any split gives the same bits.
#include "kernels/optimized/fused_kernels.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {
// Elements per thread chunk. An update streams 3-5 arrays at a few GB/s per core, and waking the
// sleeping worker costs 30-40 us here, so parameters below this size update on one thread. With the
// general 16 K grain, SGD over the MLP's six tensors (235 k elements) took 113 us on 2 threads vs
// 29 us on one; with 128 K (its 200 k-element weight still split) 62 us.
constexpr int64_t kUpdateGrain = int64_t{1} << 18;

// Runs `body` (a member of FusedBodies<T>) over all elements of `param` with the update scalars `u`.
template <class U, class Body, class Fallback>
void run_update(const Tensor& param, const Tensor& grad, const Tensor& s0, const Tensor& s1, const Tensor& s2,
                const U& u, Body body_of, Fallback fallback) {
  dispatch_f32_f64(
      param.dtype(),
      [&](auto tag) {
        using T = decltype(tag);
        const OptimArgs<T> a{param.data_ptr<T>(), grad.data_ptr<T>(), data_or_null<T>(s0), data_or_null<T>(s1),
                             data_or_null<T>(s2)};
        const auto body = body_of(fused_bodies<T>());
        parallel_for(0, param.numel(), kUpdateGrain, [&](int64_t begin, int64_t end) { body(a, u, begin, end); });
      },
      fallback);
}
}  // namespace

void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdUpdate& u) {
  run_update(
      param, grad, momentum_buffer, Tensor(), Tensor(), u, [](const auto& b) { return b.sgd; },
      [&] { reference::sgd_update(param, grad, momentum_buffer, u); });
}

void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, const AdamUpdate& u) {
  run_update(
      param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, u, [](const auto& b) { return b.adam; },
      [&] { reference::adam_update(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, u); });
}

void rmsprop_update(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& momentum_buffer,
                    const Tensor& grad_avg, const RmspropUpdate& u) {
  run_update(
      param, grad, square_avg, momentum_buffer, grad_avg, u, [](const auto& b) { return b.rmsprop; },
      [&] { reference::rmsprop_update(param, grad, square_avg, momentum_buffer, grad_avg, u); });
}

void adagrad_update(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradUpdate& u) {
  run_update(
      param, grad, sum, Tensor(), Tensor(), u, [](const auto& b) { return b.adagrad; },
      [&] { reference::adagrad_update(param, grad, sum, u); });
}

}  // namespace tinytorch::kernels::optimized
