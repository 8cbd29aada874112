// Binary pointwise ops (forward and backward side by side), comparisons, where and masked_fill.
#include <cmath>

#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"

namespace tinytorch {
namespace detail {

void check_compute_dtype(const Tensor& t, const char* op) {
  TT_CHECK(is_compute_type(t.dtype()),
           "{}: dtype {} is a storage-only type here; convert with .to(tt::kFloat32) before computing", op,
           dtype_name(t.dtype()));
}

void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  TT_CHECK(a.device() == b.device(), "{}: expected both tensors on the same device, got {} and {}; move one with .to()",
           op, device_name(a.device()), device_name(b.device()));
}

Tensor binary_kernel(kernels::BinaryOp op, const Tensor& a, const Tensor& b, const char* name, double alpha,
                     std::optional<DType> out_dtype, const Tensor& buffer) {
  check_same_device(a, b, name);
  check_compute_dtype(a, name);
  check_compute_dtype(b, name);
  const Shape shape = broadcast_shapes(a.sizes(), b.sizes(), name);
  const DType dtype = result_type(a, b);
  NoGradGuard no_grad;  // conversions and expands here are plumbing, not part of the graph
  const bool fits = buffer.defined() && buffer.sizes() == shape && buffer.dtype() == out_dtype.value_or(dtype) &&
                    buffer.is_contiguous();
  Tensor out = fits ? buffer : empty(shape, out_dtype.value_or(dtype));
  kernels::active_kernels().binary(op, out, a.to(dtype).expand(shape), b.to(dtype).expand(shape), alpha);
  return out;
}

Tensor add_recomputed(const kernels::KernelTable& k, const Tensor& add_to, const Tensor& value, bool then_relu) {
  k.binary(kernels::BinaryOp::Add, add_to, add_to, value, 1.0);
  if (then_relu) k.relu_forward(add_to, add_to);
  return add_to;
}

Tensor wrap_scalar(const Scalar& value, const Tensor& like) {
  // A 0-dim tensor whose dtype already follows the scalar rule, so result_type() keeps it.
  return scalar_tensor(value, promote_with_scalar(like.dtype(), value));
}

}  // namespace detail

DType result_type(const Tensor& a, const Tensor& b) {
  const bool a_dimensioned = a.dim() > 0, b_dimensioned = b.dim() > 0;
  if (a_dimensioned == b_dimensioned) return promote_types(a.dtype(), b.dtype());
  // A 0-dim operand only decides the dtype when it is of a higher category (bool < int < float).
  const Tensor& dimensioned = a_dimensioned ? a : b;
  const Tensor& zero_dim = a_dimensioned ? b : a;
  auto category = [](DType t) { return t == kBool ? 0 : is_floating(t) ? 2 : 1; };
  return category(zero_dim.dtype()) > category(dimensioned.dtype()) ? zero_dim.dtype() : dimensioned.dtype();
}

