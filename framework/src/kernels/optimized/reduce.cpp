// Optimized sum / max / min and argmax / argmin (f32, f64). The input is viewed as groups of kept
// (K) and reduced (R) dims; [R] (everything), [K, R] (rows), [R, K] (columns) and [K, R, K] run
// directly on the span loops, other patterns are first permuted into [K, R] by a copy.
//
// Determinism: partial results come from fixed-size blocks (kFullSegment elements, kColumnBlock
// rows) and are combined in block order, so the result does not depend on the thread count.
#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/optimized/layout.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/span_kernels.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::optimized {
namespace {

constexpr int64_t kGrain = 32768;
// Elements per partial of a full reduction (a multiple of kSumBlock).
constexpr int64_t kFullSegment = 16 * kSumBlock;
// Rows accumulated in T before a column partial is added to the double total.
constexpr int64_t kColumnBlock = 256;

template <class T>
const SpanKernels<T>& spans() {
  if constexpr (std::is_same_v<T, float>)
    return span_kernels().f32;
  else
    return span_kernels().f64;
}

template <class T>
T pick(ReduceOp op, T acc, T v) {
  if (v != v || acc != acc) return acc != acc ? acc : v;  // NaN wins
  return (op == ReduceOp::Max ? v > acc : v < acc) ? v : acc;
}

template <class T>
T identity(ReduceOp op) {
  if (op == ReduceOp::Sum) return T(0);
  return op == ReduceOp::Max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
}

template <class T>
T reduce_all(ReduceOp op, const T* x, int64_t n) {
  const SpanKernels<T>& k = spans<T>();
  const int64_t segments = (n + kFullSegment - 1) / kFullSegment;
  std::vector<double> sums(static_cast<size_t>(segments));
  std::vector<T> extremes(static_cast<size_t>(segments));
  parallel_for(0, segments, std::max<int64_t>(1, kGrain / kFullSegment), [&](int64_t first, int64_t last) {
    for (int64_t s = first; s < last; ++s) {
      const int64_t begin = s * kFullSegment, len = std::min(kFullSegment, n - begin);
      if (op == ReduceOp::Sum)
        sums[s] = k.sum(x + begin, len);
      else
        extremes[s] = k.extreme(op, x + begin, len);
    }
  });
  if (op == ReduceOp::Sum) {
    double total = 0;
    for (double s : sums) total += s;
    return static_cast<T>(total);
  }
  T acc = identity<T>(op);
  for (T v : extremes) acc = pick(op, acc, v);
  return acc;
}

// out[r] = reduce(x[r * n, (r + 1) * n)) for r < rows.
template <class T>
void reduce_rows(ReduceOp op, T* out, const T* x, int64_t rows, int64_t n) {
  const SpanKernels<T>& k = spans<T>();
  parallel_for(0, rows, std::max<int64_t>(1, kGrain / n), [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; ++r)
      out[r] = op == ReduceOp::Sum ? static_cast<T>(k.sum(x + r * n, n)) : k.extreme(op, x + r * n, n);
  });
}

// out[j] = reduce over i of x[i * cols + j] for a contiguous [rows, cols] block: partials of
// kColumnBlock rows (vectorized across columns), combined in block order.
template <class T>
void reduce_columns(ReduceOp op, T* out, const T* x, int64_t rows, int64_t cols) {
  const SpanKernels<T>& k = spans<T>();
  const int64_t blocks = (rows + kColumnBlock - 1) / kColumnBlock;
  std::vector<T> partial(static_cast<size_t>(blocks * cols), identity<T>(op));
  parallel_for(0, blocks, std::max<int64_t>(1, kGrain / (kColumnBlock * cols)), [&](int64_t first, int64_t last) {
    for (int64_t b = first; b < last; ++b) {
      const int64_t r0 = b * kColumnBlock;
      k.accumulate_rows(op, partial.data() + b * cols, x + r0 * cols, std::min(kColumnBlock, rows - r0), cols, cols);
    }
  });
  parallel_for(0, cols, kGrain / std::max<int64_t>(1, blocks), [&](int64_t first, int64_t last) {
    for (int64_t j = first; j < last; ++j) {
      if (op == ReduceOp::Sum) {
        double total = 0;
        for (int64_t b = 0; b < blocks; ++b) total += static_cast<double>(partial[b * cols + j]);
        out[j] = static_cast<T>(total);
      } else {
        T acc = identity<T>(op);
        for (int64_t b = 0; b < blocks; ++b) acc = pick(op, acc, partial[b * cols + j]);
        out[j] = acc;
      }
    }
  });
}

struct Group {
  int64_t size;
  bool reduced;
};

