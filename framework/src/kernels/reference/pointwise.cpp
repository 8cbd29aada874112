// Reference fill/copy/unary/binary/where: one strided loop each, math in the element type.
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::reference {
namespace {
constexpr double kSqrt1_2 = 0.70710678118654752440;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kGeluCubic = 0.044715;

template <class T>
T sigmoid_of(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

template <class T>
T apply_unary(UnaryOp op, T x, double p0, double p1) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::Exp: return std::exp(x);
      case UnaryOp::Log: return std::log(x);
      case UnaryOp::Sqrt: return std::sqrt(x);
      case UnaryOp::Rsqrt: return T(1) / std::sqrt(x);
      case UnaryOp::Sigmoid: return sigmoid_of(x);
      case UnaryOp::Tanh: return std::tanh(x);
      case UnaryOp::Silu: return x * sigmoid_of(x);
      case UnaryOp::GeluErf: return T(0.5) * x * (T(1) + std::erf(x * T(kSqrt1_2)));
      case UnaryOp::GeluTanh: return T(0.5) * x * (T(1) + std::tanh(T(kSqrt2OverPi) * (x + T(kGeluCubic) * x * x * x)));
      case UnaryOp::LeakyRelu: return x > 0 ? x : x * static_cast<T>(p0);
      case UnaryOp::PowScalar: return std::pow(x, static_cast<T>(p0));
      default: break;
    }
  }
  switch (op) {
    case UnaryOp::Neg: return -x;
    case UnaryOp::Abs: return x < 0 ? -x : x;
    case UnaryOp::Relu: return (x > 0 || x != x) ? x : T(0);  // NaN passes through, as torch.relu
    case UnaryOp::Sign: return static_cast<T>((x > 0) - (x < 0));
    case UnaryOp::Clamp: {
      // Compare in double so integer tensors accept infinite bounds. max wins over min (min > max gives
      // max everywhere) and NaN passes through, as torch.clamp.
      const double v = static_cast<double>(x);
      return (v > p1 || (p0 > p1 && v == v)) ? static_cast<T>(p1) : (v < p0 ? static_cast<T>(p0) : x);
    }
    case UnaryOp::PowScalar: return static_cast<T>(std::pow(static_cast<double>(x), p0));
    default: throw Error("unary: op needs a floating-point input");
  }
}

template <class T>
T apply_binary(BinaryOp op, T a, T b, double alpha) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case BinaryOp::Pow: return std::pow(a, b);
      case BinaryOp::ReluBackward: return b > 0 ? a : T(0);
      case BinaryOp::LeakyReluBackward: return b > 0 ? a : a * static_cast<T>(alpha);
      case BinaryOp::SigmoidBackward: return a * b * (T(1) - b);
      case BinaryOp::TanhBackward: return a * (T(1) - b * b);
      case BinaryOp::SiluBackward: {
        const T s = sigmoid_of(b);
        return a * s * (T(1) + b * (T(1) - s));
      }
      case BinaryOp::GeluErfBackward: {
        const T cdf = T(0.5) * (T(1) + std::erf(b * T(kSqrt1_2)));
        const T pdf = T(kInvSqrt2Pi) * std::exp(T(-0.5) * b * b);
        return a * (cdf + b * pdf);
      }
      case BinaryOp::GeluTanhBackward: {
        const T inner = T(kSqrt2OverPi) * (b + T(kGeluCubic) * b * b * b);
        const T t = std::tanh(inner);
        const T d_inner = T(kSqrt2OverPi) * (T(1) + T(3 * kGeluCubic) * b * b);
        return a * (T(0.5) * (T(1) + t) + T(0.5) * b * (T(1) - t * t) * d_inner);
      }
      default: break;
    }
  }
  switch (op) {
    case BinaryOp::Add: return static_cast<T>(a + static_cast<T>(alpha) * b);
    case BinaryOp::Sub: return static_cast<T>(a - static_cast<T>(alpha) * b);
    case BinaryOp::Mul: return static_cast<T>(a * b);
    case BinaryOp::Div: return static_cast<T>(a / b);
    case BinaryOp::Maximum: return (a > b || a != a) ? a : b;  // NaN propagates
    case BinaryOp::Minimum: return (a < b || a != a) ? a : b;
    case BinaryOp::Pow: return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    default: throw Error("binary: op needs a floating-point input");
  }
}

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt || op == BinaryOp::Le || op == BinaryOp::Gt ||
         op == BinaryOp::Ge;
}

