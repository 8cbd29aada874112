// Reference softmax / log_softmax and their backward: one pass per row along `dim`, where a row is
// every element that differs only in its index along `dim`. Inputs may have any strides.
#include <cmath>
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::reference {
namespace {

// Walks the rows of `operands` (all of one shape) along `dim`: f(starts, n, steps) gets each row's
// first offset and the per-operand step between consecutive elements of the row.
template <size_t N, class F>
void for_each_row(const std::array<const Tensor*, N>& operands, int64_t dim, F&& f) {
  const Tensor& first = *operands[0];
  const bool scalar = first.dim() == 0;  // a 0-d tensor is a single row of length 1
  const int64_t n = scalar ? 1 : first.sizes()[dim];
  Shape outer_sizes = first.sizes();
  if (!scalar) outer_sizes[dim] = 1;
  std::array<Tensor, N> outer;
  std::array<const Tensor*, N> outer_ptrs{};
  std::array<int64_t, N> steps{};
  for (size_t i = 0; i < N; ++i) {
    const Tensor& t = *operands[i];
    outer[i] = strided_view(t, outer_sizes, t.strides(), t.storage_offset());
    outer_ptrs[i] = &outer[i];
    steps[i] = scalar ? 0 : t.strides()[dim];
  }
  for_each_offset<N>(outer_sizes, outer_ptrs, [&](const auto& starts) { f(starts, n, steps); });
}

}  // namespace

void softmax(const Tensor& out, const Tensor& in, int64_t dim, bool log) {
  dispatch_floating(in.dtype(), "softmax", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    T* y = storage_base<T>(out);
    const T* x = storage_base<T>(in);
    for_each_row<2>({&out, &in}, dim, [&](const auto& start, int64_t n, const auto& step) {
      // Subtracting the row maximum keeps every exp() in (0, 1]: no overflow for large logits.
      Acc max = -std::numeric_limits<Acc>::infinity();
      for (int64_t i = 0; i < n; ++i) max = std::fmax(max, static_cast<Acc>(x[start[1] + i * step[1]]));
      Acc sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<Acc>(x[start[1] + i * step[1]]) - max);
      const Acc log_sum = std::log(sum);
      for (int64_t i = 0; i < n; ++i) {
        const Acc shifted = static_cast<Acc>(x[start[1] + i * step[1]]) - max;
        y[start[0] + i * step[0]] = static_cast<T>(log ? shifted - log_sum : std::exp(shifted) / sum);
      }
    });
  });
}

// softmax:     dx_i = y_i * (g_i - sum_j g_j y_j)
// log_softmax: dx_i = g_i - exp(y_i) * sum_j g_j
void softmax_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log) {
  dispatch_floating(out.dtype(), "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    T* gx = storage_base<T>(grad_in);
    const T* g = storage_base<T>(grad_out);
    const T* y = storage_base<T>(out);
    for_each_row<3>({&grad_in, &grad_out, &out}, dim, [&](const auto& start, int64_t n, const auto& step) {
      Acc dot = 0;
      for (int64_t i = 0; i < n; ++i) {
        const Acc gi = static_cast<Acc>(g[start[1] + i * step[1]]);
        dot += log ? gi : gi * static_cast<Acc>(y[start[2] + i * step[2]]);
      }
      for (int64_t i = 0; i < n; ++i) {
        const Acc gi = static_cast<Acc>(g[start[1] + i * step[1]]);
        const Acc yi = static_cast<Acc>(y[start[2] + i * step[2]]);
        gx[start[0] + i * step[0]] = static_cast<T>(log ? gi - std::exp(yi) * dot : yi * (gi - dot));
      }
    });
  });
}

}  // namespace tinytorch::kernels::reference
