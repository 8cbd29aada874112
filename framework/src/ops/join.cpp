// cat/stack copy inputs into slices of one output; split/chunk are narrow() views.
#include "autograd/function.h"
#include "kernels/kernel_table.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {

Tensor cat(const TensorList& tensors, int64_t dim) {
  TT_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  TT_CHECK(first.dim() > 0, "cat: zero-dimensional tensor (at position 0) cannot be concatenated; unsqueeze it first");
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  DType dtype = first.dtype();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    TT_CHECK(t.dim() == first.dim(), "cat: tensor {} has shape {} but tensor 0 has shape {}; all need {} dims", i,
             shape_str(t.sizes()), shape_str(first.sizes()), first.dim());
    for (int64_t k = 0; k < first.dim(); ++k)
      TT_CHECK(k == d || t.sizes()[k] == first.sizes()[k],
               "cat: sizes must match except in dim {}, but tensor {} has shape {} and tensor 0 has shape {} (dim {})", d,
               i, shape_str(t.sizes()), shape_str(first.sizes()), k);
    dtype = promote_types(dtype, t.dtype());
    total += t.sizes()[d];
  }
  Shape shape = first.sizes();
  shape[d] = total;
  Tensor out = empty(shape, dtype);
  Shape sizes;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    kernels::active_kernels().copy(out.narrow(d, offset, t.sizes()[d]).detach(), t);
    offset += t.sizes()[d];
    sizes.push_back(t.sizes()[d]);
  }
  autograd::record("CatBackward", out, tensors, [d, sizes](const Tensor& g, const autograd::Needs& needs) {
    TensorList grads;
    int64_t at = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      grads.push_back(needs[i] ? g.narrow(d, at, sizes[i]) : Tensor());
      at += sizes[i];
    }
    return grads;
  });
  return out;
}

Tensor stack(const TensorList& tensors, int64_t dim) {
  TT_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  const int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  TensorList expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    TT_CHECK(tensors[i].sizes() == tensors[0].sizes(),
             "stack: all tensors must have the same shape, but tensor {} has {} and tensor 0 has {}", i,
             shape_str(tensors[i].sizes()), shape_str(tensors[0].sizes()));
    expanded.push_back(tensors[i].unsqueeze(d));
  }
  return cat(expanded, d);
}

TensorList split(const Tensor& x, int64_t split_size, int64_t dim) {
  TT_CHECK(x.dim() > 0, "split: cannot split a 0-dim tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "split");
  TT_CHECK(split_size > 0 || x.size(d) == 0, "split: split_size must be positive, got {}", split_size);
  Shape sizes;
  for (int64_t at = 0; at < x.size(d); at += split_size) sizes.push_back(std::min(split_size, x.size(d) - at));
  return split(x, sizes, d);
}

TensorList split(const Tensor& x, const Shape& split_sizes, int64_t dim) {
  TT_CHECK(x.dim() > 0, "split: cannot split a 0-dim tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "split");
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    TT_CHECK(s >= 0, "split: split sizes must be non-negative, got {}", shape_str(split_sizes));
    total += s;
  }
  TT_CHECK(total == x.size(d), "split: split sizes {} sum to {} but dim {} of shape {} has size {}",
           shape_str(split_sizes), total, d, shape_str(x.sizes()), x.size(d));
  TensorList parts;
  int64_t at = 0;
  for (int64_t s : split_sizes) {
    parts.push_back(x.narrow(d, at, s));
    at += s;
  }
  return parts;
}

TensorList chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  TT_CHECK(chunks > 0, "chunk: number of chunks must be positive, got {}", chunks);
  TT_CHECK(x.dim() > 0, "chunk: cannot chunk a 0-dim tensor");
  const int64_t n = x.size(wrap_dim(dim, x.dim(), "chunk"));
  return split(x, std::max<int64_t>((n + chunks - 1) / chunks, 1), dim);
}

}  // namespace tinytorch
