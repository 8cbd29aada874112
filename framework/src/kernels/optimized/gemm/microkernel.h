// The register-blocked GEMM microkernel, written once over a SIMD wrapper V (kernels/optimized/simd):
// C[0:MR, 0:NR] = alpha * sum_p a[p] ⊗ b[p] + beta * C, NR = NV * V::kWidth, where a is a packed A
// micro-panel (MR values per p) and b a packed B micro-panel (NR values per p), or NR values read in
// place for each p (microkernel_taps). The MR x NR tile lives in MR*NV vector registers for the
// whole k loop.
// Instantiate only in the per-ISA files with that file's wrapper type: the wrappers have internal
// linkage, so each instantiation stays local to a file compiled for its ISA.
#pragma once

#include <cstdint>

namespace tinytorch::kernels::optimized {

// b_row(p) points at row p of B's micro-panel: the packed panel, or for convolution the padded
// image read in place (microkernel_taps).
template <class V, int MR, int NV, class BRow>
inline void microkernel_rows(int64_t k, const typename V::Scalar* a, BRow&& b_row, typename V::Scalar* c, int64_t ldc,
                             typename V::Scalar alpha, typename V::Scalar beta) {
  using Reg = typename V::Reg;
  constexpr int NR = NV * V::kWidth;
  Reg acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) acc[i][j] = V::zero();
  }

  // The C tile is touched only after the k loop: start fetching its lines now.
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
    __builtin_prefetch(c + i * ldc, 1);
    __builtin_prefetch(c + i * ldc + NR - 1, 1);
  }

  for (int64_t p = 0; p < k; ++p) {
    const typename V::Scalar* b = b_row(p);
    Reg bv[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; ++j) bv[j] = V::load(b + j * V::kWidth);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i) {
      const Reg av = V::broadcast(a[i]);
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) acc[i][j] = V::fmadd(av, bv[j], acc[i][j]);
    }
    a += MR;
  }

  const Reg valpha = V::broadcast(alpha);
  if (beta == 0) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) V::store(c + i * ldc + j * V::kWidth, V::mul(valpha, acc[i][j]));
  } else {
    const Reg vbeta = V::broadcast(beta);
#pragma GCC unroll 32
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
      for (int j = 0; j < NV; ++j) {
        typename V::Scalar* dst = c + i * ldc + j * V::kWidth;
        V::store(dst, V::fmadd(vbeta, V::load(dst), V::mul(valpha, acc[i][j])));
      }
  }
}

template <class V, int MR, int NV>
inline void microkernel(int64_t k, const typename V::Scalar* a, const typename V::Scalar* b, typename V::Scalar* c,
                        int64_t ldc, typename V::Scalar alpha, typename V::Scalar beta) {
  microkernel_rows<V, MR, NV>(
      k, a, [b](int64_t p) { return b + p * NV * V::kWidth; }, c, ldc, alpha, beta);
}

// Row p of B is base[offsets[p] : offsets[p] + NR], read where it lies: the implicit-GEMM
// convolution's taps of its padded image, without packing them first.
template <class V, int MR, int NV>
inline void microkernel_taps(int64_t k, const typename V::Scalar* a, const typename V::Scalar* base,
                             const int64_t* offsets, typename V::Scalar* c, int64_t ldc, typename V::Scalar alpha,
                             typename V::Scalar beta) {
  microkernel_rows<V, MR, NV>(
      k, a, [base, offsets](int64_t p) { return base + offsets[p]; }, c, ldc, alpha, beta);
}

}  // namespace tinytorch::kernels::optimized
