// Shared plumbing of the pointwise ops: dtype/device checks, broadcasting and promotion, and the
// calls into the active backend's unary/binary kernels.
#pragma once

#include <optional>

#include "kernels/kernel_table.h"
#include "tinytorch/tensor.h"

namespace tinytorch::detail {

void check_compute_dtype(const Tensor& t, const char* op);
void check_same_device(const Tensor& a, const Tensor& b, const char* op);

// Broadcasts a and b, converts both to their promoted dtype and runs `op` into a new tensor of
// dtype `out_dtype` (default: the promoted dtype), or into `buffer` where it has the result's
// shape and dtype and is contiguous. Records no autograd.
Tensor binary_kernel(kernels::BinaryOp op, const Tensor& a, const Tensor& b, const char* name, double alpha = 1.0,
                     std::optional<DType> out_dtype = std::nullopt, const Tensor& buffer = Tensor());
// Runs `op` on x (converted to f32 first if it is integral and the op needs floats).
Tensor unary_kernel(kernels::UnaryOp op, const Tensor& x, const char* name, bool floating_only, double p0 = 0,
                    double p1 = 0);

// For recompute closures (autograd::RecomputeFn) whose value cannot be fused with the sum: adds
// value into add_to, then applies relu to add_to if then_relu, as the forward did; returns add_to.
Tensor add_recomputed(const kernels::KernelTable& k, const Tensor& add_to, const Tensor& value, bool then_relu);

// The tensor that stands for a C++ scalar in `tensor op scalar` (dtype from promote_with_scalar).
Tensor wrap_scalar(const Scalar& value, const Tensor& like);

}  // namespace tinytorch::detail
