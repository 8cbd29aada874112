// Span-kernel templates (see span_kernels.h), written as plain loops that GCC vectorizes for the
// ISA of the including translation unit. make_isa_kernels<Loops>() builds the function table; the
// Loops policy supplies what GCC does not vectorize: the square-root loop (std::sqrt sets errno) and
// the bit-plane packing (PortableBitPlanes where the ISA has no mask registers).
// Unnamed namespace: each ISA's translation unit gets its own copy (no cross-ISA inline merging).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/optimized/span_kernels.h"
#include "kernels/optimized/vec_math.h"

namespace tinytorch::kernels::optimized {
namespace {

constexpr double kSqrt1_2 = 0.70710678118654752440;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kGeluCubic = 0.044715;
// Reduction lanes: a fixed count rather than the register width, so every ISA sums in one order.
constexpr int kLanes = 32;

template <class T>
T sigmoid_t(T x, const Limits& limits) {
  return T(1) / (T(1) + exp_t(-x, limits));
}

// Function objects, not function pointers: each pick is its own type, so lane_extreme's loop is
// compiled for it and the pick inlines there rather than depending on constant propagation of a
// pointer argument.
struct PickMax {
  template <class T>
  T operator()(T acc, T v) const {
    return (v > acc || v != v) ? v : acc;  // NaN wins
  }
};

// The larger of two, without NaN tracking (vmaxps): for softmax's row maximum, where a NaN in the
// row reaches every output through exp anyway.
struct PickLarger {
  template <class T>
  T operator()(T acc, T v) const {
    return v > acc ? v : acc;
  }
};

struct PickMin {
  template <class T>
  T operator()(T acc, T v) const {
    return (v < acc || v != v) ? v : acc;
  }
};

template <class T, class F>
void map_unary(T* out, const T* x, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) out[i] = f(x[i]);
}

// The broadcast operand is read once, so the loop sees a loop-invariant value.
template <class O, class T, class F>
void map_binary(O* out, const T* a, int64_t a_step, const T* b, int64_t b_step, int64_t n, F f) {
  if (a_step != 0 && b_step != 0) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (a_step != 0) {
    const T y = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], y);
  } else if (b_step != 0) {
    const T x = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(x, b[i]);
  } else {
    const O v = f(a[0], b[0]);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

template <class Loops, class T>
void unary_span(UnaryOp op, T* out, const T* x, int64_t n, double p0, double p1) {
  const auto run = [&](auto f) { map_unary(out, x, n, f); };
  const Limits lim = opaque_limits();
  switch (op) {
    case UnaryOp::Neg: return run([](T v) { return -v; });
    case UnaryOp::Exp: return run([lim](T v) { return exp_t(v, lim); });
    case UnaryOp::Log: return run([](T v) { return log_t(v); });
    case UnaryOp::Sqrt: return Loops::sqrt(out, x, n, false);
    case UnaryOp::Rsqrt: return Loops::sqrt(out, x, n, true);
    case UnaryOp::Abs: return run([](T v) { return v < 0 ? -v : v; });
    case UnaryOp::Relu: return run([](T v) { return (v > 0 || v != v) ? v : T(0); });
    case UnaryOp::Sigmoid: return run([lim](T v) { return sigmoid_t(v, lim); });
    case UnaryOp::Tanh: return run([lim](T v) { return tanh_t(v, lim); });
    case UnaryOp::Silu: return run([lim](T v) { return v * sigmoid_t(v, lim); });
    case UnaryOp::GeluErf: return run([lim](T v) { return T(0.5) * v * one_plus_erf_t(v * T(kSqrt1_2), lim); });
    case UnaryOp::GeluTanh:
      return run(
          [lim](T v) { return T(0.5) * v * (T(1) + tanh_t(T(kSqrt2OverPi) * (v + T(kGeluCubic) * v * v * v), lim)); });
    case UnaryOp::LeakyRelu: {
      const T slope = static_cast<T>(p0);
      return run([slope](T v) { return v * (v > 0 ? T(1) : slope); });  // unconditional multiply vectorizes
    }
    case UnaryOp::Clamp: {
      // Bounds rounded to T give the same result as comparing in double (no T lies between a
      // bound and its rounding). max wins when min > max; NaN passes through.
      const T lo = static_cast<T>(p0), hi = static_cast<T>(p1);
      if (p0 > p1) return run([hi](T v) { return v != v ? v : hi; });
      return run([lo, hi](T v) { return v > hi ? hi : (v < lo ? lo : v); });
    }
    case UnaryOp::PowScalar: {
      const T e = static_cast<T>(p0);
      if (p0 == 2.0) return run([](T v) { return v * v; });  // pow(v, 2) is correctly rounded too
      return run([e](T v) { return std::pow(v, e); });
    }
    case UnaryOp::Sign: return run([](T v) { return static_cast<T>((v > 0) - (v < 0)); });
  }
}

template <class T>
void binary_span(BinaryOp op, T* out, const T* a, int64_t a_step, const T* b, int64_t b_step, int64_t n, double alpha) {
  const T al = static_cast<T>(alpha);
  const auto run = [&](auto f) { map_binary(out, a, a_step, b, b_step, n, f); };
  const Limits lim = opaque_limits();
  switch (op) {
    case BinaryOp::Add:
      if (alpha == 1.0) return run([](T x, T y) { return x + y; });
      return run([al](T x, T y) { return x + al * y; });
    case BinaryOp::Sub:
      if (alpha == 1.0) return run([](T x, T y) { return x - y; });
      return run([al](T x, T y) { return x - al * y; });
    case BinaryOp::Mul: return run([](T x, T y) { return x * y; });
    case BinaryOp::Div: return run([](T x, T y) { return x / y; });
    case BinaryOp::Pow: return run([](T x, T y) { return std::pow(x, y); });
    case BinaryOp::Maximum: return run([](T x, T y) { return (x > y || x != x) ? x : y; });
    case BinaryOp::Minimum: return run([](T x, T y) { return (x < y || x != x) ? x : y; });
    case BinaryOp::ReluBackward: return run([](T g, T x) { return x > 0 ? g : T(0); });
    case BinaryOp::LeakyReluBackward: return run([al](T g, T x) { return g * (x > 0 ? T(1) : al); });
    case BinaryOp::SigmoidBackward: return run([](T g, T y) { return g * y * (T(1) - y); });
    case BinaryOp::TanhBackward: return run([](T g, T y) { return g * (T(1) - y * y); });
    case BinaryOp::SiluBackward:
      return run([lim](T g, T x) {
        const T s = sigmoid_t(x, lim);
        return g * s * (T(1) + x * (T(1) - s));
      });
    case BinaryOp::GeluErfBackward:
      return run([lim](T g, T x) {
        const T cdf = T(0.5) * one_plus_erf_t(x * T(kSqrt1_2), lim);
        const T pdf = T(kInvSqrt2Pi) * exp_t(T(-0.5) * x * x, lim);
        return g * (cdf + x * pdf);
      });
    case BinaryOp::GeluTanhBackward:
      return run([lim](T g, T x) {
        const T t = tanh_t(T(kSqrt2OverPi) * (x + T(kGeluCubic) * x * x * x), lim);
        const T d_inner = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluCubic) * x * x);
        return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * d_inner);
      });
    default: break;  // comparisons go through compare_span
  }
}

