// Integer-index ops: index_select, gather, scatter_add and embedding. Each validates its index
// (int64, every value in range) here, so kernels can trust it, and records its backward beside the
// forward: a gather-like op's gradient is the matching scatter-add into zeros, and vice versa.
#include "tinytorch/ops/indexing.h"

#include <string>

#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;

void check_index_dtype(const Tensor& index, const char* op) {
  TT_CHECK(index.dtype() == kInt64, "{}: index must be an int64 tensor, got {}; convert it with .to(tt::kInt64)", op,
           dtype_name(index.dtype()));
}

void check_index_values(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  for (int64_t i : index.to_vector<int64_t>())
    TT_CHECK(i >= 0 && i < size, "{}: index {} is out of bounds for dim {} with size {}; indices must lie in [0, {})",
             op, i, dim, size, size);
}

// gather/scatter_add: index may not exceed `other` in any dim except `free_dim` (-1: none), as torch.
void check_index_shape(const Tensor& index, const Tensor& other, int64_t free_dim, const char* op,
                       const char* other_name) {
  if (index.numel() == 0) return;
  for (int64_t d = 0; d < index.dim(); ++d)
    TT_CHECK(d == free_dim || index.size(d) <= other.size(d),
             "{}: index of shape {} is larger than {} of shape {} in dim {}; {}", op, shape_str(index.sizes()),
             other_name, shape_str(other.sizes()), d,
             free_dim < 0 ? std::string("it must fit inside src in every dim")
                          : fmt::format("only dim {} may be larger", free_dim));
}

void check_same_ndim(const Tensor& t, const Tensor& x, const char* op, const char* what) {
  TT_CHECK(t.dim() == x.dim(), "{}: {} of shape {} must have as many dims as the input of shape {}", op, what,
           shape_str(t.sizes()), shape_str(x.sizes()));
}

// zeros(shape) with src's slices added at `index` along dim: the adjoint of index_select.
Tensor index_add_into_zeros(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = zeros(shape, src.dtype());
  kernels::active_kernels().index_add(out, dim, index, src);
  return out;
}

// zeros(shape) with `part` in its leading corner (scatter_add's src may be larger than its index).
Tensor pad_to(const Tensor& part, const Shape& shape) {
  if (part.sizes() == shape) return part;
  Tensor out = zeros(shape, part.dtype());
  Tensor corner = out;
  for (int64_t d = 0; d < part.dim(); ++d) corner = corner.narrow(d, 0, part.size(d));
  corner.copy_(part);
  return out;
}
}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index_dtype(index, "index_select");
  TT_CHECK(index.dim() <= 1, "index_select: index must be 0-D or 1-D, got shape {}; flatten it with .reshape({{-1}})",
           shape_str(index.sizes()));
  const int64_t d = wrap_dim(dim, x.dim(), "index_select");
  if (x.dim() == 0) {
    TT_CHECK(index.numel() == 1, "index_select: a 0-dim input takes exactly one index, got shape {}",
             shape_str(index.sizes()));
    return index_select(x.reshape({1}), 0, index).reshape({});
  }
  check_index_values(index, x.size(d), d, "index_select");
  const Tensor index_1d = index.reshape({-1});
  Shape shape = x.sizes();
  shape[d] = index_1d.numel();
  Tensor out = empty(shape, x.dtype());
  kernels::active_kernels().index_select(out, x, d, index_1d);
  if (autograd::needs_grad({x}))
    autograd::record("IndexSelectBackward", out, {x},
                     [shape = x.sizes(), d, si = save(index_1d)](const Tensor& g, const Needs&) {
                       return TensorList{index_add_into_zeros(shape, d, si.get(), g)};
                     });
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  check_index_dtype(index, "gather");
  check_same_ndim(index, x, "gather", "index");
  const int64_t d = wrap_dim(dim, x.dim(), "gather");
  if (x.dim() == 0) return gather(x.reshape({1}), 0, index.reshape({1})).reshape({});
  check_index_shape(index, x, d, "gather", "the input");
  check_index_values(index, x.size(d), d, "gather");
  Tensor out = empty(index.sizes(), x.dtype());
  kernels::active_kernels().gather(out, x, d, index);
  if (autograd::needs_grad({x}))
    autograd::record("GatherBackward", out, {x},
                     [shape = x.sizes(), d, si = save(index)](const Tensor& g, const Needs&) {
                       return TensorList{scatter_add(zeros(shape, g.dtype()), d, si.get(), g)};
                     });
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  check_index_dtype(index, "scatter_add");
  detail::check_compute_dtype(x, "scatter_add");
  detail::check_same_device(x, src, "scatter_add");
  TT_CHECK(src.dtype() == x.dtype(), "scatter_add: src has dtype {} but the input has {}; convert src with .to({})",
           dtype_name(src.dtype()), dtype_name(x.dtype()), dtype_name(x.dtype()));
  check_same_ndim(index, x, "scatter_add", "index");
  check_same_ndim(src, x, "scatter_add", "src");
  const int64_t d = wrap_dim(dim, x.dim(), "scatter_add");
  if (x.dim() == 0) return scatter_add(x.reshape({1}), 0, index.reshape({1}), src.reshape({1})).reshape({});
  check_index_shape(index, x, d, "scatter_add", "the input");
  check_index_shape(index, src, -1, "scatter_add", "src");
  check_index_values(index, x.size(d), d, "scatter_add");
  Tensor out = x.detach().clone();
  kernels::active_kernels().scatter_add(out, d, index, src);
  if (autograd::needs_grad({x, src}))
    autograd::record("ScatterAddBackward", out, {x, src},
                     [d, si = save(index), src_shape = src.sizes()](const Tensor& g, const Needs& needs) {
                       return TensorList{g, needs[1] ? pad_to(gather(g, d, si.get()), src_shape) : Tensor()};
                     });
  return out;
}

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx) {
  TT_CHECK(weight.dim() == 2, "embedding: weight must be 2-D [num_embeddings, embedding_dim], got shape {}",
           shape_str(weight.sizes()));
  check_index_dtype(indices, "embedding");
  const int64_t rows = weight.size(0), width = weight.size(1);
  TT_CHECK(padding_idx >= -1 && padding_idx < rows,
           "embedding: padding_idx {} is out of range for a weight with {} rows; use a row in [0, {}) or -1 for none",
           padding_idx, rows, rows);
  check_index_values(indices, rows, 0, "embedding");
  const Tensor flat = indices.reshape({-1});
  Shape shape = indices.sizes();
  shape.push_back(width);
  Tensor out = empty(shape, weight.dtype());
  kernels::active_kernels().index_select(out.view({flat.numel(), width}), weight, 0, flat);
  if (autograd::needs_grad({weight}))
    autograd::record("EmbeddingBackward", out, {weight},
                     [rows, width, padding_idx, sf = save(flat)](const Tensor& g, const Needs&) {
                       Tensor g_rows = g.reshape({-1, width});
                       if (padding_idx >= 0) g_rows = masked_fill(g_rows, eq(sf.get(), padding_idx).unsqueeze(1), 0);
                       return TensorList{index_add_into_zeros({rows, width}, 0, sf.get(), g_rows)};
                     });
  return out;
}

}  // namespace tinytorch
