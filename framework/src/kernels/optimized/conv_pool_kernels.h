// The vector inner loops of the optimized conv2d and pooling kernels (conv2d.cpp, pool2d.cpp),
// one set per ISA, instantiated from conv_pool_impl.h. Every ISA computes each result with the
// same formula; only the lane count of the dot products differs.
#pragma once

#include <cstdint>

#include "kernels/optimized/cpu_features.h"

namespace tinytorch::kernels::optimized {

template <class T>
struct ConvPoolKernels {
  // C[i][j] (beta 0: =, beta 1: +=) sum over p < len of a[i * lda + p] * b_rows[j][p].
  void (*dot_rows)(int64_t m, int64_t n, int64_t len, const T* a, int64_t lda, const T* const* b_rows, T* c,
                   int64_t ldc, T beta);
  // dst[r * width + j] = base[offsets[r] + j] for r < rows, j < width: packs a GEMM panel from rows
  // of the padded input (conv2d_implicit.cpp); width is a vector or two, too short for memcpy.
  void (*gather_rows)(const T* base, const int64_t* offsets, int64_t rows, int64_t width, T* dst);
  // dst[r * dst_stride + j] = src[r * src_stride + j] for r < rows, j < width: the short rows of
  // images moved in and out of the padded layouts (a memcpy call per row would cost more).
  void (*copy_rows)(const T* src, int64_t src_stride, int64_t rows, int64_t width, T* dst, int64_t dst_stride);
  // For r < rows and j < width, element j of source row r (src + r * src_stride) goes to phase
  // (j + shift) % stride, position (j + shift) / stride, of destination row r (dst + r * dst_stride),
  // the phases phase_stride apart: the column phases of image rows for a strided convolution.
  void (*split_columns)(const T* src, int64_t src_stride, int64_t rows, int64_t width, int64_t shift, int64_t stride,
                        T* dst, int64_t dst_stride, int64_t phase_stride);
  // dst[r * dst_stride + j * stride] = src[r * src_stride + j] for r < rows, j < width: rows of one
  // stride phase written back into every stride-th element (the strided input gradient).
  void (*spread_columns)(const T* src, int64_t src_stride, int64_t rows, int64_t width, int64_t stride, T* dst,
                         int64_t dst_stride);
  // 2x2 stride-2 max pooling of one plane; taps gets each maximum's window tap (kh * 2 + kw).
  void (*max_pool_2x2)(const T* x, T* y, uint8_t* taps, int64_t in_w, int64_t out_h, int64_t out_w);
  // Its backward: each output gradient goes to its tap's cell, every other cell of the plane gets 0.
  void (*max_pool_2x2_backward)(const T* gy, const uint8_t* taps, T* gx, int64_t in_h, int64_t in_w, int64_t out_h,
                                int64_t out_w);
};

// The kernels for cpu_isa().
const ConvPoolKernels<float>& conv_pool_kernels(float);
const ConvPoolKernels<double>& conv_pool_kernels(double);
// The kernels for a given ISA, which cpu_supports() must report (the GEMM's narrow products).
ConvPoolKernels<float> conv_pool_kernels(CpuIsa isa, float);
ConvPoolKernels<double> conv_pool_kernels(CpuIsa isa, double);

// Per-ISA sets (conv_pool_kernels_avx512.cpp, conv_pool_kernels_avx2.cpp).
ConvPoolKernels<float> conv_pool_kernels_avx512(float);
ConvPoolKernels<double> conv_pool_kernels_avx512(double);
ConvPoolKernels<float> conv_pool_kernels_avx2(float);
ConvPoolKernels<double> conv_pool_kernels_avx2(double);

}  // namespace tinytorch::kernels::optimized