template <class T>
void compare_span(BinaryOp op, bool* out, const T* a, int64_t a_step, const T* b, int64_t b_step, int64_t n) {
  const auto run = [&](auto f) { map_binary(out, a, a_step, b, b_step, n, f); };
  switch (op) {
    case BinaryOp::Eq: return run([](T x, T y) { return x == y; });
    case BinaryOp::Ne: return run([](T x, T y) { return x != y; });
    case BinaryOp::Lt: return run([](T x, T y) { return x < y; });
    case BinaryOp::Le: return run([](T x, T y) { return x <= y; });
    case BinaryOp::Gt: return run([](T x, T y) { return x > y; });
    case BinaryOp::Ge: return run([](T x, T y) { return x >= y; });
    default: break;
  }
}

// Adds lanes pairwise in a fixed tree.
template <class T, class F>
T combine_lanes(T* acc, F f) {
  for (int width = kLanes / 2; width >= 1; width /= 2)
    for (int j = 0; j < width; ++j) acc[j] = f(acc[j], acc[j + width]);
  return acc[0];
}

// Sum of n <= kSumBlock elements of g(i), in kLanes lane sums.
template <class T, class G>
T lane_sum(int64_t n, G g) {
  T acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += g(i + j);
  for (int j = 0; i + j < n; ++j) acc[j] += g(i + j);
  return combine_lanes(acc, [](T x, T y) { return x + y; });
}

template <class T, class G>
double blocked_sum(int64_t n, G g) {
  double total = 0;
  for (int64_t start = 0; start < n; start += kSumBlock) {
    const int64_t len = std::min(kSumBlock, n - start);
    total += static_cast<double>(lane_sum<T>(len, [&](int64_t i) { return g(start + i); }));
  }
  return total;
}

template <class T>
double sum_span(const T* x, int64_t n) {
  return blocked_sum<T>(n, [x](int64_t i) { return x[i]; });
}

template <class T, class F>
T lane_extreme(const T* x, int64_t n, T init, F pick) {
  T acc[kLanes];
  for (int j = 0; j < kLanes; ++j) acc[j] = init;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] = pick(acc[j], x[i + j]);
  for (int j = 0; i + j < n; ++j) acc[j] = pick(acc[j], x[i + j]);
  return combine_lanes(acc, pick);
}

