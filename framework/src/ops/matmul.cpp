// matmul and linear. matmul reduces to one batched primitive, bmm on [B, M, K] x [B, K, N], whose
// backward is two more bmm's on transposed views; linear is one addmm (GEMM with the bias fused).
#include "autograd/function.h"
#include "ops/elementwise_common.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/linalg.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {
namespace {
using autograd::Needs;
using autograd::save;

Tensor bmm(const Tensor& a, const Tensor& b) {
  Tensor out = empty({a.size(0), a.size(1), b.size(2)}, a.dtype());
  kernels::active_kernels().bmm(out, a, b);
  if (autograd::needs_grad({a, b}))
    autograd::record("BmmBackward", out, {a, b}, [sa = save(a), sb = save(b)](const Tensor& g, const Needs& needs) {
      return TensorList{needs[0] ? bmm(g, sb.get().transpose(1, 2)) : Tensor(),
                        needs[1] ? bmm(sa.get().transpose(1, 2), g) : Tensor()};
    });
  return out;
}

void check_matmul_shapes(const Tensor& a, const Tensor& b) {
  TT_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got shapes {} and {}",
           shape_str(a.sizes()), shape_str(b.sizes()));
  const int64_t k_a = a.size(-1);
  const int64_t k_b = b.dim() == 1 ? b.size(0) : b.size(-2);
  if (k_a == k_b) return;
  const bool first_transposed_fits = a.dim() >= 2 && a.size(-2) == k_b;
  throw Error(
      fmt::format("matmul: shapes {} and {} cannot be multiplied ({} ≠ {}); did you mean to transpose the {} "
                  "operand?",
                  shape_str(a.sizes()), shape_str(b.sizes()), k_a, k_b, first_transposed_fits ? "first" : "second"));
}
}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  detail::check_same_device(a_in, b_in, "matmul");
  detail::check_compute_dtype(a_in, "matmul");
  detail::check_compute_dtype(b_in, "matmul");
  TT_CHECK(a_in.dtype() != kBool && b_in.dtype() != kBool, "matmul: bool operands are not supported; convert first");
  check_matmul_shapes(a_in, b_in);
  const DType dtype = result_type(a_in, b_in);
  const Tensor a = a_in.to(dtype), b = b_in.to(dtype);

  if (a.dim() == 1 && b.dim() == 1) return matmul(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
  if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);

  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  if (b.dim() == 2) {
    // Fold a's batch dims into M: one large GEMM instead of many small ones (and one gradient).
    Shape out_shape(a.sizes().begin(), a.sizes().end() - 1);
    out_shape.push_back(n);
    return bmm(a.reshape({1, -1, k}), b.unsqueeze(0)).reshape(out_shape);
  }
  const Shape batch_a(a.sizes().begin(), a.sizes().end() - 2);
  const Shape batch_b(b.sizes().begin(), b.sizes().end() - 2);
  Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  Shape a_shape = batch, b_shape = batch, out_shape = batch;
  a_shape.insert(a_shape.end(), {m, k});
  b_shape.insert(b_shape.end(), {k, n});
  out_shape.insert(out_shape.end(), {m, n});
  const int64_t flat = numel_of(batch);
  return bmm(a.expand(a_shape).reshape({flat, m, k}), b.expand(b_shape).reshape({flat, k, n})).reshape(out_shape);
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  TT_CHECK(weight.dim() == 2, "linear: weight must be 2-D [out_features, in_features], got shape {}",
           shape_str(weight.sizes()));
  TT_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1),
           "linear: input of shape {} has {} features but the weight {} expects {}; check in_features",
           shape_str(x.sizes()), x.dim() >= 1 ? x.size(-1) : 0, shape_str(weight.sizes()), weight.size(1));
  if (bias.defined())
    TT_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "linear: bias of shape {} must be [{}] (out_features)",
             shape_str(bias.sizes()), weight.size(0));
  const bool fusable = x.dtype() == weight.dtype() && (!bias.defined() || bias.dtype() == weight.dtype()) &&
                       (x.dtype() == kFloat32 || x.dtype() == kFloat64) && x.dim() >= 2;
  if (!fusable) {
    Tensor out = matmul(x, weight.t());
    return bias.defined() ? out + bias : out;
  }
  // One GEMM over all leading dims with the bias as its initial value; backward is two GEMMs and a
  // column sum.
  const Tensor rows = x.reshape({-1, weight.size(1)});
  const Tensor b = bias.defined() ? bias.contiguous() : bias;
  Tensor out = empty({rows.size(0), weight.size(0)}, x.dtype());
  kernels::active_kernels().addmm(out, b, rows, weight.t());
  if (autograd::needs_grad({rows, weight, b}))
    autograd::record("AddmmBackward", out, {rows, weight, b},
                     [sx = save(rows), sw = save(weight)](const Tensor& g, const Needs& needs) {
                       return TensorList{needs[0] ? matmul(g, sw.get()) : Tensor(),
                                         needs[1] ? matmul(g.t(), sx.get()) : Tensor(),
                                         needs[2] ? sum(g, {0}) : Tensor()};
                     });
  Shape out_shape(x.sizes().begin(), x.sizes().end() - 1);
  out_shape.push_back(weight.size(0));
  return out.reshape(out_shape);
}

}  // namespace tinytorch
