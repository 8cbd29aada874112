// Unary pointwise ops and activations (forward and backward side by side).
#include <cmath>
#include <limits>

#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"

namespace tinytorch {
namespace detail {

Tensor unary_kernel(kernels::UnaryOp op, const Tensor& x, const char* name, bool floating_only, double p0, double p1) {
  check_compute_dtype(x, name);
  TT_CHECK(x.dtype() != kBool, "{}: not supported for bool tensors; convert with .to(tt::kFloat32)", name);
  NoGradGuard no_grad;
  const Tensor input = (floating_only && !is_floating(x.dtype())) ? x.to(kFloat32) : x;
  Tensor out = empty(input.sizes(), input.dtype());
  kernels::active_kernels().unary(op, out, input, p0, p1);
  return out;
}

}  // namespace detail

namespace {
using autograd::Needs;
using autograd::save;
using kernels::BinaryOp;
using kernels::UnaryOp;

// Backward of an activation as one fused kernel: grad_in = op(g, saved), with saved = x or y.
autograd::BackwardFn fused_backward(BinaryOp op, const Tensor& saved, double alpha = 1.0) {
  return [s = save(saved), op, alpha](const Tensor& g, const Needs&) {
    return TensorList{detail::binary_kernel(op, g, s.get(), "backward", alpha)};
  };
}
}  // namespace

Tensor neg(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Neg, x, "neg", false);
  autograd::record("NegBackward", out, {x}, [](const Tensor& g, const Needs&) { return TensorList{-g}; });
  return out;
}

Tensor exp(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Exp, x, "exp", true);
  if (autograd::needs_grad({x}))
    autograd::record("ExpBackward", out, {x},
                     [sy = save(out)](const Tensor& g, const Needs&) { return TensorList{g * sy.get()}; });
  return out;
}

Tensor log(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Log, x, "log", true);
  if (autograd::needs_grad({x}))
    autograd::record("LogBackward", out, {x},
                     [sx = save(x)](const Tensor& g, const Needs&) { return TensorList{g / sx.get()}; });
  return out;
}

Tensor sqrt(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Sqrt, x, "sqrt", true);
  if (autograd::needs_grad({x}))
    autograd::record("SqrtBackward", out, {x},
                     [sy = save(out)](const Tensor& g, const Needs&) { return TensorList{g / (sy.get() * 2)}; });
  return out;
}

Tensor rsqrt(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Rsqrt, x, "rsqrt", true);
  if (autograd::needs_grad({x}))
    autograd::record("RsqrtBackward", out, {x}, [sy = save(out)](const Tensor& g, const Needs&) {
      const Tensor& y = sy.get();
      return TensorList{g * y * y * y * -0.5};
    });
  return out;
}

Tensor abs(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Abs, x, "abs", false);
  if (autograd::needs_grad({x}))
    autograd::record("AbsBackward", out, {x}, [sx = save(x)](const Tensor& g, const Needs&) {
      return TensorList{g * detail::unary_kernel(UnaryOp::Sign, sx.get(), "sign", false)};
    });
  return out;
}

Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  TT_CHECK(min || max, "clamp: at least one of min and max must be given");
  const double lo = min ? min->to_double() : -std::numeric_limits<double>::infinity();
  const double hi = max ? max->to_double() : std::numeric_limits<double>::infinity();
  const bool needs_float = (min && !min->is_integral()) || (max && !max->is_integral());
  Tensor out = detail::unary_kernel(UnaryOp::Clamp, x, "clamp", needs_float, lo, hi);
  if (autograd::needs_grad({x}))
    autograd::record("ClampBackward", out, {x}, [sx = save(x), lo, hi](const Tensor& g, const Needs&) {
      // Gradient passes where min <= x <= max (boundaries included, as PyTorch).
      const Tensor& x = sx.get();
      Tensor below = lt(x, lo);
      Tensor outside = where(below, below, gt(x, hi));
      return TensorList{masked_fill(g, outside, 0)};
    });
  return out;
}

// The backward needs only where out > 0 (exactly where x > 0); the backend decides what it keeps
// for that (see KernelTable::relu_forward), and the backward runs on the same table. The output is
// recomputable when x is (autograd::recompute_source).
Tensor relu(const Tensor& x) {
  if (!autograd::needs_grad({x})) return detail::unary_kernel(UnaryOp::Relu, x, "relu", false);
  detail::check_compute_dtype(x, "relu");
  const kernels::KernelTable& k = kernels::active_kernels();
  Tensor out = empty(x.sizes(), x.dtype());
  Tensor saved;
  {
    NoGradGuard no_grad;
    saved = k.relu_forward(out, x);
  }
  autograd::RecomputeFn recompute;
  if (std::shared_ptr<autograd::Node> source = autograd::recompute_source(x))
    recompute = [&k, source](const Tensor& add_to, bool then_relu) {
      const Tensor y = source->recompute_output(Tensor(), true);
      return add_to.defined() ? detail::add_recomputed(k, add_to, y, then_relu) : y;  // relu(relu(x)) = relu(x)
    };
  autograd::record(
      "ReluBackward", out, {x},
      [&k, s = save(saved)](const Tensor& g, const Needs&) {
        Tensor grad_in = empty(g.sizes(), g.dtype());
        k.relu_backward(grad_in, g.contiguous(), s.get());
        return TensorList{grad_in};
      },
      std::move(recompute));
  return out;
}

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  Tensor out = detail::unary_kernel(UnaryOp::LeakyRelu, x, "leaky_relu", true, negative_slope);
  if (autograd::needs_grad({x}))
    autograd::record("LeakyReluBackward", out, {x}, fused_backward(BinaryOp::LeakyReluBackward, x, negative_slope));
  return out;
}

Tensor sigmoid(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Sigmoid, x, "sigmoid", true);
  if (autograd::needs_grad({x}))
    autograd::record("SigmoidBackward", out, {x}, fused_backward(BinaryOp::SigmoidBackward, out));
  return out;
}

Tensor tanh(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Tanh, x, "tanh", true);
  if (autograd::needs_grad({x}))
    autograd::record("TanhBackward", out, {x}, fused_backward(BinaryOp::TanhBackward, out));
  return out;
}

Tensor gelu(const Tensor& x, const std::string& approximate) {
  TT_CHECK(approximate == "none" || approximate == "tanh", "gelu: approximate must be \"none\" or \"tanh\", got \"{}\"",
           approximate);
  const bool exact = approximate == "none";
  Tensor out = detail::unary_kernel(exact ? UnaryOp::GeluErf : UnaryOp::GeluTanh, x, "gelu", true);
  if (autograd::needs_grad({x}))
    autograd::record("GeluBackward", out, {x},
                     fused_backward(exact ? BinaryOp::GeluErfBackward : BinaryOp::GeluTanhBackward, x));
  return out;
}

Tensor silu(const Tensor& x) {
  Tensor out = detail::unary_kernel(UnaryOp::Silu, x, "silu", true);
  if (autograd::needs_grad({x})) autograd::record("SiluBackward", out, {x}, fused_backward(BinaryOp::SiluBackward, x));
  return out;
}

}  // namespace tinytorch