template <class T>
T max_span(const T* x, int64_t n) {
  return lane_extreme(x, n, -std::numeric_limits<T>::infinity(), PickMax{});
}

template <class T>
T extreme_span(ReduceOp op, const T* x, int64_t n) {
  if (op == ReduceOp::Max) return max_span(x, n);
  return lane_extreme(x, n, std::numeric_limits<T>::infinity(), PickMin{});
}

template <class T>
void accumulate_rows_span(ReduceOp op, T* acc, const T* x, int64_t rows, int64_t cols, int64_t row_stride) {
  const auto run = [&](auto f) {
    for (int64_t i = 0; i < rows; ++i) {
      const T* row = x + i * row_stride;
      for (int64_t j = 0; j < cols; ++j) acc[j] = f(acc[j], row[j]);
    }
  };
  if (op == ReduceOp::Sum) return run([](T s, T v) { return s + v; });
  if (op == ReduceOp::Max) return run(PickMax{});
  run(PickMin{});
}

// Rows per group whose statistics (max and exp-sum; backward, the row sum) are taken before any
// of them is written: each row's statistics end in a chain of dependent reductions and a log or
// division, and one row after another, each chain waited for the previous row's output loop.
constexpr int64_t kStatRows = 8;

// Each row: max, then the sum of e = exp(x - max), then e / sum (e stored in out on the way) or,
// for log_softmax, x - max - log(sum) (e only summed).
template <class T>
void softmax_rows_span(T* out, const T* x, int64_t rows, int64_t n, bool log) {
  const Limits lim = opaque_limits();
  T max[kStatRows];
  double sum[kStatRows];
  for (int64_t r0 = 0; r0 < rows; r0 += kStatRows) {
    const int64_t r1 = std::min(rows, r0 + kStatRows);
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * n;
      const T m = lane_extreme(xr, n, -std::numeric_limits<T>::infinity(), PickLarger{});
      max[r - r0] = m;
      if (log) {
        sum[r - r0] = blocked_sum<T>(n, [xr, m, lim](int64_t i) { return exp_t(xr[i] - m, lim); });
      } else {
        T* yr = out + r * n;
        for (int64_t i = 0; i < n; ++i) yr[i] = exp_t(xr[i] - m, lim);
        sum[r - r0] = sum_span(yr, n);
      }
    }
    for (int64_t r = r0; r < r1; ++r) {
      const T* xr = x + r * n;
      T* yr = out + r * n;
      const T m = max[r - r0];
      if (log) {
        const T log_sum = static_cast<T>(std::log(sum[r - r0]));
        for (int64_t i = 0; i < n; ++i) yr[i] = (xr[i] - m) - log_sum;
      } else {
        const T inv = static_cast<T>(1.0 / sum[r - r0]);
        for (int64_t i = 0; i < n; ++i) yr[i] *= inv;
      }
    }
  }
}

template <class T>
void softmax_columns_span(T* out, const T* x, int64_t n, int64_t inner, bool log, T* scratch) {
  const Limits lim = opaque_limits();
  T* mx = scratch;
  T* sum = scratch + inner;
  for (int64_t j = 0; j < inner; ++j) {
    mx[j] = -std::numeric_limits<T>::infinity();
    sum[j] = 0;
  }
  accumulate_rows_span(ReduceOp::Max, mx, x, n, inner, inner);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < inner; ++j) {
      const T e = exp_t(x[i * inner + j] - mx[j], lim);
      out[i * inner + j] = e;
      sum[j] += e;
    }
  if (log) {
    for (int64_t j = 0; j < inner; ++j) sum[j] = log_t(sum[j]);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < inner; ++j) out[i * inner + j] = (x[i * inner + j] - mx[j]) - sum[j];
  } else {
    for (int64_t j = 0; j < inner; ++j) sum[j] = T(1) / sum[j];
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < inner; ++j) out[i * inner + j] *= sum[j];
  }
}

// softmax:     dx = y * (g - sum(g * y));  log_softmax: dx = g - exp(y) * sum(g). The sums of a
// group of rows come first (as in the forward).
template <class T>
void softmax_backward_rows_span(T* grad_in, const T* grad_out, const T* y, int64_t rows, int64_t n, bool log) {
  const Limits lim = opaque_limits();
  T sums[kStatRows];
  for (int64_t r0 = 0; r0 < rows; r0 += kStatRows) {
    const int64_t r1 = std::min(rows, r0 + kStatRows);
    for (int64_t r = r0; r < r1; ++r) {
      const T* g = grad_out + r * n;
      const T* yr = y + r * n;
      sums[r - r0] = log ? static_cast<T>(sum_span(g, n))
                         : static_cast<T>(blocked_sum<T>(n, [g, yr](int64_t i) { return g[i] * yr[i]; }));
    }
    for (int64_t r = r0; r < r1; ++r) {
      const T* g = grad_out + r * n;
      const T* yr = y + r * n;
      T* gx = grad_in + r * n;
      const T s = sums[r - r0];
      if (log)
        for (int64_t i = 0; i < n; ++i) gx[i] = g[i] - exp_t(yr[i], lim) * s;
      else
        for (int64_t i = 0; i < n; ++i) gx[i] = yr[i] * (g[i] - s);
    }
  }
}

