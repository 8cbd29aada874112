// AVX-512 vector wrappers. Every ISA header (simd/avx512.h, simd/avx2.h, simd/scalar.h) offers the
// same interface, so kernels are written once as templates over the wrapper type.
// Include only from files compiled with AVX-512 flags (*_avx512.cpp). The unnamed namespace gives
// each such file its own copy, so no AVX-512 code can leak into baseline code via a merged inline.
#pragma once

#include <immintrin.h>

namespace tinytorch::kernels::simd {
namespace {

struct Avx512F32 {
  using Scalar = float;
  using Reg = __m512;
  static constexpr int kWidth = 16;
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  // The first n < kWidth lanes (the rest read as zero / left untouched).
  static Reg load_first(const float* p, int n) { return _mm512_maskz_loadu_ps(first_lanes(n), p); }
  static void store_first(float* p, Reg v, int n) { _mm512_mask_storeu_ps(p, first_lanes(n), v); }
  static __mmask16 first_lanes(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  static Reg broadcast(float x) { return _mm512_set1_ps(x); }
  static Reg mul(Reg a, Reg b) { return _mm512_mul_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
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
};

}  // namespace
}  // namespace tinytorch::kernels::simd
