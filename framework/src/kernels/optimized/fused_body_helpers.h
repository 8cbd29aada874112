// Helpers of the fused loop bodies (fused_body.h): kLanes interleaved partial sums (per block in the
// values' type, then in double) combined in a fixed order (vectorizable, accurate, and independent of how rows or
// channels are spread over threads), a vectorizable exp and compile-time flags. Like fused_body.h, included only
// through one file per ISA; the unnamed namespace gives each its own copy.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "kernels/optimized/fused_kernels.h"
#include "kernels/optimized/opaque.h"

// LaneVectors are passed and returned by value between inlined helpers of this file's unnamed
// namespace; GCC's note that a 64-byte vector argument changes the ABI without AVX-512 (the
// baseline file) concerns calls across files, which these never are.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace tinytorch::kernels::optimized {
namespace {

constexpr int64_t kLanes = 16;

// kLanes values of B as one GCC vector, so the block sums below need no autovectorizer: one zmm
// of floats with AVX-512, four xmm in the baseline build.
template <class B>
struct LaneVectorOf;
template <>
struct LaneVectorOf<float> {
  typedef float type __attribute__((vector_size(kLanes * sizeof(float))));
};
template <>
struct LaneVectorOf<double> {
  typedef double type __attribute__((vector_size(kLanes * sizeof(double))));
};

template <class B>
using LaneVector = typename LaneVectorOf<B>::type;

// The count <= kLanes values from p, zero in the lanes after them.
template <class B>
LaneVector<B> load_lanes(const B* p, int64_t count = kLanes) {
  LaneVector<B> v = {};
  std::memcpy(&v, p, static_cast<size_t>(count) * sizeof(B));
  return v;
}

// 1 in the first `count` lanes, 0 in the rest.
template <class B>
LaneVector<B> first_lanes_mask(int64_t count) {
  LaneVector<B> v = {};
  for (int64_t l = 0; l < count; ++l) v[l] = B(1);
  return v;
}

// Visits the LaneVectors of a block of len <= kSumBlock values in the order every block sum here
// uses: visit(k, j, count) for the vector starting at j (count < kLanes only for the last one)
// and accumulator k. Four accumulators take turns, so consecutive adds do not wait for each other
// (with one, a 256-float row was a chain of 16 dependent FMAs, ~64 cycles); a trailing group of
// fewer than four vectors, the last partial one included, goes to accumulator 0.
template <class Visit>
void for_each_lane_vector(int64_t len, const Visit& visit) {
  int64_t j = 0;
  for (; j + 4 * kLanes <= len; j += 4 * kLanes)
    for (int k = 0; k < 4; ++k) visit(k, j + k * kLanes, kLanes);
  for (; j + kLanes <= len; j += kLanes) visit(0, j, kLanes);
  if (j < len) visit(0, j, len - j);
}

// The four accumulators folded pairwise, ((0 + 1) + (2 + 3)), then added lane by lane into part in
// double: once per block, since a float-to-double conversion per element cost more than the adds.
template <class V>
void fold_into(const V* acc, double* part) {
  const V total = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (int64_t l = 0; l < kLanes; ++l) part[l] += static_cast<double>(total[l]);
}

// Adds buffer[j] (or, with Squares, buffer[j]²) for j in [0, len) into the kLanes partial sums; a
// tail shorter than kLanes continues the lanes as if padded with zeros. The block sums in B, then
// goes to double (fold_into).
template <bool Squares = false, class B>
void add_lanes(const B* buffer, int64_t len, double* part) {
  using V = LaneVector<B>;
  V acc[4] = {};
  for_each_lane_vector(len, [&](int k, int64_t j, int64_t count) {
    const V v = load_lanes(buffer + j, count);
    if constexpr (Squares)
      acc[k] += v * v;
    else
      acc[k] += v;
  });
  fold_into(acc, part);
}

inline double combine_lanes(const double* part) {
  double total = 0;
  for (int64_t l = 0; l < kLanes; ++l) total += part[l];
  return total;
}

constexpr int64_t kSumBlock = 256;

// The summed values are given as a function of the index, or, for plain reads, as a pointer to
// them: a loop that only copies into a buffer becomes a memcpy call (rep movsq here), which took
// 61% of batch_norm's backward sums.
template <class F>
struct ValuesOf {
  using Type = std::decay_t<decltype(std::declval<F&>()(int64_t{0}))>;
};
template <class T>
struct ValuesOf<const T*> {
  using Type = T;
};
template <class T>
struct ValuesOf<T*> {
  using Type = T;
};

// Values [start, start + len): in place for a pointer, else evaluated into buffer (a plain loop
// that vectorizes whatever f is).
template <class F, class B>
const B* block_values(const F& f, int64_t start, int64_t len, B* buffer) {
  if constexpr (std::is_pointer_v<F>) {
    return f + start;
  } else {
    for (int64_t j = 0; j < len; ++j) buffer[j] = f(start + j);
    return buffer;
  }
}

// Adds the values of f over [0, n) into the kLanes partial sums, a block at a time through a
// buffer of f's own type (converting to double inside f's loop would block vectorization).
template <class F>
void lane_accumulate(int64_t n, const F& f, double* part) {
  typename ValuesOf<F>::Type buffer[kSumBlock];
  for (int64_t start = 0; start < n; start += kSumBlock) {
    const int64_t len = n - start < kSumBlock ? n - start : kSumBlock;
    add_lanes(block_values(f, start, len, buffer), len, part);
  }
}

// lane_accumulate of f into f_part and of g into g_part, in one pass over the data.
template <class F, class G>
void lane_accumulate2(int64_t n, const F& f, const G& g, double* f_part, double* g_part) {
  typename ValuesOf<F>::Type f_buffer[kSumBlock];
  typename ValuesOf<G>::Type g_buffer[kSumBlock];
  for (int64_t start = 0; start < n; start += kSumBlock) {
    const int64_t len = n - start < kSumBlock ? n - start : kSumBlock;
    add_lanes(block_values(f, start, len, f_buffer), len, f_part);
    add_lanes(block_values(g, start, len, g_buffer), len, g_part);
  }
}

// lane_accumulate of f into part and of f² into square_part, from one buffer of f's values (the
// square is an FMA on the buffered value, not a second buffer).
template <class F>
void lane_accumulate_squares(int64_t n, const F& f, double* part, double* square_part) {
  using B = typename ValuesOf<F>::Type;
  B buffer[kSumBlock];
  for (int64_t start = 0; start < n; start += kSumBlock) {
    const int64_t len = n - start < kSumBlock ? n - start : kSumBlock;
    const B* values = block_values(f, start, len, buffer);
    // Two passes over the buffer: with both lane sets updated in one loop, GCC stopped vectorizing
    // it (2.4x slower).
    add_lanes(values, len, part);
    add_lanes<true>(values, len, square_part);
  }
}

// Sum of f(i) over [0, n) in double.
template <class F>
double lane_sum(int64_t n, const F& f) {
  double part[kLanes] = {};
  lane_accumulate(n, f, part);
  return combine_lanes(part);
}

// The sums over [0, n) of two terms computed a vector at a time: terms(j, count) returns the pair
// of LaneVectors for the kLanes values from j (count < kLanes only for the last, whose lanes from
// count on are dropped). Summed in add_lanes' order (for_each_lane_vector), without a buffer in between: a loop
// that loads its inputs and adds straight into the accumulators is half the instructions.
template <class B, class Terms>
std::pair<double, double> vector_lane_sum2(int64_t n, const Terms& terms) {
  using V = LaneVector<B>;
  double f_part[kLanes] = {}, g_part[kLanes] = {};
  for (int64_t start = 0; start < n; start += kSumBlock) {
    const int64_t len = n - start < kSumBlock ? n - start : kSumBlock;
    V f[4] = {}, g[4] = {};
    for_each_lane_vector(len, [&](int k, int64_t j, int64_t count) {
      auto [fj, gj] = terms(start + j, count);
      if (count < kLanes) {
        const V kept = first_lanes_mask<B>(count);
        fj *= kept;
        gj *= kept;
      }
      f[k] += fj;
      g[k] += gj;
    });
    fold_into(f, f_part);
    fold_into(g, g_part);
  }
  return {combine_lanes(f_part), combine_lanes(g_part)};
}

// Mean and biased variance of `count` values x from the sums of d = x - shift and of d². With the
// shift one of the values (inside their spread), E[d²] - E[d]² does not cancel.
inline std::pair<double, double> shifted_mean_var(double shift, double sum, double sum_sq, double count) {
  const double mean_d = sum / count;
  return {shift + mean_d, std::max(0.0, sum_sq / count - mean_d * mean_d)};
}

// Maximum of v[0..n). Floats are compared through their bit patterns, as integers with the magnitude
// bits of negatives flipped (same order as the floats): integer max vectorizes, float max does not
// under IEEE semantics.
template <class T>
T lane_max(const T* v, int64_t n) {
  using Bits = std::conditional_t<std::is_same_v<T, float>, int32_t, int64_t>;
  constexpr Bits kMagnitude = std::numeric_limits<Bits>::max();
  const auto key = [&](int64_t i) {
    Bits b;
    std::memcpy(&b, v + i, sizeof b);
    return static_cast<Bits>(b ^ ((b >> (sizeof(Bits) * 8 - 1)) & kMagnitude));
  };
  Bits part[kLanes];
  for (int64_t l = 0; l < kLanes; ++l) part[l] = std::numeric_limits<Bits>::min();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) part[l] = key(i + l) > part[l] ? key(i + l) : part[l];
  Bits result = std::numeric_limits<Bits>::min();
  for (int64_t l = 0; l < kLanes; ++l) result = part[l] > result ? part[l] : result;
  for (; i < n; ++i) result = key(i) > result ? key(i) : result;
  const Bits bits = result ^ ((result >> (sizeof(Bits) * 8 - 1)) & kMagnitude);
  T out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// vector_exp's clamp, taken once per kernel through opaque() (see opaque.h): below the low limit
// exp underflows (the result there is ~1e-38), above the high one it overflows.
struct ExpLimits {
  float low, high;
};
inline ExpLimits exp_limits() { return {opaque(-87.33654f), opaque(88.0f)}; }

// exp for x <= 88: Cephes-style range reduction x = n ln2 + r, |r| <= ln2 / 2, a degree-6
// polynomial for exp(r) and 2^n built in the exponent bits. Straight-line code, so loops over it
// vectorize (std::exp does not). Within 2 ulp for floats; doubles use std::exp.
template <class T>
T vector_exp(T x, const ExpLimits& limits) {
  if constexpr (std::is_same_v<T, double>) {
    return std::exp(x);
  } else {
    x = x < limits.low ? limits.low : x;
    x = x > limits.high ? limits.high : x;
    const float shifted = x * 1.44269504088896341f + 12582912.0f;  // 1.5 * 2^23: rounds to an integer
    const float n = shifted - 12582912.0f;
    int32_t n_bits;
    std::memcpy(&n_bits, &shifted, sizeof n_bits);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t scale_bits = (n_bits - 0x4B400000 + 127) << 23;
    float scale;
    std::memcpy(&scale, &scale_bits, sizeof scale);
    return p * scale;
  }
}

// Calls f with std::true_type or std::false_type: options become compile-time constants, so each
// combination gets its own branch-free loop (a run-time test inside the loop stops vectorization).
template <class F>
void with_flag(bool flag, F&& f) {
  if (flag)
    f(std::true_type{});
  else
    f(std::false_type{});
}

}  // namespace
}  // namespace tinytorch::kernels::optimized
