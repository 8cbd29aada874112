// Branch-free f32 exp, log, tanh and erf written as scalar code that GCC vectorizes inside the
// span-kernel loops (span_kernels_impl.h) when compiled for AVX-512, whose masked operations let it
// if-convert the range selects; under AVX2 / SSE2 (-ftrapping-math) these loops stay scalar.
// Each is a range reduction plus a polynomial whose coefficients were fitted (weighted least
// squares on Chebyshev nodes) for relative error well below one f32 ULP before rounding; the tests
// bound the total error against std:: at a few ULP.
// f64 uses the C library (accuracy over speed: f64 is not the training dtype here).
// Included only by the span-kernel translation units; the unnamed namespace keeps each ISA's
// copy separate.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/optimized/opaque.h"

namespace tinytorch::kernels::optimized {
namespace {

inline int32_t bits_of(float x) {
  int32_t i;
  std::memcpy(&i, &x, sizeof(i));
  return i;
}

inline float float_of(uint32_t i) {
  float x;
  std::memcpy(&x, &i, sizeof(x));
  return x;
}

// a * b + c as one fused multiply-add in the translation units built for FMA (the AVX2 and AVX-512
// span kernels): it halves the latency of the polynomial chains. Written out rather than left to
// contraction (these files build with -ffp-contract=off), so the vectorized loop and its scalar
// remainder round alike and results cannot depend on where a thread's chunk ends.
inline float madd(float a, float b, float c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

constexpr float kLn2Hi = 0.693359375f;  // 9 significant bits: n * kLn2Hi is exact for |n| < 2^15
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kLog2e = 1.44269504f;
constexpr float kRoundShifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer in the low bits

// The range limits of exp and erf, taken once per kernel through opaque() (see opaque.h).
struct Limits {
  float exp_low, exp_high, erf_cap;
};
inline Limits opaque_limits() { return {opaque(-104.0f), opaque(88.8f), opaque(10.0f)}; }

// e^x = 2^n * e^r with n = round(x / ln2), |r| <= ln2 / 2 and e^r = 1 + r + r^2 * p(r).
inline float exp_f32(float x, const Limits& limits) {
  x = x > limits.exp_high ? limits.exp_high : x;  // keeps NaN; beyond the limits the result is inf / 0 anyway
  x = x < limits.exp_low ? limits.exp_low : x;
  const float shifted = x * kLog2e + kRoundShifter;
  const float n = shifted - kRoundShifter;
  const int32_t ni = bits_of(shifted) - bits_of(kRoundShifter);
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float p = 1.389383455e-03f;
  p = madd(p, r, 8.363130502e-03f);
  p = madd(p, r, 4.166694358e-02f);
  p = madd(p, r, 1.666657776e-01f);
  p = madd(p, r, 0.5f);
  p = 1.0f + (r + r * r * p);
  // 2^n as two factors so that n in [-151, 129] never leaves the normal exponent range; the final
  // product rounds once into the subnormal range or to inf.
  const int32_t half = ni >> 1;
  const float s1 = float_of(static_cast<uint32_t>(half + 127) << 23);
  const float s2 = float_of(static_cast<uint32_t>(ni - half + 127) << 23);
  return p * s1 * s2;
}

// log x = e * ln2 + log1p(f) with x = 2^e * (1 + f), 1 + f in [sqrt(1/2), sqrt(2)).
inline float log_f32(float x) {
  const bool tiny = x < std::numeric_limits<float>::min();
  // Subnormals: scale by 2^23 into the normal range. (Selecting the factor rather than the product
  // keeps every float operation unconditional, which GCC needs to vectorize without AVX-512 masks.)
  const float scaled = x * (tiny ? 8388608.0f : 1.0f);
  const uint32_t bits = static_cast<uint32_t>(bits_of(scaled));
  const int32_t e = static_cast<int32_t>(bits - 0x3f3504f3u) >> 23;  // 0x3f3504f3: bits of sqrt(1/2)
  const float f = float_of(bits - (static_cast<uint32_t>(e) << 23)) - 1.0f;
  const float ef = static_cast<float>(e) - (tiny ? 23.0f : 0.0f);
  float p = 6.860500574e-02f;
  p = madd(p, f, -1.142095029e-01f);
  p = madd(p, f, 1.169945225e-01f);
  p = madd(p, f, -1.243501529e-01f);
  p = madd(p, f, 1.424863040e-01f);
  p = madd(p, f, -1.666737348e-01f);
  p = madd(p, f, 2.000071704e-01f);
  p = madd(p, f, -2.500000298e-01f);
  p = madd(p, f, 3.333333135e-01f);
  const float f2 = f * f;
  const float log1p_f = (f2 * f * p - 0.5f * f2) + f;
  const float r = ef * kLn2Hi + (log1p_f + ef * kLn2Lo);
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const float non_positive = x == 0 ? -kInf : std::numeric_limits<float>::quiet_NaN();  // also NaN input
  return x > 0 ? (x == kInf ? x : r) : non_positive;
}

inline float with_sign_of(float magnitude, float sign_source) {
  return float_of(static_cast<uint32_t>(bits_of(magnitude) | (bits_of(sign_source) & INT32_MIN)));
}

// Odd polynomial near 0 (where 1 - 2 / (e^2x + 1) would cancel), the exp form elsewhere.
inline float tanh_f32(float x, const Limits& limits) {
  const float ax = std::fabs(x);
  const float x2 = x * x;
  float p = -6.088715512e-03f;
  p = madd(p, x2, 2.099087276e-02f);
  p = madd(p, x2, -5.384935066e-02f);
  p = madd(p, x2, 1.333275735e-01f);
  p = madd(p, x2, -3.333332837e-01f);
  const float small = x + x * x2 * p;
  const float large = with_sign_of(1.0f - 2.0f / (exp_f32(2.0f * ax, limits) + 1.0f), x);
  return ax < 0.625f ? small : large;
}

// 1 + erf(z), accurate also where erf(z) is close to -1 (the Gaussian CDF's left tail):
// |z| < 0.9: z * p(z^2); otherwise erfc(|z|) = e^(-z^2) * q(1 / |z|).
inline float one_plus_erf_f32(float z, const Limits& limits) {
  const float az = std::fabs(z);
  const float z2 = z * z;
  float p = -6.086067297e-04f;
  p = madd(p, z2, 5.011083093e-03f);
  p = madd(p, z2, -2.677827515e-02f);
  p = madd(p, z2, 1.128212214e-01f);
  p = madd(p, z2, -3.761252165e-01f);
  p = madd(p, z2, 1.128379107e+00f);
  const float small = 1.0f + z * p;
  const float a = az < limits.erf_cap ? az : limits.erf_cap;  // keeps the polynomial in range; erfc(10) ~ 2e-45
  const float t = 1.0f / a;
  float q = -2.326444350e-02f;
  q = madd(q, t, 1.721425205e-01f);
  q = madd(q, t, -5.585476756e-01f);
  q = madd(q, t, 1.026354074e+00f);
  q = madd(q, t, -1.122250438e+00f);
  q = madd(q, t, 6.280973554e-01f);
  q = madd(q, t, 5.468818918e-02f);
  q = madd(q, t, -3.229589164e-01f);
  q = madd(q, t, 1.036007702e-02f);
  q = madd(q, t, 5.628966093e-01f);
  q = madd(q, t, 6.626196409e-05f);
  const float tail = exp_f32(-(a * a), limits) * q;
  const float erfc_a =
      az < limits.erf_cap ? tail : 0.0f;  // exactly 0 far out, so gelu(-inf) is NaN as in the reference
  const float large = (z < 0 ? 0.0f : 2.0f) - (z < 0 ? -1.0f : 1.0f) * erfc_a;
  return az < 0.9f ? small : large;
}

// Type-generic entry points for the kernel templates.
inline float exp_t(float x, const Limits& limits) { return exp_f32(x, limits); }
inline double exp_t(double x, const Limits&) { return std::exp(x); }
inline float log_t(float x) { return log_f32(x); }
inline double log_t(double x) { return std::log(x); }
inline float tanh_t(float x, const Limits& limits) { return tanh_f32(x, limits); }
inline double tanh_t(double x, const Limits&) { return std::tanh(x); }
inline float one_plus_erf_t(float z, const Limits& limits) { return one_plus_erf_f32(z, limits); }
inline double one_plus_erf_t(double z, const Limits&) { return 1.0 + std::erf(z); }

}  // namespace
}  // namespace tinytorch::kernels::optimized
