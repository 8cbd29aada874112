// The per-ISA GEMM microkernels (contract in microkernel.h). Each is defined in a file compiled for
// its ISA and may only be called when cpu_supports() reports that ISA. Tile sizes come from
// block_sizes.h; the names repeat them, BLIS style.
#pragma once

#include <cstdint>

namespace tinytorch::kernels::optimized {

template <class T>
using MicroKernel = void (*)(int64_t k, const T* a, const T* b, T* c, int64_t ldc, T alpha, T beta);
// The microkernel with row p of B read at base + offsets[p] instead of from a packed panel.
template <class T>
using TapMicroKernel = void (*)(int64_t k, const T* a, const T* base, const int64_t* offsets, T* c, int64_t ldc,
                                T alpha, T beta);
// Packs a panel whose rows are contiguous along k (see pack_panel in pack.h).
template <class T>
using PackRows = void (*)(const T* src, int64_t rows, int64_t depth, int64_t row_stride, int64_t width, T* dst);

void sgemm_avx512_14x32(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta);
void sgemm_avx512_8x32(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta);
void sgemm_avx512_14x16(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta);
void sgemm_avx512_14x32_taps(int64_t k, const float* a, const float* base, const int64_t* offsets, float* c,
                             int64_t ldc, float alpha, float beta);
void sgemm_avx512_8x32_taps(int64_t k, const float* a, const float* base, const int64_t* offsets, float* c, int64_t ldc,
                            float alpha, float beta);
void dgemm_avx512_14x16(int64_t k, const double* a, const double* b, double* c, int64_t ldc, double alpha, double beta);
void sgemm_avx2_6x16(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta);
void dgemm_avx2_6x8(int64_t k, const double* a, const double* b, double* c, int64_t ldc, double alpha, double beta);
void sgemm_scalar_4x4(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float alpha, float beta);
void dgemm_scalar_4x4(int64_t k, const double* a, const double* b, double* c, int64_t ldc, double alpha, double beta);

// dst[p * width + r] = src[r * row_stride + p] for r < rows (<= width <= 32), zero for rows <= r < width:
// pack_panel (pack.h) for rows contiguous along k, in registers (gemm/pack_avx512.cpp).
void pack_rows_avx512(const float* src, int64_t rows, int64_t depth, int64_t row_stride, int64_t width, float* dst);

}  // namespace tinytorch::kernels::optimized
