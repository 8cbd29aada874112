// Optimized index_select and index_add for contiguous operands, the layout of embedding lookups and
// their gradients. Both see a tensor as [outer, size along dim, inner] and move whole inner runs.
// index_add splits the inner columns (or the outer blocks) over threads and keeps each element's
// sum in index order, so repeated indices accumulate identically for any thread count. Other
// layouts and dtypes go to the reference kernels.
#include <cstring>

#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::optimized {
namespace {

constexpr int64_t kCopyGrain = 32 * 1024;  // elements per thread chunk

struct Blocks {
  int64_t outer = 1, inner = 1;
};

Blocks blocks_around(const Shape& sizes, int64_t dim) {
  Blocks b;
  for (int64_t d = 0; d < dim; ++d) b.outer *= sizes[d];
  for (size_t d = dim + 1; d < sizes.size(); ++d) b.inner *= sizes[d];
  return b;
}

bool fast_layout(const Tensor& a, const Tensor& b, const Tensor& index) {
  return a.is_contiguous() && b.is_contiguous() && index.is_contiguous() && a.dtype() == b.dtype() &&
         (a.dtype() == DType::Float32 || a.dtype() == DType::Float64) && a.numel() > 0 && b.numel() > 0;
}

template <class T>
void index_select_typed(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  const Blocks b = blocks_around(in.sizes(), dim);
  const int64_t in_rows = in.size(dim), picks = index.numel();
  const T* x = in.data_ptr<T>();
  T* o = out.data_ptr<T>();
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t grain = std::max<int64_t>(1, kCopyGrain / b.inner);
  parallel_for(0, b.outer * picks, grain, [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; ++r) {
      const int64_t block = r / picks, i = r % picks;
      std::memcpy(o + r * b.inner, x + (block * in_rows + idx[i]) * b.inner, sizeof(T) * b.inner);
    }
  });
}

template <class T>
void index_add_typed(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  const Blocks b = blocks_around(out.sizes(), dim);
  const int64_t out_rows = out.size(dim), picks = index.numel();
  T* o = out.data_ptr<T>();
  const T* s = src.data_ptr<T>();
  const int64_t* idx = index.data_ptr<int64_t>();
  const auto add_columns = [&](int64_t block, int64_t c0, int64_t c1) {
    for (int64_t i = 0; i < picks; ++i) {
      T* dst = o + (block * out_rows + idx[i]) * b.inner;
      const T* row = s + (block * picks + i) * b.inner;
      for (int64_t c = c0; c < c1; ++c) dst[c] += row[c];
    }
  };
  if (b.outer > 1) {
    parallel_for(0, b.outer, 1, [&](int64_t first, int64_t last) {
      for (int64_t block = first; block < last; ++block) add_columns(block, 0, b.inner);
    });
    return;
  }
  const int64_t grain = std::max<int64_t>(16, kCopyGrain / std::max<int64_t>(1, picks));
  parallel_for(0, b.inner, grain, [&](int64_t c0, int64_t c1) { add_columns(0, c0, c1); });
}

}  // namespace

void index_select(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  if (!fast_layout(out, in, index)) return reference::index_select(out, in, dim, index);
  if (in.dtype() == DType::Float32) return index_select_typed<float>(out, in, dim, index);
  index_select_typed<double>(out, in, dim, index);
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  if (!fast_layout(out, src, index)) return reference::index_add(out, dim, index, src);
  if (out.dtype() == DType::Float32) return index_add_typed<float>(out, dim, index, src);
  index_add_typed<double>(out, dim, index, src);
}

}  // namespace tinytorch::kernels::optimized
