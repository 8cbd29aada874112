// The optimized backend: kernels that override entries of the reference table (table.cpp) with
// vectorized, threaded versions. Every kernel here is tested against its reference counterpart.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/optimized/cpu_features.h"

namespace tinytorch::kernels::optimized {

// Batched product through the BLIS-style GEMM (f32, f64); other dtypes use the reference kernel.
void bmm(const Tensor& out, const Tensor& a, const Tensor& b);
// Same with an explicit microkernel ISA (tests and benchmarks); `isa` must be supported by the CPU.
void bmm(const Tensor& out, const Tensor& a, const Tensor& b, CpuIsa isa);
// a · b + bias through the GEMM with the bias rows as the initial C (beta = 1).
void addmm(const Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b);

// Contiguous f32/f64 fast paths (indexing.cpp); other layouts use the reference kernels.
void index_select(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);

// Pointwise, reduction and softmax kernels (pointwise.cpp, reduce.cpp, softmax.cpp) on the per-ISA
// span loops of span_kernels.h: f32 and f64 fast paths (f32 comparisons included), threaded, bitwise
// identical for any thread count. Other dtypes use the reference kernels; copy and fill take all.
void fill(const Tensor& out, double value);
void copy(const Tensor& dst, const Tensor& src);
void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);
void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
void where(const Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b);
// relu keeping a bit per element (f32, f64) for its backward instead of the output.
Tensor relu_forward(const Tensor& out, const Tensor& x);
void relu_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& saved);
void reduce(ReduceOp op, const Tensor& out, const Tensor& in);
void arg_reduce(ReduceOp op, const Tensor& out, const Tensor& in, int64_t dim);
void softmax(const Tensor& out, const Tensor& in, int64_t dim, bool log);
void softmax_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log);

// Implicit-GEMM convolution (f32, f64; other dtypes use the reference kernels). Bitwise identical
// for any thread count.
void conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Conv2dParams& p);
void conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_out, const Tensor& weight,
                           const Conv2dParams& p);
void conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_out, const Tensor& input,
                            const Conv2dParams& p);

// Pooling threaded over the N * C planes, with a fast path for 2x2 stride-2 windows. Max pooling
// keeps each maximum's window tap in bit planes (BitPlaneKernels) instead of int64 positions.
Tensor max_pool2d(const Tensor& out, const Tensor& input, const Pool2dParams& p);
void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& argmax, const Pool2dParams& p);
void avg_pool2d(const Tensor& out, const Tensor& input, const Pool2dParams& p);
void avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Pool2dParams& p);

// Fused normalisation, cross_entropy and optimizer kernels (fused_kernels.h): f32 and f64,
// vectorized, threaded by row / channel / element, bitwise identical for any thread count. Other
// dtypes, and cross_entropy with trailing positions, use the reference kernels.
void layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                const Tensor& bias, double eps);
void layer_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight);
void batch_norm(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& x,
                const Tensor& weight, const Tensor& bias, const Tensor& running_mean, const Tensor& running_var,
                bool training, double momentum, double eps);
void batch_norm_apply(const Tensor& out, const Tensor& x, const Tensor& save_mean, const Tensor& save_invstd,
                      const Tensor& weight, const Tensor& bias, bool accumulate, bool relu);
void batch_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                         const Tensor& grad_out, const Tensor& x, const Tensor& save_mean, const Tensor& save_invstd,
                         const Tensor& weight, bool training);
void cross_entropy(const Tensor& loss, const Tensor& lse, const Tensor& logits, const Tensor& target,
                   int64_t ignore_index, double label_smoothing);
void cross_entropy_backward(const Tensor& grad_logits, const Tensor& grad_loss, const Tensor& logits, const Tensor& lse,
                            const Tensor& target, int64_t ignore_index, double label_smoothing);
void sgd_update(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdUpdate& u);
void adam_update(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                 const Tensor& max_exp_avg_sq, const AdamUpdate& u);
void rmsprop_update(const Tensor& param, const Tensor& grad, const Tensor& square_avg, const Tensor& momentum_buffer,
                    const Tensor& grad_avg, const RmspropUpdate& u);
void adagrad_update(const Tensor& param, const Tensor& grad, const Tensor& sum, const AdagradUpdate& u);

}  // namespace tinytorch::kernels::optimized
