// Reference index kernels. Each walks one shape with for_each_offset over views whose stride along
// `dim` is zeroed, so the walk yields the start of a line along dim; the int64 index value then picks
// the element within that line. The ops have validated every index value.
#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::reference {
namespace {
// `t` seen with `sizes` and its own strides, except along dim where the stride is 0.
Tensor lines_along(const Tensor& t, const Shape& sizes, int64_t dim) {
  Shape strides = t.strides();
  strides[dim] = 0;
  return strided_view(t, sizes, strides, t.storage_offset());
}

// A 1-D index seen with `sizes`: it varies along dim only.
Tensor index_along(const Tensor& index, const Shape& sizes, int64_t dim) {
  Shape strides(sizes.size(), 0);
  strides[dim] = index.strides()[0];
  return strided_view(index, sizes, strides, index.storage_offset());
}
}  // namespace

// out[..., i, ...] = in[..., index[i], ...]
void index_select(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  const Tensor in_lines = lines_along(in, out.sizes(), dim);
  const Tensor picks = index_along(index, out.sizes(), dim);
  const int64_t step = in.strides()[dim];
  dispatch_all(in.dtype(), "index_select", [&](auto tag) {
    using T = decltype(tag);
    T* o = storage_base<T>(out);
    const T* x = storage_base<T>(in);
    const int64_t* idx = storage_base<int64_t>(index);
    for_each_offset<3>(out.sizes(), {&out, &in_lines, &picks},
                       [&](const auto& at) { o[at[0]] = x[at[1] + idx[at[2]] * step]; });
  });
}

// out[..., index[i], ...] += src[..., i, ...]; repeated indices accumulate.
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  const Tensor out_lines = lines_along(out, src.sizes(), dim);
  const Tensor picks = index_along(index, src.sizes(), dim);
  const int64_t step = out.strides()[dim];
  dispatch_numeric(out.dtype(), "index_add", [&](auto tag) {
    using T = decltype(tag);
    T* o = storage_base<T>(out);
    const T* s = storage_base<T>(src);
    const int64_t* idx = storage_base<int64_t>(index);
    for_each_offset<3>(src.sizes(), {&out_lines, &src, &picks},
                       [&](const auto& at) { o[at[0] + idx[at[2]] * step] += s[at[1]]; });
  });
}

// out[p] = in[p with p[dim] replaced by index[p]], for every position p of index (= out's shape).
void gather(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  const Tensor in_lines = lines_along(in, index.sizes(), dim);
  const int64_t step = in.strides()[dim];
  dispatch_all(in.dtype(), "gather", [&](auto tag) {
    using T = decltype(tag);
    T* o = storage_base<T>(out);
    const T* x = storage_base<T>(in);
    const int64_t* idx = storage_base<int64_t>(index);
    for_each_offset<3>(index.sizes(), {&out, &in_lines, &index},
                       [&](const auto& at) { o[at[0]] = x[at[1] + idx[at[2]] * step]; });
  });
}

// out[p with p[dim] replaced by index[p]] += src[p], for every position p of index; src may be larger.
void scatter_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  const Tensor out_lines = lines_along(out, index.sizes(), dim);
  const Tensor src_part = strided_view(src, index.sizes(), src.strides(), src.storage_offset());
  const int64_t step = out.strides()[dim];
  dispatch_numeric(out.dtype(), "scatter_add", [&](auto tag) {
    using T = decltype(tag);
    T* o = storage_base<T>(out);
    const T* s = storage_base<T>(src);
    const int64_t* idx = storage_base<int64_t>(index);
    for_each_offset<3>(index.sizes(), {&out_lines, &src_part, &index},
                       [&](const auto& at) { o[at[0] + idx[at[2]] * step] += s[at[1]]; });
  });
}

}  // namespace tinytorch::kernels::reference
