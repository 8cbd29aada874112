// AVX-512 vector wrappers. Every ISA header (simd/avx512.h, simd/avx2.h, simd/scalar.h) offers the
// same interface, so kernels are written once as templates over the wrapper type.
// Include only from files compiled with AVX-512 flags (*_avx512.cpp). The unnamed namespace gives
// each such file its own copy, so no AVX-512 code can leak into baseline code via a merged inline.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace tinytorch::kernels::simd {
namespace {

struct Avx512F32 {
  using Scalar = float;
  using Reg = __m512;
  static constexpr int kWidth = 16;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  // The first n <= kWidth lanes (the rest read as zero / left untouched).
  static Reg load_first(const float* p, int n) { return _mm512_maskz_loadu_ps(first_lanes(n), p); }
  static void store_first(float* p, Reg v, int n) { _mm512_mask_storeu_ps(p, first_lanes(n), v); }
  static __mmask16 first_lanes(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  static Reg broadcast(float x) { return _mm512_set1_ps(x); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  // AVX-512 only (kernels written for this ISA alone: 2x2 pooling, relu masks, stride-2 split).
  using Mask = __mmask16;
  static Reg load_masked(const float* p, Mask k) { return _mm512_maskz_loadu_ps(k, p); }
  static void store_masked(float* p, Reg v, Mask k) { _mm512_mask_storeu_ps(p, k, v); }
  static Mask greater(Reg a, Reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static Mask is_nan(Reg a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static Reg blend(Mask k, Reg a, Reg b) { return _mm512_mask_mov_ps(a, k, b); }  // k ? b : a
  static Reg keep(Mask k, Reg a) { return _mm512_maskz_mov_ps(k, a); }            // k ? a : 0
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  // Lane i of the result is lane index[i] of the 2 * kWidth lanes of lo then hi.
  static Reg permute2(Reg lo, __m512i index, Reg hi) { return _mm512_permutex2var_ps(lo, index, hi); }
  // A permute2 index from kWidth lane numbers.
  static __m512i lane_index(const int32_t* lanes) { return _mm512_loadu_si512(lanes); }
};

struct Avx512F64 {
  using Scalar = double;
  using Reg = __m512d;
  static constexpr int kWidth = 8;
  static Reg zero() { return _mm512_setzero_pd(); }
  static Reg load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, Reg v) { _mm512_storeu_pd(p, v); }
  static Reg load_first(const double* p, int n) { return _mm512_maskz_loadu_pd(first_lanes(n), p); }
  static void store_first(double* p, Reg v, int n) { _mm512_mask_storeu_pd(p, first_lanes(n), v); }
  static __mmask8 first_lanes(int n) { return static_cast<__mmask8>((1u << n) - 1); }
  static Reg broadcast(double x) { return _mm512_set1_pd(x); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_pd(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_pd(a, b, c); }
  using Mask = __mmask8;
  static Reg load_masked(const double* p, Mask k) { return _mm512_maskz_loadu_pd(k, p); }
  static void store_masked(double* p, Reg v, Mask k) { _mm512_mask_storeu_pd(p, k, v); }
  static Mask greater(Reg a, Reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
  static Mask is_nan(Reg a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
  static Reg blend(Mask k, Reg a, Reg b) { return _mm512_mask_mov_pd(a, k, b); }
  static Reg keep(Mask k, Reg a) { return _mm512_maskz_mov_pd(k, a); }
  static Reg add(Reg a, Reg b) { return _mm512_add_pd(a, b); }
  static Reg permute2(Reg lo, __m512i index, Reg hi) { return _mm512_permutex2var_pd(lo, index, hi); }
  static __m512i lane_index(const int32_t* lanes) {
    return _mm512_maskz_cvtepi32_epi64(0xFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes)));
  }
};

}  // namespace
}  // namespace tinytorch::kernels::simd