namespace {
using autograd::Needs;
using autograd::save;
using kernels::BinaryOp;

Tensor arithmetic(BinaryOp op, const Tensor& a, const Tensor& b, const char* name, double alpha = 1.0) {
  TT_CHECK(a.dtype() != kBool || b.dtype() != kBool || op == BinaryOp::Add || op == BinaryOp::Mul,
           "{}: not supported for two bool tensors; convert one with .to(tt::kInt64)", name);
  return detail::binary_kernel(op, a, b, name, alpha);
}

Tensor compare(BinaryOp op, const Tensor& a, const Tensor& b, const char* name) {
  return detail::binary_kernel(op, a, b, name, 1.0, kBool);
}

// a == 0 && b >= 0: where PyTorch defines d(a^b)/db as 0 instead of 0 * log(0).
Tensor zero_base_mask(const Tensor& a, const Tensor& b) {
  Tensor a_zero = eq(a, 0);
  return where(a_zero, ge(b, 0), a_zero);
}

// The sum of two recomputable outputs of one shape and dtype is recomputable too (a residual
// connection's): b is rebuilt and a added into it (a float sum is the same either way round).
autograd::RecomputeFn add_recompute(const Tensor& a, const Tensor& b, double alpha) {
  if (alpha != 1.0 || a.sizes() != b.sizes() || a.dtype() != b.dtype()) return nullptr;
  std::shared_ptr<autograd::Node> source_a = autograd::recompute_source(a);
  std::shared_ptr<autograd::Node> source_b = source_a ? autograd::recompute_source(b) : nullptr;
  if (!source_b) return nullptr;
  return [&k = kernels::active_kernels(), source_a, source_b](const Tensor& add_to, bool then_relu) {
    if (!add_to.defined()) return source_a->recompute_output(source_b->recompute_output(), then_relu);
    return detail::add_recomputed(k, add_to, source_a->recompute_output(source_b->recompute_output()), then_relu);
  };
}

// a + alpha * b, written into `buffer` where it fits (see binary_kernel).
Tensor add_into(const Tensor& buffer, const Tensor& a, const Tensor& b, double alpha) {
  const bool grad = autograd::needs_grad({a, b});
  // Taken before the kernel runs: `buffer` may be a's own storage.
  autograd::RecomputeFn recompute = grad ? add_recompute(a, b, alpha) : nullptr;
  Tensor out = detail::binary_kernel(BinaryOp::Add, a, b, "add", alpha, std::nullopt, buffer);
  if (out.storage() == a.storage()) out.storage()->bump_version();
  if (!grad) return out;
  autograd::record(
      "AddBackward", out, {a, b},
      [alpha](const Tensor& g, const Needs& needs) {
        return TensorList{g, needs[1] ? (alpha == 1.0 ? g : g * alpha) : Tensor()};
      },
      std::move(recompute));
  return out;
}

// A tensor's buffer that nothing else can reach: no other handle, view or saved copy.
bool sole_owner(const Tensor& t) {
  return t.defined() && t.impl_ptr().use_count() == 1 && t.storage().use_count() == 1;
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  return add_into(Tensor(), a, b, alpha.to_double());
}

Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  TT_CHECK(a.dtype() != kBool && b.dtype() != kBool,
           "sub: subtracting bool tensors ({} - {}) is not supported, as in PyTorch; convert with .to(tt::kInt64)",
           dtype_name(a.dtype()), dtype_name(b.dtype()));
  Tensor out = arithmetic(BinaryOp::Sub, a, b, "sub", alpha.to_double());
  autograd::record("SubBackward", out, {a, b}, [alpha = alpha.to_double()](const Tensor& g, const Needs& needs) {
    return TensorList{g, needs[1] ? g * -alpha : Tensor()};
  });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = arithmetic(BinaryOp::Mul, a, b, "mul");
  if (autograd::needs_grad({a, b}))
    autograd::record("MulBackward", out, {a, b}, [sa = save(a), sb = save(b)](const Tensor& g, const Needs& needs) {
      return TensorList{needs[0] ? g * sb.get() : Tensor(), needs[1] ? g * sa.get() : Tensor()};
    });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  // True division: integer inputs give a float result, as torch.div.
  const bool integral = !is_floating(a.dtype()) && !is_floating(b.dtype());
  Tensor out = integral ? arithmetic(BinaryOp::Div, a.to(kFloat32), b.to(kFloat32), "div")
                        : arithmetic(BinaryOp::Div, a, b, "div");
  if (autograd::needs_grad({a, b}))
    autograd::record("DivBackward", out, {a, b}, [sa = save(a), sb = save(b)](const Tensor& g, const Needs& needs) {
      const Tensor& b = sb.get();
      return TensorList{needs[0] ? g / b : Tensor(), needs[1] ? -g * sa.get() / (b * b) : Tensor()};
    });
  return out;
}

Tensor add(const Tensor& a, const Scalar& b) { return add(a, detail::wrap_scalar(b, a)); }
Tensor sub(const Tensor& a, const Scalar& b) { return sub(a, detail::wrap_scalar(b, a)); }
Tensor mul(const Tensor& a, const Scalar& b) { return mul(a, detail::wrap_scalar(b, a)); }
Tensor div(const Tensor& a, const Scalar& b) { return div(a, detail::wrap_scalar(b, a)); }

Tensor pow(const Tensor& base, const Tensor& exponent) {
  Tensor out = arithmetic(BinaryOp::Pow, base, exponent, "pow");
  if (autograd::needs_grad({base, exponent}))
    autograd::record("PowBackward", out, {base, exponent},
                     [sa = save(base), sb = save(exponent), sy = save(out)](const Tensor& g, const Needs& needs) {
                       const Tensor &a = sa.get(), &b = sb.get();
                       Tensor ga, gb;
                       if (needs[0]) ga = where(eq(b, 0), zeros_like(g), g * b * pow(a, b - 1));
                       // d/db a^b = a^b log a; defined as 0 where a == 0 and b >= 0, as PyTorch.
                       if (needs[1]) gb = where(zero_base_mask(a, b), zeros_like(g), g * sy.get() * log(a));
                       return TensorList{ga, gb};
                     });
  return out;
}