template <class T>
void softmax_backward_columns_span(T* grad_in, const T* grad_out, const T* y, int64_t n, int64_t inner, bool log,
                                   T* scratch) {
  const Limits lim = opaque_limits();
  T* dot = scratch;
  for (int64_t j = 0; j < inner; ++j) dot[j] = 0;
  if (log) {
    accumulate_rows_span(ReduceOp::Sum, dot, grad_out, n, inner, inner);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t k = i * inner + j;
        grad_in[k] = grad_out[k] - exp_t(y[k], lim) * dot[j];
      }
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < inner; ++j) dot[j] += grad_out[i * inner + j] * y[i * inner + j];
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < inner; ++j) {
      const int64_t k = i * inner + j;
      grad_in[k] = y[k] * (grad_out[k] - dot[j]);
    }
}

// Bit-plane packing with plain shifts (see BitPlaneKernels).
struct PortableBitPlanes {
  static void pack_bits(uint64_t* words, const uint8_t* codes, int64_t n, int bits) {
    for (int64_t first = 0; first < n; first += 64) {
      const int64_t m = std::min<int64_t>(64, n - first);
      for (int b = 0; b < bits; ++b) {
        uint64_t word = 0;
        for (int64_t j = 0; j < m; ++j) word |= static_cast<uint64_t>((codes[first + j] >> b) & 1) << j;
        words[first / 64 * bits + b] = word;
      }
    }
  }
  static void unpack_bits(uint8_t* codes, const uint64_t* words, int64_t n, int bits) {
    for (int64_t first = 0; first < n; first += 64) {
      const int64_t m = std::min<int64_t>(64, n - first);
      for (int64_t j = 0; j < m; ++j) {
        uint8_t code = 0;
        for (int b = 0; b < bits; ++b) code |= static_cast<uint8_t>(((words[first / 64 * bits + b] >> j) & 1) << b);
        codes[first + j] = code;
      }
    }
  }
  // Through 64 one-bit codes at a time, which the compare and select loops vectorize over.
  template <class T>
  static void relu_bits(T* out, uint64_t* words, const T* x, int64_t n) {
    uint8_t codes[64];
    for (int64_t first = 0; first < n; first += 64) {
      const int64_t m = std::min<int64_t>(64, n - first);
      for (int64_t j = 0; j < m; ++j) {
        const T v = x[first + j];
        codes[j] = v > T(0);
        out[first + j] = (v > 0 || v != v) ? v : T(0);
      }
      pack_bits(words + first / 64, codes, m, 1);
    }
  }
  template <class T>
  static void select_bits(T* out, const T* g, const uint64_t* words, int64_t n) {
    uint8_t codes[64];
    for (int64_t first = 0; first < n; first += 64) {
      const int64_t m = std::min<int64_t>(64, n - first);
      unpack_bits(codes, words + first / 64, m, 1);
      for (int64_t j = 0; j < m; ++j) out[first + j] = codes[j] ? T(0) + g[first + j] : T(0);
    }
  }
};

template <class Loops, class T>
SpanKernels<T> make_span_kernels() {
  SpanKernels<T> k{};
  k.unary = unary_span<Loops, T>;
  k.binary = binary_span<T>;
  k.compare = compare_span<T>;
  k.sum = sum_span<T>;
  k.extreme = extreme_span<T>;
  k.accumulate_rows = accumulate_rows_span<T>;
  k.softmax_rows = softmax_rows_span<T>;
  k.softmax_columns = softmax_columns_span<T>;
  k.softmax_backward_rows = softmax_backward_rows_span<T>;
  k.softmax_backward_columns = softmax_backward_columns_span<T>;
  k.relu_bits = Loops::template relu_bits<T>;
  k.select_bits = Loops::template select_bits<T>;
  return k;
}

template <class Loops>
IsaKernels make_isa_kernels() {
  return IsaKernels{make_span_kernels<Loops, float>(), make_span_kernels<Loops, double>(),
                    BitPlaneKernels{Loops::pack_bits, Loops::unpack_bits}};
}

}  // namespace
}  // namespace tinytorch::kernels::optimized
