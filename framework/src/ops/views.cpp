// View ops: new shape/strides/offset over the same storage. Each backward maps the gradient of the
// view back onto the input's shape (reshape, inverse permute, or scatter into zeros).
#include <algorithm>
#include <numeric>

#include "autograd/function.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {
namespace {
using autograd::Needs;

Tensor make_view(const Tensor& x, Shape sizes, Shape strides, int64_t offset) {
  return Tensor(std::make_shared<TensorImpl>(x.storage(), std::move(sizes), std::move(strides), offset, x.dtype()));
}

// A view whose gradient is just the incoming gradient reshaped to the input's shape.
Tensor reshaping_view(const char* name, const Tensor& x, Shape sizes, Shape strides) {
  Tensor out = make_view(x, std::move(sizes), std::move(strides), x.storage_offset());
  autograd::record(name, out, {x}, [shape = x.sizes()](const Tensor& g, const Needs&) {
    return TensorList{g.reshape(shape)};
  });
  return out;
}

// Resolves a single -1 and checks the element count.
Shape infer_shape(const Shape& requested, int64_t numel, const char* op, const Shape& input) {
  Shape shape = requested;
  int64_t known = 1;
  int64_t infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      TT_CHECK(infer_at < 0, "{}: only one dimension can be -1, got shape {}", op, shape_str(requested));
      infer_at = static_cast<int64_t>(i);
    } else {
      TT_CHECK(shape[i] >= 0, "{}: invalid size {} in shape {}", op, shape[i], shape_str(requested));
      known *= shape[i];
    }
  }
  if (infer_at >= 0) {
    TT_CHECK(known != 0 && numel % known == 0,
             "{}: shape {} is invalid for input of shape {} ({} elements); the -1 dim cannot be inferred", op,
             shape_str(requested), shape_str(input), numel);
    shape[infer_at] = numel / known;
  }
  TT_CHECK(numel_of(shape) == numel,
           "{}: shape {} is invalid for input of shape {} ({} elements vs {}); the element counts must match", op,
           shape_str(shape), shape_str(input), numel_of(shape), numel);
  return shape;
}

// Strides that let `x` be seen as `shape` without a copy, or empty when impossible. Splits the
// input into runs of dims that are contiguous with each other; each run may be re-shaped freely.
Shape view_strides(const Tensor& x, const Shape& shape) {
  if (x.numel() == 0 || x.is_contiguous()) return contiguous_strides(shape);
  const Shape& old_sizes = x.sizes();
  const Shape& old_strides = x.strides();
  Shape strides(shape.size());
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.empty() ? 1 : old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return {};
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return {};
  return strides;
}
}  // namespace

Tensor view(const Tensor& x, const Shape& requested) {
  const Shape shape = infer_shape(requested, x.numel(), "view", x.sizes());
  Shape strides = view_strides(x, shape);
  TT_CHECK(!strides.empty() || shape.empty(),
           "view: cannot view a non-contiguous tensor of shape {} (strides {}) as {}; use .reshape() or call "
           ".contiguous() first",
           shape_str(x.sizes()), shape_str(x.strides()), shape_str(shape));
  return reshaping_view("ViewBackward", x, shape, std::move(strides));
}

Tensor reshape(const Tensor& x, const Shape& requested) {
  const Shape shape = infer_shape(requested, x.numel(), "reshape", x.sizes());
  if (shape.empty() || !view_strides(x, shape).empty()) return view(x, shape);
  return view(x.clone(), shape);
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  Shape dims(static_cast<size_t>(x.dim()));
  std::iota(dims.begin(), dims.end(), 0);
  if (x.dim() == 0) return permute(x, dims);
  std::swap(dims[wrap_dim(dim0, x.dim(), "transpose")], dims[wrap_dim(dim1, x.dim(), "transpose")]);
  return permute(x, dims);
}

