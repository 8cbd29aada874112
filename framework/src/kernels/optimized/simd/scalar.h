// Portable one-lane "vector" wrapper with the interface of simd/avx512.h, so the same kernel
// templates also give the scalar fallback used on CPUs without AVX2.
#pragma once

namespace tinytorch::kernels::simd {
namespace {

template <class T>
struct ScalarLane {
  using Scalar = T;
  using Reg = T;
  static constexpr int kWidth = 1;
  static Reg zero() { return T(0); }
  static Reg load(const T* p) { return *p; }
  static void store(T* p, Reg v) { *p = v; }
  // n < kWidth is always 0 for one lane.
  static Reg load_first(const T*, int) { return T(0); }
  static void store_first(T*, Reg, int) {}
  static Reg broadcast(T x) { return x; }
  static Reg mul(Reg a, Reg b) { return a * b; }
  static Reg fmadd(Reg a, Reg b, Reg c) { return a * b + c; }
};

}  // namespace
}  // namespace tinytorch::kernels::simd