template <class T>
void reduce_typed(ReduceOp op, const Tensor& out, const Tensor& in) {
  // Kept dims first, reduced dims last (a free view); contiguous after at most one copy.
  const int64_t ndim = in.dim();
  Shape kept_dims, reduced_dims;
  for (int64_t d = 0; d < ndim; ++d) (out.sizes()[d] == 1 ? reduced_dims : kept_dims).push_back(d);
  std::vector<Group> groups;
  for (int64_t d = 0; d < ndim; ++d) {
    const int64_t size = in.sizes()[d];
    const bool reduced = out.sizes()[d] == 1;
    if (size == 1) continue;
    if (!groups.empty() && groups.back().reduced == reduced)
      groups.back().size *= size;
    else
      groups.push_back({size, reduced});
  }
  T* o = out.data_ptr<T>();
  const bool direct = groups.size() <= 2 || (groups.size() == 3 && !groups[0].reduced);
  if (!direct) {
    Shape sizes, strides;
    kept_dims.insert(kept_dims.end(), reduced_dims.begin(), reduced_dims.end());
    for (int64_t d : kept_dims) {
      sizes.push_back(in.sizes()[d]);
      strides.push_back(in.strides()[d]);
    }
    const Tensor permuted = contiguous_input(strided_view(in, sizes, strides, in.storage_offset()));
    int64_t kept = 1;
    for (int64_t d = 0; d < ndim; ++d)
      if (out.sizes()[d] != 1) kept *= in.sizes()[d];
    return reduce_rows(op, o, permuted.data_ptr<T>(), kept, in.numel() / kept);
  }
  const Tensor dense = contiguous_input(in);
  const T* x = dense.data_ptr<T>();
  if (groups.empty()) {
    o[0] = x[0];
  } else if (groups.size() == 1) {
    if (groups[0].reduced)
      o[0] = reduce_all(op, x, groups[0].size);
    else
      std::copy(x, x + groups[0].size, o);  // nothing to reduce
  } else if (groups.size() == 2) {
    if (groups[1].reduced)
      reduce_rows(op, o, x, groups[0].size, groups[1].size);
    else
      reduce_columns(op, o, x, groups[0].size, groups[1].size);
  } else {
    const int64_t outer = groups[0].size, n = groups[1].size, inner = groups[2].size;
    parallel_for(0, outer, std::max<int64_t>(1, kGrain / (n * inner)), [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i) reduce_columns(op, o + i * inner, x + i * n * inner, n, inner);
    });
  }
}

// First index of the max / min of each row along the middle dim of a contiguous [outer, n, inner]
// input (NaN counts as the extreme, the first one wins).
template <class T>
void arg_reduce_typed(ReduceOp op, const Tensor& out, const Tensor& in, int64_t dim) {
  const Tensor dense = contiguous_input(in);
  const T* x = dense.data_ptr<T>();
  int64_t* o = out.data_ptr<int64_t>();
  const int64_t n = in.sizes()[dim];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= in.sizes()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.sizes()[d];
  const ReduceOp value_op = op == ReduceOp::ArgMax ? ReduceOp::Max : ReduceOp::Min;
  if (inner == 1) {
    const SpanKernels<T>& k = spans<T>();
    parallel_for(0, outer, std::max<int64_t>(1, kGrain / n), [&](int64_t first, int64_t last) {
      for (int64_t r = first; r < last; ++r) {
        const T* row = x + r * n;
        const T best = k.extreme(value_op, row, n);
        int64_t i = 0;
        if (best != best)
          while (row[i] == row[i]) ++i;
        else
          while (row[i] != best) ++i;
        o[r] = i;
      }
    });
    return;
  }
  parallel_for(0, outer, std::max<int64_t>(1, kGrain / (n * inner)), [&](int64_t first, int64_t last) {
    std::vector<T> best(static_cast<size_t>(inner));
    for (int64_t r = first; r < last; ++r) {
      const T* block = x + r * n * inner;
      int64_t* index = o + r * inner;
      std::copy(block, block + inner, best.begin());
      std::fill(index, index + inner, 0);
      for (int64_t i = 1; i < n; ++i) {
        const T* row = block + i * inner;
        for (int64_t j = 0; j < inner; ++j) {
          const T v = row[j], b = best[j];
          const bool better = op == ReduceOp::ArgMax ? v > b : v < b;
          if (b == b && (better || v != v)) {
            best[j] = v;
            index[j] = i;
          }
        }
      }
    }
  });
}

}  // namespace

void reduce(ReduceOp op, const Tensor& out, const Tensor& in) {
  if (in.numel() == 0) return reference::reduce(op, out, in);
  switch (in.dtype()) {
    case DType::Float32: return reduce_typed<float>(op, out, in);
    case DType::Float64: return reduce_typed<double>(op, out, in);
    default: return reference::reduce(op, out, in);
  }
}

void arg_reduce(ReduceOp op, const Tensor& out, const Tensor& in, int64_t dim) {
  if (in.dim() == 0 || in.numel() == 0) return reference::arg_reduce(op, out, in, dim);
  switch (in.dtype()) {
    case DType::Float32: return arg_reduce_typed<float>(op, out, in, dim);
    case DType::Float64: return arg_reduce_typed<double>(op, out, in, dim);
    default: return reference::arg_reduce(op, out, in, dim);
  }
}

}  // namespace tinytorch::kernels::optimized
