// Reference reductions: for each output element, walk the reduced sub-block of the input.
#include <limits>

#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::reference {
namespace {
template <class T>
bool is_nan(T v) {
  return v != v;
}
}  // namespace

void reduce(ReduceOp op, const Tensor& out, const Tensor& in) {
  // Outer walk: the output's shape over the input's strides (reduced dims have size 1 there).
  // Inner walk: the reduced dims only, relative to each outer position.
  Shape inner_sizes(in.sizes().size(), 1);
  for (size_t d = 0; d < inner_sizes.size(); ++d)
    if (out.sizes()[d] == 1) inner_sizes[d] = in.sizes()[d];
  const Tensor outer = strided_view(in, out.sizes(), in.strides(), in.storage_offset());
  const Tensor inner = strided_view(in, inner_sizes, in.strides(), 0);
  dispatch_numeric(in.dtype(), "reduce", [&](auto tag) {
    using T = decltype(tag);
    using Acc = acc_t<T>;
    T* o = storage_base<T>(out);
    const T* x = storage_base<T>(in);
    for_each_offset<2>(out.sizes(), {&out, &outer}, [&](const auto& base) {
      Acc acc = op == ReduceOp::Sum ? Acc(0)
                : op == ReduceOp::Max ? std::numeric_limits<Acc>::lowest()
                                      : std::numeric_limits<Acc>::max();
      for_each_offset<1>(inner_sizes, {&inner}, [&](const auto& i) {
        const Acc v = static_cast<Acc>(x[base[1] + i[0]]);
        if (op == ReduceOp::Sum)
          acc += v;
        else if (is_nan(v) || is_nan(acc))
          acc = is_nan(acc) ? acc : v;  // NaN wins, as in PyTorch
        else if (op == ReduceOp::Max ? v > acc : v < acc)
          acc = v;
      });
      o[base[0]] = static_cast<T>(acc);
    });
  });
}

void arg_reduce(ReduceOp op, const Tensor& out, const Tensor& in, int64_t dim) {
  const int64_t n = in.dim() == 0 ? 1 : in.sizes()[dim];
  const int64_t stride = in.dim() == 0 ? 0 : in.strides()[dim];
  const Tensor outer = strided_view(in, out.sizes(), in.strides(), in.storage_offset());
  dispatch_numeric(in.dtype(), "arg_reduce", [&](auto tag) {
    using T = decltype(tag);
    int64_t* o = storage_base<int64_t>(out);
    const T* x = storage_base<T>(in);
    for_each_offset<2>(out.sizes(), {&out, &outer}, [&](const auto& base) {
      int64_t best = 0;
      T best_value = x[base[1]];
      for (int64_t i = 1; i < n && !is_nan(best_value); ++i) {
        const T v = x[base[1] + i * stride];
        if (is_nan(v) || (op == ReduceOp::ArgMax ? v > best_value : v < best_value)) {
          best = i;
          best_value = v;
        }
      }
      o[base[0]] = best;
    });
  });
}

}  // namespace tinytorch::kernels::reference