Tensor permute(const Tensor& x, const Shape& dims) {
  TT_CHECK(static_cast<int64_t>(dims.size()) == x.dim(),
           "permute: got {} dims {} for a tensor of shape {}; give each dim exactly once", dims.size(),
           shape_str(dims), shape_str(x.sizes()));
  Shape sizes(dims.size()), strides(dims.size()), inverse(dims.size());
  std::vector<bool> used(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], x.dim(), "permute");
    TT_CHECK(!used[d], "permute: dim {} repeated in {}; give each dim exactly once", d, shape_str(dims));
    used[d] = true;
    sizes[i] = x.sizes()[d];
    strides[i] = x.strides()[d];
    inverse[d] = static_cast<int64_t>(i);
  }
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  autograd::record("PermuteBackward", out, {x}, [inverse](const Tensor& g, const Needs&) {
    return TensorList{g.permute(inverse)};
  });
  return out;
}

Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start_opt, std::optional<int64_t> end_opt,
             int64_t step) {
  TT_CHECK(x.dim() > 0, "slice: cannot slice a 0-dim tensor; unsqueeze it first");
  const int64_t d = wrap_dim(dim, x.dim(), "slice");
  TT_CHECK(step > 0, "slice: step must be positive, got {}", step);
  const int64_t n = x.size(d);
  auto clamp_index = [n](int64_t i) { return std::clamp(i < 0 ? i + n : i, int64_t{0}, n); };
  const int64_t start = clamp_index(start_opt.value_or(0));
  const int64_t end = std::max(start, clamp_index(end_opt.value_or(n)));
  Shape sizes = x.sizes(), strides = x.strides();
  sizes[d] = (end - start + step - 1) / step;
  strides[d] *= step;
  Tensor out = make_view(x, sizes, strides, x.storage_offset() + start * x.strides()[d]);
  autograd::record("SliceBackward", out, {x}, [shape = x.sizes(), d, start, end, step](const Tensor& g, const Needs&) {
    Tensor grad = zeros(shape, g.dtype());
    grad.slice(d, start, end, step).copy_(g);
    return TensorList{grad};
  });
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  TT_CHECK(x.dim() > 0, "narrow: cannot narrow a 0-dim tensor; unsqueeze it first");
  const int64_t d = wrap_dim(dim, x.dim(), "narrow");
  const int64_t n = x.size(d);
  if (start < 0) start += n;
  TT_CHECK(start >= 0 && length >= 0 && start + length <= n,
           "narrow: range [{}, {}) is out of bounds for dim {} of size {} (shape {})", start, start + length, d, n,
           shape_str(x.sizes()));
  return slice(x, d, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  TT_CHECK(x.dim() > 0, "select: cannot select from a 0-dim tensor");
  const int64_t d = wrap_dim(dim, x.dim(), "select");
  const int64_t n = x.size(d);
  TT_CHECK(index >= -n && index < n, "select: index {} is out of range for dim {} of size {} (shape {})", index, d, n,
           shape_str(x.sizes()));
  if (index < 0) index += n;
  Shape sizes = x.sizes(), strides = x.strides();
  const int64_t offset = x.storage_offset() + index * strides[d];
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  Tensor out = make_view(x, sizes, strides, offset);
  autograd::record("SelectBackward", out, {x}, [shape = x.sizes(), d, index](const Tensor& g, const Needs&) {
    Tensor grad = zeros(shape, g.dtype());
    grad.select(d, index).copy_(g);
    return TensorList{grad};
  });
  return out;
}

Tensor expand(const Tensor& x, const Shape& shape) {
  TT_CHECK(static_cast<int64_t>(shape.size()) >= x.dim(),
           "expand: target shape {} has fewer dims than the input's {}; the number of dims cannot shrink",
           shape_str(shape), shape_str(x.sizes()));
  const size_t lead = shape.size() - static_cast<size_t>(x.dim());
  Shape sizes(shape.size()), strides(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      TT_CHECK(shape[i] >= 0, "expand: new leading dim {} must have a non-negative size, got {}", i, shape[i]);
      sizes[i] = shape[i];
      strides[i] = 0;
      continue;
    }
    const int64_t in_size = x.sizes()[i - lead];
    const int64_t want = shape[i] == -1 ? in_size : shape[i];
    TT_CHECK(want == in_size || in_size == 1,
             "expand: the input's size {} at dim {} must match the target {} or be 1 (input {}, target {})", in_size,
             i - lead, want, shape_str(x.sizes()), shape_str(shape));
    sizes[i] = want;
    strides[i] = want == in_size ? x.strides()[i - lead] : 0;
  }
  // New leading dims of size 1 get the stride a contiguous layout would give, as in PyTorch.
  for (size_t i = lead; i-- > 0;)
    if (sizes[i] == 1) strides[i] = i + 1 < sizes.size() ? sizes[i + 1] * strides[i + 1] : 1;
  if (sizes == x.sizes()) return x;
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  // record() sums the broadcast gradient back to the input's shape.
  autograd::record("ExpandBackward", out, {x}, [](const Tensor& g, const Needs&) { return TensorList{g}; });
  return out;
}

Tensor squeeze(const Tensor& x) {
  Shape sizes, strides;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (x.sizes()[d] != 1) {
      sizes.push_back(x.sizes()[d]);
      strides.push_back(x.strides()[d]);
    }
  return reshaping_view("SqueezeBackward", x, sizes, strides);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  if (x.dim() == 0) return reshaping_view("SqueezeBackward", x, {}, {});
  const int64_t d = wrap_dim(dim, x.dim(), "squeeze");
  if (x.sizes()[d] != 1) return x;
  Shape sizes = x.sizes(), strides = x.strides();
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  return reshaping_view("SqueezeBackward", x, sizes, strides);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape sizes = x.sizes(), strides = x.strides();
  const int64_t stride = d < x.dim() ? x.strides()[d] * x.sizes()[d] : 1;
  sizes.insert(sizes.begin() + d, 1);
  strides.insert(strides.begin() + d, stride);
  return reshaping_view("UnsqueezeBackward", x, sizes, strides);
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return x.reshape({1});
  const int64_t start = wrap_dim(start_dim, x.dim(), "flatten");
  const int64_t end = wrap_dim(end_dim, x.dim(), "flatten");
  TT_CHECK(start <= end, "flatten: start_dim {} must not come after end_dim {}", start, end);
  Shape shape(x.sizes().begin(), x.sizes().begin() + start);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= x.sizes()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), x.sizes().begin() + end + 1, x.sizes().end());
  return x.reshape(shape);
}

Tensor contiguous(const Tensor& x) { return x.contiguous(); }

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.sizes() == shape) return x;
  TT_CHECK(static_cast<int64_t>(shape.size()) <= x.dim(), "sum_to: cannot reduce shape {} to the larger rank of {}",
           shape_str(x.sizes()), shape_str(shape));
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  Shape dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.sizes()[d] != 1)) dims.push_back(d);
  Tensor reduced = dims.empty() ? x : sum(x, dims, true);
  return reduced.reshape(shape);
}

}  // namespace tinytorch
