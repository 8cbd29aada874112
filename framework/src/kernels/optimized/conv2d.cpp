// Optimized conv2d kernels. The forward pass and the weight gradient run as implicit GEMMs
// (conv2d_implicit.cpp), and so does the input gradient with at least 8 input channels per group
// (implicit_conv::applies_to_input_gradient). Input gradients with fewer go through the column
// matrix instead (col2im.h):
//   col[K, P] = W_g^T · gy_g[OC_g, P] with the BLIS-style GEMM (gemm/gemm.h), then col2im adds it
//   into gx. The column matrix covers a band of output rows at a time, so scratch memory stays
//   bounded for large images.
// Threading: images are spread over threads when there are enough of them, otherwise each GEMM
// threads over its M/N blocks. Either way every element sees the same arithmetic, so results are
// bitwise identical for any thread count.
#include <algorithm>
#include <functional>

#include "kernels/optimized/col2im.h"
#include "kernels/optimized/conv2d_implicit.h"
#include "kernels/optimized/gemm/gemm.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/optimized/thread_scratch.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {

// Elements of one band's column matrix (1 MiB of f32): large enough for long GEMM rows, small
// enough to stay in L2 between the GEMM and col2im.
constexpr int64_t kColumnBudget = int64_t{1} << 18;
// thread_scratch tag of the column matrix (conv2d_implicit.cpp's buffers use tags 0-2).
constexpr int kColumnScratch = 3;

int64_t band_rows(const ConvShape& s) {
  return std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(1, s.col_rows() * s.out_w), 1, s.out_h);
}

// Runs fn over [0, batch): split across threads when every thread gets at least two images,
// otherwise on this thread (the GEMMs inside then use the pool themselves).
void for_each_image(int64_t batch, const std::function<void(int64_t, int64_t)>& fn) {
  const int width = parallel_width(batch);
  if (width > 1 && batch >= 2 * width)
    parallel_for(0, batch, 1, fn);
  else
    fn(0, batch);
}

// C[m, n] = A^T · B for A [k, m] and B [k, n], all row-major (C with leading dimension ldc).
template <class T>
void matmul_at_b(int64_t m, int64_t n, int64_t k, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc) {
  GemmArgs<T> g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a;
  g.a_row_stride = 1;
  g.a_col_stride = m;
  g.b = b;
  g.b_row_stride = ldb;
  g.b_col_stride = 1;
  g.c = c;
  g.ldc = ldc;
  gemm(g);
}

template <class T>
void col2im_backward_input(const ConvShape& s, const T* gy, const T* w, T* gx) {
  const int64_t k = s.col_rows(), rows = band_rows(s);
  for_each_image(s.batch, [&](int64_t first, int64_t last) {
    T* buffer = thread_scratch<T, kColumnScratch>(k * rows * s.out_w);
    for (int64_t n = first; n < last; ++n)
      for (int64_t g = 0; g < s.groups; ++g) {
        T* gx_group = gx + (n * s.in_channels + g * s.in_per_group) * s.in_plane();
        const T* w_group = w + g * s.out_per_group * k;
        const T* gy_group = gy + (n * s.out_channels + g * s.out_per_group) * s.out_plane();
        std::fill(gx_group, gx_group + s.in_per_group * s.in_plane(), T(0));
        for (int64_t oh0 = 0; oh0 < s.out_h; oh0 += rows) {
          const int64_t oh1 = std::min(s.out_h, oh0 + rows), cols = (oh1 - oh0) * s.out_w;
          matmul_at_b<T>(k, cols, s.out_per_group, w_group, gy_group + oh0 * s.out_w, s.out_plane(), buffer, cols);
          col2im_add(s, buffer, oh0, oh1, gx_group);
        }
      }
  });
}

bool fast_dtype(DType dtype) { return dtype == DType::Float32 || dtype == DType::Float64; }

}  // namespace

void conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Conv2dParams& p) {
  if (!fast_dtype(out.dtype()) || out.numel() == 0 || input.numel() == 0 || weight.numel() == 0)
    return reference::conv2d(out, input, weight, p);
  const ConvShape s(input.sizes(), weight.sizes(), out.sizes(), p);
  const auto run = [&](auto zero) {
    using T = decltype(zero);
    implicit_conv::forward(s, input.data_ptr<T>(), weight.data_ptr<T>(), out.data_ptr<T>());
  };
  out.dtype() == DType::Float32 ? run(float{}) : run(double{});
}

void conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_out, const Tensor& weight,
                           const Conv2dParams& p) {
  if (!fast_dtype(grad_input.dtype()) || grad_input.numel() == 0 || grad_out.numel() == 0 || weight.numel() == 0)
    return reference::conv2d_backward_input(grad_input, grad_out, weight, p);
  const ConvShape s(grad_input.sizes(), weight.sizes(), grad_out.sizes(), p);
  const auto run = [&](auto zero) {
    using T = decltype(zero);
    const auto kernel =
        implicit_conv::applies_to_input_gradient(s) ? implicit_conv::backward_input<T> : col2im_backward_input<T>;
    kernel(s, grad_out.data_ptr<T>(), weight.data_ptr<T>(), grad_input.data_ptr<T>());
  };
  grad_input.dtype() == DType::Float32 ? run(float{}) : run(double{});
}

void conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_out, const Tensor& input,
                            const Conv2dParams& p) {
  if (!fast_dtype(grad_weight.dtype()) || grad_weight.numel() == 0 || grad_out.numel() == 0 || input.numel() == 0)
    return reference::conv2d_backward_weight(grad_weight, grad_out, input, p);
  const ConvShape s(input.sizes(), grad_weight.sizes(), grad_out.sizes(), p);
  const auto run = [&](auto zero) {
    using T = decltype(zero);
    implicit_conv::backward_weight(s, grad_out.data_ptr<T>(), input.data_ptr<T>(), grad_weight.data_ptr<T>());
  };
  grad_weight.dtype() == DType::Float32 ? run(float{}) : run(double{});
}

}  // namespace tinytorch::kernels::optimized
