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
  ReluBackward,       // b = relu(x) (or x: both are > 0 at the same places)
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

// Scalars of the fused optimizer updates; formulas follow torch.optim (see each kernel's comment).
struct SgdUpdate {
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false;
  bool init_buffer = false;  // first step: the momentum buffer is set to d_p instead of updated
};

struct AdamUpdate {
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0;
  bool decoupled = false;  // AdamW: p *= 1 - lr * weight_decay instead of g += weight_decay * p
  int64_t step = 1;        // 1-based, for the bias corrections
};

struct RmspropUpdate {
  double lr = 0, alpha = 0, eps = 0, weight_decay = 0, momentum = 0;
};

struct AdagradUpdate {
  double lr = 0;  // already decayed: lr / (1 + (step - 1) * lr_decay)
  double weight_decay = 0, eps = 0;
};

struct KernelTable {
  std::string name;

  void (*fill)(const Tensor& out, double value);  // out may be strided
  void (*copy)(const Tensor& dst, const Tensor& src);  // dst may be strided; converts dtype
  void (*unary)(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);
  void (*binary)(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
  void (*where)(const Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b);
  // relu for autograd: out = relu(x) (x of out's shape and dtype, any strides), returning what its
  // backward needs, read only by the same table's relu_backward: the reference keeps `out` itself
  // (as PyTorch: the next layer usually saves it too); a backend may keep less (the optimized one
  // keeps x > 0 as bits, so an activation only relu needed, such as one feeding max pooling, is
  // freed after the forward). relu_backward's grad_out: contiguous, out's shape and dtype.
  Tensor (*relu_forward)(const Tensor& out, const Tensor& x);
  void (*relu_backward)(const Tensor& grad_in, const Tensor& grad_out, const Tensor& saved);

  // out has the keepdim shape; dims where out has size 1 are reduced. Sum/Max/Min only.
  void (*reduce)(ReduceOp op, const Tensor& out, const Tensor& in);
  // ArgMax/ArgMin along dim; out is int64 with the keepdim shape.
  void (*arg_reduce)(ReduceOp op, const Tensor& out, const Tensor& in, int64_t dim);

  // out[b] = a[b] · b[b] for a [B, M, K], b [B, K, N], out [B, M, N].
  void (*bmm)(const Tensor& out, const Tensor& a, const Tensor& b);
  // out [M, N] = a [M, K] · b [K, N] + bias [N] (bias contiguous, or undefined for none): linear's
  // forward with the bias added where the product is written instead of in a second pass.
  void (*addmm)(const Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b);

  void (*softmax)(const Tensor& out, const Tensor& in, int64_t dim, bool log);
  // grad_in from grad_out and the forward output.
  void (*softmax_backward)(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log);

  // NCHW, all inputs contiguous. Backward kernels overwrite their output.
  void (*conv2d)(const Tensor& out, const Tensor& input, const Tensor& weight, const Conv2dParams& p);
  void (*conv2d_backward_input)(const Tensor& grad_input, const Tensor& grad_out, const Tensor& weight,
                                const Conv2dParams& p);
  void (*conv2d_backward_weight)(const Tensor& grad_weight, const Tensor& grad_out, const Tensor& input,
                                 const Conv2dParams& p);
  // Returns where each maximum came from, in a form only the same table's max_pool2d_backward reads:
  // the reference keeps LibTorch's int64 flat h*W+w positions (out's shape); a backend may keep less
  // (the optimized one packs each maximum's window tap into bit planes: 2 bits for a 2x2 window).
  Tensor (*max_pool2d)(const Tensor& out, const Tensor& input, const Pool2dParams& p);
  void (*max_pool2d_backward)(const Tensor& grad_input, const Tensor& grad_out, const Tensor& argmax,
                              const Pool2dParams& p);
  void (*avg_pool2d)(const Tensor& out, const Tensor& input, const Pool2dParams& p);
  void (*avg_pool2d_backward)(const Tensor& grad_input, const Tensor& grad_out, const Pool2dParams& p);

  // Index kernels; `index` is int64 and validated by the op. The *_add kernels accumulate into out.
  void (*index_select)(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
  void (*index_add)(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);
  void (*gather)(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
  void (*scatter_add)(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);

  // Fused normalisation and loss kernels (f32, f64). Every tensor here is contiguous and of one dtype;
  // "undefined" optional tensors mean weight 1, bias 0, or a result that is not wanted.
  // layer_norm of x [rows, cols] over each row: out = (x - mean) * rstd * weight + bias, with the
  // biased variance; saves mean and rstd = 1 / sqrt(var + eps), both [rows]. weight, bias: [cols].
  void (*layer_norm)(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                     const Tensor& bias, double eps);
  // Overwrites whichever of grad_input [rows, cols], grad_weight and grad_bias [cols] are defined.
  void (*layer_norm_backward)(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                              const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                              const Tensor& weight);
  // batch_norm of x [N, C, S] per channel. Training: biased mean/var over N and S, and running_mean /
  // running_var (both defined or both undefined) become (1 - momentum) * running + momentum * batch
  // stat, with the unbiased variance. Eval: the running stats normalise. Either way save_mean and
  // save_invstd [C] receive the statistics used.
  void (*batch_norm)(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& x,
                     const Tensor& weight, const Tensor& bias, const Tensor& running_mean, const Tensor& running_var,
                     bool training, double momentum, double eps);
  // Optional (null in the reference table): batch_norm's output recomputed from x and the statistics
  // it saved, bit for bit equal to the forward's, written to out or, with accumulate, added to it
  // (as a separate sum of the rounded output would), then with relu passed through relu (as
  // relu_forward would). Where it is set, a batch_norm output, and a relu or sum of such outputs, is
  // recomputed in backward by the ops that saved it instead of being kept alive (x is kept for
  // batch_norm's own backward anyway); see autograd::recompute_source.
  void (*batch_norm_apply)(const Tensor& out, const Tensor& x, const Tensor& save_mean, const Tensor& save_invstd,
                           const Tensor& weight, const Tensor& bias, bool accumulate, bool relu) = nullptr;
  // Training adds the terms through the batch statistics; eval is grad_out * weight * invstd.
  void (*batch_norm_backward)(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                              const Tensor& grad_out, const Tensor& x, const Tensor& save_mean,
                              const Tensor& save_invstd, const Tensor& weight, bool training);
  // log_softmax + nll with label smoothing eps over the class dim of logits [N, C, S]; target [N, S]
  // int64 is valid. loss[n, s] = lse - (1 - eps) * x[target] - eps / C * sum_c x[c] (0 where target ==
  // ignore_index); lse [N, S] = log-sum-exp over classes, saved for the backward.
  void (*cross_entropy)(const Tensor& loss, const Tensor& lse, const Tensor& logits, const Tensor& target,
                        int64_t ignore_index, double label_smoothing);
  // grad_logits = grad_loss[n, s] * (softmax - (1 - eps) * onehot(target) - eps / C), 0 at ignored positions.
  void (*cross_entropy_backward)(const Tensor& grad_logits, const Tensor& grad_loss, const Tensor& logits,
                                 const Tensor& lse, const Tensor& target, int64_t ignore_index, double label_smoothing);

  // Fused optimizer steps, in place over contiguous tensors of the parameter's shape and dtype; g is
  // grad + weight_decay * p except for AdamW. Scalars are rounded to the dtype, as torch.optim does.
  // SGD: d = g; buf = init ? d : momentum * buf + (1 - dampening) * d (buf undefined when
  // momentum is 0); d = nesterov ? d + momentum * buf : buf; p -= lr * d.
  void (*sgd_update)(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdUpdate& u);
  // Adam/AdamW (AdamW first p *= 1 - lr * wd): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
  // vmax = max(vmax, v) when max_exp_avg_sq is defined (amsgrad);
  // p -= lr / bc1 * m / (sqrt(v or vmax) / sqrt(bc2) + eps), with bc_i = 1 - b_i^step.
  void (*adam_update)(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                      const Tensor& max_exp_avg_sq, const AdamUpdate& u);
  // RMSprop: sq = alpha sq + (1 - alpha) g^2; centered (grad_avg defined): ga = alpha ga + (1 - alpha) g,
  // avg = sqrt(sq - ga^2) + eps, else sqrt(sq) + eps; with momentum_buffer: buf = momentum buf + g / avg,
  // p -= lr buf, else p -= lr g / avg.
  void (*rmsprop_update)(const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                         const Tensor& momentum_buffer, const Tensor& grad_avg, const RmspropUpdate& u);
  // Adagrad: sum += g^2; p -= lr * g / (sqrt(sum) + eps).
  void (*adagrad_update)(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradUpdate& u);
};

const KernelTable& active_kernels();
const KernelTable& reference_kernels();
const KernelTable& optimized_kernels();  // framework/src/kernels/optimized/table.cpp
// Makes `table` selectable by name (backends call this from a static registrar).
void register_backend(const KernelTable& table);

}  // namespace tinytorch::kernels
