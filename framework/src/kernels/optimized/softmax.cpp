// Optimized softmax / log_softmax and their backward (f32, f64): threaded over rows, each row in
// the fused per-ISA span loops (span_kernels.h). A row along the last dim is contiguous; along any
// other dim the rows of one [n, inner] block are processed together, vectorized across `inner`.
#include <algorithm>
#include <initializer_list>
#include <vector>

#include "kernels/optimized/layout.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/span_kernels.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {

// Elements per thread chunk (exp per element: a few times a cheap op).
constexpr int64_t kGrain = 8192;
// Contiguous rows shorter than this (a classifier's 10 logits) are transposed a tile of rows at a
// time and run through the across-rows kernels, vectorized over the tile: per-row lane reductions
// cost more than the work on rows this short (128 rows of 10: 11.5 us row by row, 1.4 us tiled).
constexpr int64_t kShortRow = 16;
constexpr int64_t kShortTile = 256;

// dst[j * rows + i] = src[i * cols + j]: a [rows, cols] block to [cols, rows].
template <class T>
void transpose(const T* src, int64_t rows, int64_t cols, T* dst) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) dst[j * rows + i] = src[i * cols + j];
}

// Runs fn(rows, inputs, result, scratch) on the rows [first, last), kShortTile rows at a time: each
// input row block is transposed to [n, rows], fn writes result in that layout (with scratch of
// 2 * kShortTile elements), and result is transposed back into out. Each row's values do not depend
// on how the rows are tiled, so nor on the thread count.
template <class T, class F>
void short_rows(int64_t first, int64_t last, int64_t n, std::initializer_list<const T*> inputs, T* out, F&& fn) {
  std::vector<T> scratch(static_cast<size_t>((inputs.size() + 1) * n * kShortTile + 2 * kShortTile));
  // Input i's tile at scratch + i * n * kShortTile, then the result's, then fn's own scratch.
  std::vector<T*> tiles;
  for (size_t i = 0; i < inputs.size(); ++i) tiles.push_back(scratch.data() + i * n * kShortTile);
  T* result = scratch.data() + inputs.size() * n * kShortTile;
  for (int64_t r0 = first; r0 < last; r0 += kShortTile) {
    const int64_t rows = std::min(kShortTile, last - r0);
    for (size_t i = 0; i < inputs.size(); ++i) transpose(inputs.begin()[i] + r0 * n, rows, n, tiles[i]);
    fn(rows, tiles, result, result + n * kShortTile);
    transpose(result, n, rows, out + r0 * n);
  }
}

template <class T>
const SpanKernels<T>& spans() {
  if constexpr (std::is_same_v<T, float>)
    return span_kernels().f32;
  else
    return span_kernels().f64;
}

struct Rows {
  int64_t outer = 1, n = 1, inner = 1;
};

Rows rows_along(const Tensor& t, int64_t dim) {
  Rows r;
  r.n = t.sizes()[dim];
  for (int64_t d = 0; d < dim; ++d) r.outer *= t.sizes()[d];
  for (int64_t d = dim + 1; d < t.dim(); ++d) r.inner *= t.sizes()[d];
  return r;
}

template <class T>
void softmax_typed(const Tensor& out, const Tensor& in, int64_t dim, bool log) {
  const SpanKernels<T>& k = spans<T>();
  const Tensor dense = contiguous_input(in);
  const T* x = dense.data_ptr<T>();
  T* y = out.data_ptr<T>();
  const Rows r = rows_along(in, dim);
  const int64_t block = r.n * r.inner;
  parallel_for(0, r.outer, std::max<int64_t>(1, kGrain / block), [&](int64_t first, int64_t last) {
    if (r.inner == 1 && r.n < kShortRow)
      return short_rows<T>(first, last, r.n, {x}, y, [&](int64_t rows, const auto& in, T* result, T* scratch) {
        k.softmax_columns(result, in[0], r.n, rows, log, scratch);
      });
    if (r.inner == 1) return k.softmax_rows(y + first * block, x + first * block, last - first, r.n, log);
    std::vector<T> scratch(static_cast<size_t>(2 * r.inner));
    for (int64_t i = first; i < last; ++i)
      k.softmax_columns(y + i * block, x + i * block, r.n, r.inner, log, scratch.data());
  });
}

template <class T>
void softmax_backward_typed(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log) {
  const SpanKernels<T>& k = spans<T>();
  const Tensor g_dense = contiguous_input(grad_out);
  const Tensor y_dense = contiguous_input(out);
  const T* g = g_dense.data_ptr<T>();
  const T* y = y_dense.data_ptr<T>();
  T* gx = grad_in.data_ptr<T>();
  const Rows r = rows_along(out, dim);
  const int64_t block = r.n * r.inner;
  parallel_for(0, r.outer, std::max<int64_t>(1, kGrain / block), [&](int64_t first, int64_t last) {
    if (r.inner == 1 && r.n < kShortRow)
      return short_rows<T>(first, last, r.n, {g, y}, gx, [&](int64_t rows, const auto& in, T* result, T* scratch) {
        k.softmax_backward_columns(result, in[0], in[1], r.n, rows, log, scratch);
      });
    if (r.inner == 1)
      return k.softmax_backward_rows(gx + first * block, g + first * block, y + first * block, last - first, r.n, log);
    std::vector<T> scratch(static_cast<size_t>(r.inner));
    for (int64_t i = first; i < last; ++i)
      k.softmax_backward_columns(gx + i * block, g + i * block, y + i * block, r.n, r.inner, log, scratch.data());
  });
}

}  // namespace

void softmax(const Tensor& out, const Tensor& in, int64_t dim, bool log) {
  if (in.dim() == 0 || in.numel() == 0) return reference::softmax(out, in, dim, log);
  switch (in.dtype()) {
    case DType::Float32: return softmax_typed<float>(out, in, dim, log);
    case DType::Float64: return softmax_typed<double>(out, in, dim, log);
    default: return reference::softmax(out, in, dim, log);
  }
}

void softmax_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log) {
  if (out.dim() == 0 || out.numel() == 0) return reference::softmax_backward(grad_in, grad_out, out, dim, log);
  switch (out.dtype()) {
    case DType::Float32: return softmax_backward_typed<float>(grad_in, grad_out, out, dim, log);
    case DType::Float64: return softmax_backward_typed<double>(grad_in, grad_out, out, dim, log);
    default: return reference::softmax_backward(grad_in, grad_out, out, dim, log);
  }
}

}  // namespace tinytorch::kernels::optimized
