// Calls a generic lambda with a value of the C++ type behind a dtype, so one kernel template
// serves every dtype: dispatch_compute(dt, "op", [&](auto tag) { using T = decltype(tag); ... }).
#pragma once

#include "tinytorch/dtype.h"
#include "tinytorch/error.h"

namespace tinytorch::kernels {

template <class F>
void dispatch_floating(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::Float32: f(float{}); return;
    case DType::Float64: f(double{}); return;
    default:
      throw Error(fmt::format("{}: not implemented for dtype {}; convert with .to(tt::kFloat32)", op,
                              dtype_name(dtype)));
  }
}

// f32, f64 and i64.
template <class F>
void dispatch_numeric(DType dtype, const char* op, F&& f) {
  if (dtype == DType::Int64) return f(int64_t{});
  dispatch_floating(dtype, op, std::forward<F>(f));
}

// Every dtype, including bool and the 16-bit storage types (for copies and fills).
template <class F>
void dispatch_all(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::Bool: f(bool{}); return;
    case DType::BFloat16: f(BFloat16{}); return;
    case DType::Float16: f(Half{}); return;
    default: dispatch_numeric(dtype, op, std::forward<F>(f));
  }
}

// Accumulator type for sums: double for floating inputs keeps reference sums accurate.
template <class T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, T>;

}  // namespace tinytorch::kernels
