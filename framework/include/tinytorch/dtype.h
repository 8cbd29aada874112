// Element types. f32/f64/i64 are compute types; bf16/f16 are storage types that ops reject with a
// hint to convert; bool is produced by comparisons and consumed by where/masked_fill.
//
// Type promotion (same rules as PyTorch, tested in test_type_promotion.cpp):
//   * categories rank bool < integer < floating; the higher category wins;
//   * within a category the wider type wins (f32 + f64 -> f64; bf16 + f16 -> f32);
//   * a 0-dim tensor never widens a dimensioned tensor of its own category (f32[3] + f64[] -> f32);
//     of a higher category it decides the dtype (i64[3] + f64[] -> f64), see result_type();
//   * a C++ scalar never widens a tensor of its own category (f32 tensor * 2.0 -> f32), but an
//     integral tensor combined with a floating scalar becomes the default dtype, f32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tinytorch/half.h"

namespace tinytorch {

enum class DType : uint8_t { Float32, Float64, Int64, BFloat16, Float16, Bool };

constexpr DType kFloat32 = DType::Float32;
constexpr DType kFloat = DType::Float32;
constexpr DType kFloat64 = DType::Float64;
constexpr DType kDouble = DType::Float64;
constexpr DType kInt64 = DType::Int64;
constexpr DType kLong = DType::Int64;
constexpr DType kBFloat16 = DType::BFloat16;
constexpr DType kFloat16 = DType::Float16;
constexpr DType kHalf = DType::Float16;
constexpr DType kBool = DType::Bool;

size_t element_size(DType dtype);
const char* dtype_name(DType dtype);  // "float32", as torch prints it
bool is_floating(DType dtype);         // includes the 16-bit storage types
bool is_compute_type(DType dtype);     // f32, f64, i64, bool
DType promote_types(DType a, DType b);

template <class T>
struct dtype_of;
template <>
struct dtype_of<float> { static constexpr DType value = kFloat32; };
template <>
struct dtype_of<double> { static constexpr DType value = kFloat64; };
template <>
struct dtype_of<int64_t> { static constexpr DType value = kInt64; };
template <>
struct dtype_of<BFloat16> { static constexpr DType value = kBFloat16; };
template <>
struct dtype_of<Half> { static constexpr DType value = kFloat16; };
template <>
struct dtype_of<bool> { static constexpr DType value = kBool; };

// A C++ number passed to an op. Remembers whether it was integral so promotion can follow the
// rules above (int tensor * 2 stays int64, int tensor * 2.5 becomes float32).
class Scalar {
 public:
  template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  Scalar(T value) : value_(static_cast<double>(value)), integral_(true) {}  // NOLINT
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T value) : value_(static_cast<double>(value)), integral_(false) {}  // NOLINT
  double to_double() const { return value_; }
  bool is_integral() const { return integral_; }

 private:
  double value_;
  bool integral_;
};

// dtype of `tensor_dtype op scalar`.
DType promote_with_scalar(DType tensor_dtype, const Scalar& scalar);

}  // namespace tinytorch