Tensor pow(const Tensor& base, const Scalar& exponent) {
  TT_CHECK(is_floating(base.dtype()) || !exponent.is_integral() || exponent.to_double() >= 0,
           "pow: integers to negative integer powers are not allowed (base {}, exponent {}); convert the base with "
           ".to(tt::kFloat32)",
           dtype_name(base.dtype()), exponent.to_double());
  Tensor out = detail::unary_kernel(kernels::UnaryOp::PowScalar, base, "pow", !exponent.is_integral(),
                                    exponent.to_double());
  if (autograd::needs_grad({base}))
    autograd::record("PowBackward", out, {base}, [sa = save(base), e = exponent.to_double()](const Tensor& g, const Needs&) {
      if (e == 0.0) return TensorList{zeros_like(g)};
      return TensorList{g * e * pow(sa.get(), e - 1.0)};
    });
  return out;
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = arithmetic(BinaryOp::Maximum, a, b, "maximum");
  if (autograd::needs_grad({a, b}))
    autograd::record("MaximumBackward", out, {a, b}, [sa = save(a), sb = save(b)](const Tensor& g, const Needs&) {
      // Ties split the gradient evenly, as PyTorch.
      const Tensor &a = sa.get(), &b = sb.get();
      Tensor tie_half = where(eq(a, b), g * 0.5, g);
      return TensorList{masked_fill(tie_half, lt(a, b), 0), masked_fill(tie_half, gt(a, b), 0)};
    });
  return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out = arithmetic(BinaryOp::Minimum, a, b, "minimum");
  if (autograd::needs_grad({a, b}))
    autograd::record("MinimumBackward", out, {a, b}, [sa = save(a), sb = save(b)](const Tensor& g, const Needs&) {
      const Tensor &a = sa.get(), &b = sb.get();
      Tensor tie_half = where(eq(a, b), g * 0.5, g);
      return TensorList{masked_fill(tie_half, gt(a, b), 0), masked_fill(tie_half, lt(a, b), 0)};
    });
  return out;
}

Tensor eq(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Eq, a, b, "eq"); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ne, a, b, "ne"); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Lt, a, b, "lt"); }
Tensor le(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Le, a, b, "le"); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Gt, a, b, "gt"); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare(BinaryOp::Ge, a, b, "ge"); }
Tensor eq(const Tensor& a, const Scalar& b) { return eq(a, detail::wrap_scalar(b, a)); }
Tensor ne(const Tensor& a, const Scalar& b) { return ne(a, detail::wrap_scalar(b, a)); }
Tensor lt(const Tensor& a, const Scalar& b) { return lt(a, detail::wrap_scalar(b, a)); }
Tensor le(const Tensor& a, const Scalar& b) { return le(a, detail::wrap_scalar(b, a)); }
Tensor gt(const Tensor& a, const Scalar& b) { return gt(a, detail::wrap_scalar(b, a)); }
Tensor ge(const Tensor& a, const Scalar& b) { return ge(a, detail::wrap_scalar(b, a)); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  TT_CHECK(condition.dtype() == kBool, "where: condition must be a bool tensor, got {}; build it with a comparison "
                                       "such as tt::gt(x, 0)",
           dtype_name(condition.dtype()));
  detail::check_same_device(a, b, "where");
  detail::check_compute_dtype(a, "where");
  detail::check_compute_dtype(b, "where");
  const Shape shape = broadcast_shapes(broadcast_shapes(condition.sizes(), a.sizes(), "where"), b.sizes(), "where");
  const DType dtype = result_type(a, b);
  Tensor out = empty(shape, dtype);
  {
    NoGradGuard no_grad;
    kernels::active_kernels().where(out, condition.expand(shape), a.to(dtype).expand(shape), b.to(dtype).expand(shape));
  }
  if (autograd::needs_grad({a, b}))
    autograd::record("WhereBackward", out, {a, b}, [sc = save(condition)](const Tensor& g, const Needs& needs) {
      Tensor zero = zeros({}, g.dtype());
      return TensorList{needs[0] ? where(sc.get(), g, zero) : Tensor(), needs[1] ? where(sc.get(), zero, g) : Tensor()};
    });
  return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value) {
  TT_CHECK(mask.dtype() == kBool, "masked_fill: mask must be a bool tensor, got {}; build it with a comparison",
           dtype_name(mask.dtype()));
  // Out of place, as torch: the result takes the broadcast shape of mask and x.
  broadcast_shapes(mask.sizes(), x.sizes(), "masked_fill");  // validates, naming masked_fill
  return where(mask, scalar_tensor(value, x.dtype()), x);
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(Tensor&& a, const Tensor& b) {
  if (&a == &b) return add(a, b);
  const Tensor dying = std::move(a);
  return add_into(sole_owner(dying) ? dying.detach() : Tensor(), dying, b, 1.0);
}
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(detail::wrap_scalar(a, b), b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return sub(detail::wrap_scalar(a, b), b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(detail::wrap_scalar(a, b), b); }
Tensor operator/(const Scalar& a, const Tensor& b) { return div(detail::wrap_scalar(a, b), b); }

}  // namespace tinytorch
