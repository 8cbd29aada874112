// The reference backend: one plain, readable loop nest per kernel. It is the teaching
// implementation and the oracle that every faster backend is tested against.
#pragma once

#include "kernels/kernel_table.h"

namespace tinytorch::kernels::reference {

void fill(const Tensor& out, double value);
void copy(const Tensor& dst, const Tensor& src);
void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1);
void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
void where(const Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b);
void reduce(ReduceOp op, const Tensor& out, const Tensor& in);
void arg_reduce(ReduceOp op, const Tensor& out, const Tensor& in, int64_t dim);
void bmm(const Tensor& out, const Tensor& a, const Tensor& b);
void softmax(const Tensor& out, const Tensor& in, int64_t dim, bool log);
void softmax_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& out, int64_t dim, bool log);
void conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Conv2dParams& p);
void conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_out, const Tensor& weight,
                           const Conv2dParams& p);
void conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_out, const Tensor& input,
                            const Conv2dParams& p);
void max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& input, const Pool2dParams& p);
void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices);
void avg_pool2d(const Tensor& out, const Tensor& input, const Pool2dParams& p);
void avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Pool2dParams& p);
void index_select(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);
void gather(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
void scatter_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src);

}  // namespace tinytorch::kernels::reference
