// The per-backend kernel table. Ops (framework/src/ops/) validate arguments, allocate outputs and
// record autograd; they reach numeric code only through active_kernels(). A backend is a filled
// KernelTable: the reference backend fills every entry, others copy it and override entries.
//
// Contract for every kernel: `out` is freshly allocated and contiguous unless stated; inputs may
// have any strides (including 0 for broadcast dims) and already have the dtype the kernel computes
// in; shapes have been validated by the op.
#pragma once

#include <array>
#include <string>

#include "tinytorch/tensor.h"

namespace tinytorch::kernels {

enum class UnaryOp {
  Neg, Exp, Log, Sqrt, Rsqrt, Abs, Relu, Sigmoid, Tanh, Silu, GeluErf, GeluTanh,
  LeakyRelu,  // p0 = negative slope
  Clamp,      // p0 = min, p1 = max (±inf when absent)
  PowScalar,  // p0 = exponent
  Sign,
};

enum class BinaryOp {
  Add,  // a + alpha * b
  Sub,  // a - alpha * b
  Mul, Div, Pow, Maximum, Minimum,
  Eq, Ne, Lt, Le, Gt, Ge,  // output dtype bool
  // Fused derivatives of unary ops: a = incoming gradient, b = the op's input x (or output y).
  ReluBackward,       // b = x
  LeakyReluBackward,  // b = x, alpha = slope
  SigmoidBackward,    // b = y
  TanhBackward,       // b = y
  SiluBackward,       // b = x
  GeluErfBackward,    // b = x
  GeluTanhBackward,   // b = x
};

enum class ReduceOp { Sum, Max, Min, ArgMax, ArgMin };

struct Conv2dParams {
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

struct Pool2dParams {
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
  bool count_include_pad = true;
};

struct KernelTable {
  std::string name;

  void (*fill)(const Tensor& out, double value);  // out may be strided
  void (*copy)(const Tensor& dst, const Tensor& src);  // dst may be strided; converts dtype
  void (*unary)(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);
  void (*binary)(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
  void (*where)(const Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b);

  // out has the keepdim shape; dims where out has size 1 are reduced. Sum/Max/Min only.
  void (*reduce)(ReduceOp op, const Tensor& out, const Tensor& in);
  // ArgMax/ArgMin along dim; out is int64 with the keepdim shape.
  void (*arg_reduce)(ReduceOp op, const Tensor& out, const Tensor& in, int64_t dim);

  // out[b] = a[b] · b[b] for a [B, M, K], b [B, K, N], out [B, M, N].
  void (*bmm)(const Tensor& out, const Tensor& a, const Tensor& b);

  void (*softmax)(const Tensor& out, const Tensor& in, int64_t dim, bool log);
  // grad_in from grad_out and the forward output.
  void (*softmax_backward)(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log);

  // NCHW, all inputs contiguous. Backward kernels overwrite their output.
  void (*conv2d)(const Tensor& out, const Tensor& input, const Tensor& weight, const Conv2dParams& p);
  void (*conv2d_backward_input)(const Tensor& grad_input, const Tensor& grad_out, const Tensor& weight,
                                const Conv2dParams& p);
  void (*conv2d_backward_weight)(const Tensor& grad_weight, const Tensor& grad_out, const Tensor& input,
                                 const Conv2dParams& p);
  // indices (int64, same shape as out) hold the flat h*W+w position of each maximum in its plane.
  void (*max_pool2d)(const Tensor& out, const Tensor& indices, const Tensor& input, const Pool2dParams& p);
  void (*max_pool2d_backward)(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices);
  void (*avg_pool2d)(const Tensor& out, const Tensor& input, const Pool2dParams& p);
  void (*avg_pool2d_backward)(const Tensor& grad_input, const Tensor& grad_out, const Pool2dParams& p);

  // Index kernels; `index` is int64 and validated by the op. The *_add kernels accumulate into out.
  void (*index_select)(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
  void (*index_add)(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);
  void (*gather)(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
  void (*scatter_add)(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);
};

const KernelTable& active_kernels();
const KernelTable& reference_kernels();
const KernelTable& optimized_kernels();  // framework/src/kernels/optimized/table.cpp
// Makes `table` selectable by name (backends call this from a static registrar).
void register_backend(const KernelTable& table);

}  // namespace tinytorch::kernels
