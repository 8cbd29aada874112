// Optimized conv2d kernels: im2col (im2col.h) turns each image and group into one GEMM through the
// BLIS-style driver (gemm/gemm.h). A 1x1, stride-1, unpadded convolution multiplies the input planes
// in place. The column matrix covers a band of output rows at a time, so scratch memory stays
// bounded for large images.
//   forward:         y_g[OC_g, P]  = W_g[OC_g, K] · col[K, P]
//   backward input:  col[K, P]     = W_g^T · gy_g[OC_g, P], then col2im adds it into gx
//   backward weight: gW_g[OC_g, K] = sum over images of gy_g · col^T (for few taps, as dot
//                    products of rows, conv_pool_kernels.h: a GEMM would spend its time packing)
// Threading: images are spread over threads when there are enough of them, otherwise each GEMM
// threads over its M/N blocks. Either way every output element sees the same arithmetic, and the
// weight gradient is summed over a fixed partition of the batch (slots, a function of the shape
// alone) combined in slot order, so results are bitwise identical for any thread count.
#include <algorithm>
#include <vector>

#include "kernels/optimized/conv_pool_kernels.h"
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/gemm.h"
#include "kernels/optimized/im2col.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/reference/reference_kernels.h"

namespace tinytorch::kernels::optimized {
namespace {

// Elements of one band's column matrix (1 MiB of f32): large enough for long GEMM rows, small
// enough to stay in L2 between im2col and packing.
constexpr int64_t kColumnBudget = int64_t{1} << 18;
// The weight gradient keeps up to this many partial sums (slots), within kSlotBudget elements.
constexpr int64_t kMaxWeightSlots = 16;
constexpr int64_t kSlotBudget = int64_t{1} << 22;
// Up to this many taps per group, the weight gradient uses dot products instead of a GEMM.
constexpr int64_t kDotMaxTaps = 64;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t band_rows(const ConvShape& s) {
  if (s.pointwise()) return s.out_h;
  return std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(1, s.col_rows() * s.out_w), 1, s.out_h);
}

// Grow-only per-thread buffer for column matrices; pool workers are persistent, so it is allocated
// once per thread and bounded by the largest band.
template <class T>
T* column_buffer(int64_t count) {
  thread_local std::vector<T> buffer;
  if (static_cast<int64_t>(buffer.size()) < count) buffer.resize(static_cast<size_t>(count));
  return buffer.data();
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

// C[m, n] = A · B + beta · C with A, B given by element strides and C row-major.
template <class T>
void matmul(int64_t m, int64_t n, int64_t k, const T* a, int64_t a_rs, int64_t a_cs, const T* b, int64_t b_rs,
            int64_t b_cs, T* c, int64_t ldc, T beta) {
  GemmArgs<T> g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a;
  g.a_row_stride = a_rs;
  g.a_col_stride = a_cs;
  g.b = b;
  g.b_row_stride = b_rs;
  g.b_col_stride = b_cs;
  g.c = c;
  g.ldc = ldc;
  g.beta = beta;
  gemm(g);
}

// The GEMM operand for output rows [oh0, oh1) of one image and group: the input planes themselves
// for a pointwise convolution, else the band's column matrix (filled here). `stride` is its row stride.
template <class T>
struct Columns {
  const T* data;
  int64_t stride;
};

template <class T>
Columns<T> band_columns(const ConvShape& s, const T* x_group, int64_t oh0, int64_t oh1, T* buffer) {
  if (s.pointwise()) return {x_group + oh0 * s.out_w, s.in_plane()};
  im2col(s, x_group, oh0, oh1, buffer);
  return {buffer, (oh1 - oh0) * s.out_w};
}

template <class T>
void forward(const ConvShape& s, const T* x, const T* w, T* y) {
  const int64_t k = s.col_rows(), rows = band_rows(s);
  for_each_image(s.batch, [&](int64_t first, int64_t last) {
    T* buffer = s.pointwise() ? nullptr : column_buffer<T>(k * rows * s.out_w);
    for (int64_t n = first; n < last; ++n)
      for (int64_t g = 0; g < s.groups; ++g) {
        const T* x_group = x + (n * s.in_channels + g * s.in_per_group) * s.in_plane();
        const T* w_group = w + g * s.out_per_group * k;
        T* y_group = y + (n * s.out_channels + g * s.out_per_group) * s.out_plane();
        for (int64_t oh0 = 0; oh0 < s.out_h; oh0 += rows) {
          const int64_t oh1 = std::min(s.out_h, oh0 + rows);
          const Columns<T> col = band_columns(s, x_group, oh0, oh1, buffer);
          matmul<T>(s.out_per_group, (oh1 - oh0) * s.out_w, k, w_group, k, 1, col.data, col.stride, 1,
                    y_group + oh0 * s.out_w, s.out_plane(), 0);
        }
      }
  });
}

template <class T>
void backward_input(const ConvShape& s, const T* gy, const T* w, T* gx) {
  const int64_t k = s.col_rows(), rows = band_rows(s);
  for_each_image(s.batch, [&](int64_t first, int64_t last) {
    T* buffer = s.pointwise() ? nullptr : column_buffer<T>(k * rows * s.out_w);
    for (int64_t n = first; n < last; ++n)
      for (int64_t g = 0; g < s.groups; ++g) {
        T* gx_group = gx + (n * s.in_channels + g * s.in_per_group) * s.in_plane();
        const T* w_group = w + g * s.out_per_group * k;
        const T* gy_group = gy + (n * s.out_channels + g * s.out_per_group) * s.out_plane();
        if (s.pointwise()) {
          matmul<T>(k, s.out_plane(), s.out_per_group, w_group, 1, k, gy_group, s.out_plane(), 1, gx_group,
                    s.in_plane(), 0);
          continue;
        }
        std::fill(gx_group, gx_group + s.in_per_group * s.in_plane(), T(0));
        for (int64_t oh0 = 0; oh0 < s.out_h; oh0 += rows) {
          const int64_t oh1 = std::min(s.out_h, oh0 + rows), cols = (oh1 - oh0) * s.out_w;
          matmul<T>(k, cols, s.out_per_group, w_group, 1, k, gy_group + oh0 * s.out_w, s.out_plane(), 1, buffer, cols,
                    0);
          col2im_add(s, buffer, oh0, oh1, gx_group);
        }
      }
  });
}

// Rows and columns the microkernel tiles an m x n product into, padding included.
template <class T>
int64_t padded_tile_area(int64_t m, int64_t n) {
  BlockSizes b = std::is_same_v<T, float> ? block_sizes::kSgemmScalar : block_sizes::kDgemmScalar;
  if (cpu_isa() == CpuIsa::Avx512)
    b = std::is_same_v<T, float> ? block_sizes::kSgemmAvx512 : block_sizes::kDgemmAvx512;
  else if (cpu_isa() == CpuIsa::Avx2)
    b = std::is_same_v<T, float> ? block_sizes::kSgemmAvx2 : block_sizes::kDgemmAvx2;
  return ceil_div(m, b.mr) * b.mr * ceil_div(n, b.nr) * b.nr;
}

template <class T>
void backward_weight(const ConvShape& s, const T* gy, const T* x, T* gw) {
  const int64_t k = s.col_rows(), rows = band_rows(s), ocg = s.out_per_group, weight_size = s.out_channels * k;
  // Few taps: dot products of the rows of gy_g and col, no packing. Otherwise a GEMM, transposed
  // (gW_g^T[K, OC_g] = col · gy_g^T) when that tiles the microkernel better.
  const bool dot = k <= kDotMaxTaps;
  const bool transposed = !dot && padded_tile_area<T>(k, ocg) < padded_tile_area<T>(ocg, k);
  const ConvPoolKernels<T>& kernels = conv_pool_kernels(T{});
  const int64_t slots = std::min({s.batch, kMaxWeightSlots, std::max<int64_t>(1, kSlotBudget / weight_size)});
  // Slot 0 accumulates straight into gw unless it needs transposing.
  std::vector<T> partials(static_cast<size_t>((transposed ? slots : slots - 1) * weight_size));
  const auto slot_sum = [&](int64_t slot) {
    return transposed ? partials.data() + slot * weight_size
                      : (slot == 0 ? gw : partials.data() + (slot - 1) * weight_size);
  };

  const auto run_slots = [&](int64_t first_slot, int64_t last_slot) {
    T* buffer = s.pointwise() ? nullptr : column_buffer<T>(k * rows * s.out_w);
    for (int64_t slot = first_slot; slot < last_slot; ++slot) {
      T* sum = slot_sum(slot);
      const int64_t first = s.batch * slot / slots, last = s.batch * (slot + 1) / slots;
      for (int64_t n = first; n < last; ++n)
        for (int64_t g = 0; g < s.groups; ++g) {
          const T* x_group = x + (n * s.in_channels + g * s.in_per_group) * s.in_plane();
          const T* gy_group = gy + (n * s.out_channels + g * ocg) * s.out_plane();
          T* sum_group = sum + g * ocg * k;
          for (int64_t oh0 = 0; oh0 < s.out_h; oh0 += rows) {
            const int64_t oh1 = std::min(s.out_h, oh0 + rows), cols = (oh1 - oh0) * s.out_w;
            const Columns<T> col = band_columns(s, x_group, oh0, oh1, buffer);
            const T beta = n == first && oh0 == 0 ? T(0) : T(1);
            const T* gy_band = gy_group + oh0 * s.out_w;
            if (dot)
              kernels.dot_rows(ocg, k, cols, gy_band, s.out_plane(), col.data, col.stride, sum_group, k, beta);
            else if (transposed)
              matmul<T>(k, ocg, cols, col.data, col.stride, 1, gy_band, 1, s.out_plane(), sum_group, ocg, beta);
            else
              matmul<T>(ocg, k, cols, gy_band, s.out_plane(), 1, col.data, 1, col.stride, sum_group, k, beta);
          }
        }
    }
  };
  if (slots > 1 && parallel_width(slots) > 1)
    parallel_for(0, slots, 1, run_slots);
  else
    run_slots(0, slots);

  // Combine the slots in slot order.
  if (transposed) {
    for (int64_t g = 0; g < s.groups; ++g)
      for (int64_t oc = 0; oc < ocg; ++oc)
        for (int64_t j = 0; j < k; ++j) {
          const int64_t at = g * ocg * k + j * ocg + oc;
          T total = partials[static_cast<size_t>(at)];
          for (int64_t slot = 1; slot < slots; ++slot) total += partials[static_cast<size_t>(slot * weight_size + at)];
          gw[(g * ocg + oc) * k + j] = total;
        }
  } else {
    for (int64_t slot = 1; slot < slots; ++slot) {
      const T* part = slot_sum(slot);
      for (int64_t i = 0; i < weight_size; ++i) gw[i] += part[i];
    }
  }
}

bool fast_dtype(DType dtype) { return dtype == DType::Float32 || dtype == DType::Float64; }

}  // namespace

void conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Conv2dParams& p) {
  if (!fast_dtype(out.dtype()) || out.numel() == 0 || input.numel() == 0 || weight.numel() == 0)
    return reference::conv2d(out, input, weight, p);
  const ConvShape s(input.sizes(), weight.sizes(), out.sizes(), p);
  if (out.dtype() == DType::Float32)
    forward(s, input.data_ptr<float>(), weight.data_ptr<float>(), out.data_ptr<float>());
  else
    forward(s, input.data_ptr<double>(), weight.data_ptr<double>(), out.data_ptr<double>());
}

void conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_out, const Tensor& weight,
                           const Conv2dParams& p) {
  if (!fast_dtype(grad_input.dtype()) || grad_input.numel() == 0 || grad_out.numel() == 0 || weight.numel() == 0)
    return reference::conv2d_backward_input(grad_input, grad_out, weight, p);
  const ConvShape s(grad_input.sizes(), weight.sizes(), grad_out.sizes(), p);
  if (grad_input.dtype() == DType::Float32)
    backward_input(s, grad_out.data_ptr<float>(), weight.data_ptr<float>(), grad_input.data_ptr<float>());
  else
    backward_input(s, grad_out.data_ptr<double>(), weight.data_ptr<double>(), grad_input.data_ptr<double>());
}

void conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_out, const Tensor& input,
                            const Conv2dParams& p) {
  if (!fast_dtype(grad_weight.dtype()) || grad_weight.numel() == 0 || grad_out.numel() == 0 || input.numel() == 0)
    return reference::conv2d_backward_weight(grad_weight, grad_out, input, p);
  const ConvShape s(input.sizes(), grad_weight.sizes(), grad_out.sizes(), p);
  if (grad_weight.dtype() == DType::Float32)
    backward_weight(s, grad_out.data_ptr<float>(), input.data_ptr<float>(), grad_weight.data_ptr<float>());
  else
    backward_weight(s, grad_out.data_ptr<double>(), input.data_ptr<double>(), grad_weight.data_ptr<double>());
}

}  // namespace tinytorch::kernels::optimized
