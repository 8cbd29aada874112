// The register-blocked GEMM microkernel, written once over a SIMD wrapper V (kernels/optimized/simd):
// C[0:MR, 0:NR] = alpha * sum_p a[p] ⊗ b[p] + beta * C, NR = NV * V::kWidth, where a is a packed A
// micro-panel (MR values per p) and b a packed B micro-panel (NR values per p). The MR x NR tile
// lives in MR*NV vector registers for the whole k loop.
// Instantiate only in the per-ISA files with that file's wrapper type: the wrappers have internal
// linkage, so each instantiation stays local to a file compiled for its ISA.
#pragma once

#include <cstdint>

namespace tinytorch::kernels::optimized {

template <class V, int MR, int NV>
inline void microkernel(int64_t k, const typename V::Scalar* a, const typename V::Scalar* b, typename V::Scalar* c,
                        int64_t ldc, typename V::Scalar alpha, typename V::Scalar beta) {
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
    b += NR;
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

}  // namespace tinytorch::kernels::optimized