template <class T>
bool apply_compare(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::Eq: return a == b;
    case BinaryOp::Ne: return a != b;
    case BinaryOp::Lt: return a < b;
    case BinaryOp::Le: return a <= b;
    case BinaryOp::Gt: return a > b;
    case BinaryOp::Ge: return a >= b;
    default: throw Error("binary: not a comparison");
  }
}
}  // namespace

void fill(const Tensor& out, double value) {
  dispatch_all(out.dtype(), "fill", [&](auto tag) {
    using T = decltype(tag);
    T* data = storage_base<T>(out);
    const T v = convert<T>(value);
    for_each_offset<1>(out.sizes(), {&out}, [&](const auto& o) { data[o[0]] = v; });
  });
}

void copy(const Tensor& dst, const Tensor& src) {
  dispatch_all(dst.dtype(), "copy", [&](auto dst_tag) {
    using D = decltype(dst_tag);
    dispatch_all(src.dtype(), "copy", [&](auto src_tag) {
      using S = decltype(src_tag);
      D* d = storage_base<D>(dst);
      const S* s = storage_base<S>(src);
      for_each_offset<2>(dst.sizes(), {&dst, &src}, [&](const auto& o) { d[o[0]] = convert<D>(s[o[1]]); });
    });
  });
}

void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1) {
  dispatch_numeric(in.dtype(), "unary", [&](auto tag) {
    using T = decltype(tag);
    T* o = storage_base<T>(out);
    const T* x = storage_base<T>(in);
    for_each_offset<2>(out.sizes(), {&out, &in},
                       [&](const auto& off) { o[off[0]] = apply_unary(op, x[off[1]], p0, p1); });
  });
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  dispatch_all(a.dtype(), "binary", [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, BFloat16> || std::is_same_v<T, Half>) {
      throw Error("binary: 16-bit float inputs must be converted first");
    } else {
      const T* x = storage_base<T>(a);
      const T* y = storage_base<T>(b);
      // bool + bool and bool * bool are arithmetic with a bool output (logical or / and, as PyTorch).
      if (is_comparison(op)) {
        bool* o = storage_base<bool>(out);
        for_each_offset<3>(out.sizes(), {&out, &a, &b},
                           [&](const auto& off) { o[off[0]] = apply_compare(op, x[off[1]], y[off[2]]); });
      } else {
        T* o = storage_base<T>(out);
        for_each_offset<3>(out.sizes(), {&out, &a, &b},
                           [&](const auto& off) { o[off[0]] = apply_binary(op, x[off[1]], y[off[2]], alpha); });
      }
    }
  });
}

void where(const Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b) {
  dispatch_all(out.dtype(), "where", [&](auto tag) {
    using T = decltype(tag);
    T* o = storage_base<T>(out);
    const bool* c = storage_base<bool>(condition);
    const T* x = storage_base<T>(a);
    const T* y = storage_base<T>(b);
    for_each_offset<4>(out.sizes(), {&out, &condition, &a, &b},
                       [&](const auto& off) { o[off[0]] = c[off[1]] ? x[off[2]] : y[off[3]]; });
  });
}

// relu's backward reads its output: the gradient passes where out > 0.
Tensor relu_forward(const Tensor& out, const Tensor& x) {
  unary(UnaryOp::Relu, out, x, 0, 0);
  return out;
}

void relu_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& saved) {
  binary(BinaryOp::ReluBackward, grad_in, grad_out, saved, 1.0);
}

}  // namespace tinytorch::kernels::reference
