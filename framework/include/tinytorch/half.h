// Storage-only 16-bit float types. Arithmetic on them is done after conversion to float; the
// conversions round to nearest even, as PyTorch's do, so values round-trip identically.
#pragma once

#include <cstdint>
#include <cstring>

namespace tinytorch {

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float value) : bits(from_float(value)) {}  // NOLINT: implicit like a float
  operator float() const {                              // NOLINT
    uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float out;
    std::memcpy(&out, &wide, sizeof(out));
    return out;
  }
  static uint16_t from_float(float value) {
    uint32_t raw;
    std::memcpy(&raw, &value, sizeof(raw));
    if ((raw & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;  // NaN stays a quiet NaN
    uint32_t rounding_bias = 0x7fffu + ((raw >> 16) & 1u);
    return static_cast<uint16_t>((raw + rounding_bias) >> 16);
  }
};

struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float value) : bits(from_float(value)) {}  // NOLINT
  operator float() const { return to_float(bits); }  // NOLINT
  static uint16_t from_float(float value);
  static float to_float(uint16_t bits);
};

}  // namespace tinytorch
