// dtype properties, promotion and the f16 conversions.
#include "tinytorch/dtype.h"

#include <cmath>

#include "tinytorch/device.h"
#include "tinytorch/error.h"

namespace tinytorch {

size_t element_size(DType dtype) {
  switch (dtype) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::BFloat16: return 2;
    case DType::Float16: return 2;
    case DType::Bool: return 1;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::BFloat16: return "bfloat16";
    case DType::Float16: return "float16";
    case DType::Bool: return "bool";
  }
  return "?";
}

const char* device_name(Device device) { return device == Device::CPU ? "cpu" : "cuda"; }

bool is_floating(DType dtype) {
  return dtype == DType::Float32 || dtype == DType::Float64 || dtype == DType::BFloat16 || dtype == DType::Float16;
}

bool is_compute_type(DType dtype) { return dtype != DType::BFloat16 && dtype != DType::Float16; }

namespace {
int category(DType dtype) { return dtype == DType::Bool ? 0 : dtype == DType::Int64 ? 1 : 2; }
}  // namespace

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  if (category(a) != category(b)) return category(a) > category(b) ? a : b;
  // Both floating and different: f64 wins; any mix of the 16-bit types (or with f32) gives f32.
  if (a == DType::Float64 || b == DType::Float64) return DType::Float64;
  return DType::Float32;
}

DType promote_with_scalar(DType tensor_dtype, const Scalar& scalar) {
  if (tensor_dtype == DType::Bool) return scalar.is_integral() ? DType::Int64 : DType::Float32;
  if (tensor_dtype == DType::Int64 && !scalar.is_integral()) return DType::Float32;
  return tensor_dtype;
}

uint16_t Half::from_float(float value) {
  uint32_t x;
  std::memcpy(&x, &value, sizeof(x));
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);  // NaN
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: inf
  if (abs < 0x38800000u) {
    // Subnormal half (or zero): scale so the float's mantissa lands on the half's 2^-24 grid.
    float magnitude;
    std::memcpy(&magnitude, &abs, sizeof(magnitude));
    const float scaled = magnitude * 16777216.0f;  // 2^24; exact, then round half to even
    return static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(scaled)));
  }
  // Normal: rebias exponent (127 -> 15) and round the 23-bit mantissa to 10 bits, ties to even.
  uint32_t mantissa_odd = (abs >> 13) & 1u;
  uint32_t rounded = abs + 0xfffu + mantissa_odd;
  return static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13));
}

float Half::to_float(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu;
  const uint32_t mantissa = bits & 0x3ffu;
  uint32_t out;
  if (exponent == 0) {
    float magnitude = static_cast<float>(mantissa) / 16777216.0f;  // subnormal: m * 2^-24
    std::memcpy(&out, &magnitude, sizeof(out));
    out |= sign;
  } else if (exponent == 31) {
    out = sign | 0x7f800000u | (mantissa << 13) | (mantissa != 0 ? 0x400000u : 0u);  // NaNs come out quiet
  } else {
    out = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float result;
  std::memcpy(&result, &out, sizeof(result));
  return result;
}

}  // namespace tinytorch
