// Inner loops of the optimized pointwise, reduction and softmax kernels, compiled once per ISA
// (span_kernels_avx512.cpp, span_kernels_avx2.cpp, span_kernels.cpp for baseline x86-64) from the
// templates in span_kernels_impl.h. They work on contiguous spans only; pointwise.cpp, reduce.cpp
// and softmax.cpp map tensors of any layout onto spans and split the work over threads.
//
// Every ISA runs the same loops in the same order (reductions use a fixed number of lanes, not the
// register width); results differ between ISAs only where the AVX2 / AVX-512 builds contract
// a * b + c into an FMA, and never depend on the thread count.
#pragma once

#include <cstdint>

#include "kernels/kernel_table.h"
#include "kernels/optimized/cpu_features.h"

namespace tinytorch::kernels::optimized {

// Elements summed in one float block before the block total joins a double accumulator.
constexpr int64_t kSumBlock = 4096;

template <class T>
struct SpanKernels {
  // out[i] = op(x[i]).
  void (*unary)(UnaryOp op, T* out, const T* x, int64_t n, double p0, double p1);
  // out[i] = op(a[i * a_step], b[i * b_step]); a step is 1, or 0 for a broadcast scalar.
  void (*binary)(BinaryOp op, T* out, const T* a, int64_t a_step, const T* b, int64_t b_step, int64_t n, double alpha);
  void (*compare)(BinaryOp op, bool* out, const T* a, int64_t a_step, const T* b, int64_t b_step, int64_t n);
  // Sum of x[0, n): lane-parallel sums over blocks of kSumBlock, block totals added in order in double.
  double (*sum)(const T* x, int64_t n);
  // Max or Min of x[0, n) (n >= 1); NaN wins.
  T (*extreme)(ReduceOp op, const T* x, int64_t n);
  // acc[j] = op(acc[j], x[i * row_stride + j]) for i < rows, j < cols, rows in order (Sum/Max/Min).
  void (*accumulate_rows)(ReduceOp op, T* acc, const T* x, int64_t rows, int64_t cols, int64_t row_stride);
  // Softmax (or log_softmax) of `rows` rows of length n, row r at x + r * n.
  void (*softmax_rows)(T* out, const T* x, int64_t rows, int64_t n, bool log);
  // The same along the middle dim of a contiguous [n, inner] block (rows are columns here);
  // `scratch` holds 2 * inner elements.
  void (*softmax_columns)(T* out, const T* x, int64_t n, int64_t inner, bool log, T* scratch);
  void (*softmax_backward_rows)(T* grad_in, const T* grad_out, const T* y, int64_t rows, int64_t n, bool log);
  void (*softmax_backward_columns)(T* grad_in, const T* grad_out, const T* y, int64_t n, int64_t inner, bool log,
                                   T* scratch);
  // out[i] = relu(x[i]) (out may be x) and relu's mask: bit i of the one-bit plane words
  // (BitPlaneKernels) = x[i] > 0.
  void (*relu_bits)(T* out, uint64_t* words, const T* x, int64_t n);
  // out[i] = bit i of words ? g[i] : 0 (as 0 + g, so -0 arrives as +0, as the reference's sums do).
  void (*select_bits)(T* out, const T* g, const uint64_t* words, int64_t n);
};

// Bit planes of small codes, the compact saved state of relu (1 bit) and max pooling (the window tap
// of each maximum): codes [64 k, 64 k + 64) of `bits` bits each (bits <= 8) fill words
// [k * bits, k * bits + bits), word b holding bit b of code 64 k + j at bit j; a last partial group
// leaves its upper bits 0. n codes take bit_plane_words(n, bits) words.
struct BitPlaneKernels {
  void (*pack)(uint64_t* words, const uint8_t* codes, int64_t n, int bits);
  void (*unpack)(uint8_t* codes, const uint64_t* words, int64_t n, int bits);
};

constexpr int64_t bit_plane_words(int64_t n, int bits) { return (n + 63) / 64 * bits; }

struct IsaKernels {
  SpanKernels<float> f32;
  SpanKernels<double> f64;
  BitPlaneKernels bits;
};

// Kernels compiled for `isa` (which the CPU must support); span_kernels(cpu_isa()) is the default.
const IsaKernels& span_kernels(CpuIsa isa);
const IsaKernels& span_kernels();

// Per-ISA instances (one translation unit each).
const IsaKernels& span_kernels_avx512();
const IsaKernels& span_kernels_avx2();
const IsaKernels& span_kernels_baseline();

}  // namespace tinytorch::kernels::optimized
