// AVX2 + FMA vector wrappers, same interface as simd/avx512.h (see there). Include only from files
// compiled with AVX2 flags (*_avx2.cpp); the unnamed namespace keeps each copy file-local.
#pragma once

#include <immintrin.h>

namespace tinytorch::kernels::simd {
namespace {

struct Avx2F32 {
  using Scalar = float;
  using Reg = __m256;
  static constexpr int kWidth = 8;
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  // The first n < kWidth lanes (the rest read as zero / left untouched).
  static Reg load_first(const float* p, int n) { return _mm256_maskload_ps(p, first_lanes(n)); }
  static void store_first(float* p, Reg v, int n) { _mm256_maskstore_ps(p, first_lanes(n), v); }
  static __m256i first_lanes(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg broadcast(float x) { return _mm256_set1_ps(x); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
};

struct Avx2F64 {
  using Scalar = double;
  using Reg = __m256d;
  static constexpr int kWidth = 4;
  static Reg zero() { return _mm256_setzero_pd(); }
  static Reg load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, Reg v) { _mm256_storeu_pd(p, v); }
  static Reg load_first(const double* p, int n) { return _mm256_maskload_pd(p, first_lanes(n)); }
  static void store_first(double* p, Reg v, int n) { _mm256_maskstore_pd(p, first_lanes(n), v); }
  static __m256i first_lanes(int n) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static Reg broadcast(double x) { return _mm256_set1_pd(x); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_pd(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) { return _mm256_fmadd_pd(a, b, c); }
};

}  // namespace
}  // namespace tinytorch::kernels::simd
