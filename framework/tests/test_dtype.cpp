// dtype rules against LibTorch: promote_types for every pair, the result dtype of tensor-scalar
// ops, and bit-exact bf16/f16 rounding (ties, subnormals, overflow, NaN) in both directions.
#include <cmath>
#include <cstring>
#include <random>

#include "support/op_harness.h"

namespace {
using tt_test::to_torch_dtype;

const std::vector<tt::DType> kAllDTypes = {tt::kFloat32,  tt::kFloat64, tt::kInt64,
                                           tt::kBFloat16, tt::kFloat16, tt::kBool};
const std::vector<tt::DType> kComputeDTypes = {tt::kFloat32, tt::kFloat64, tt::kInt64, tt::kBool};

TEST(DType, PromoteTypesMatchesTorchForEveryPair) {
  for (tt::DType a : kAllDTypes)
    for (tt::DType b : kAllDTypes) {
      const at::ScalarType expected = torch::promote_types(to_torch_dtype(a), to_torch_dtype(b));
      EXPECT_EQ(to_torch_dtype(tt::promote_types(a, b)), expected)
          << tt::dtype_name(a) << " with " << tt::dtype_name(b) << ": got " << tt::dtype_name(tt::promote_types(a, b))
          << ", LibTorch gives " << c10::toString(expected);
    }
}

TEST(DType, ScalarPromotionMatchesTorchResultType) {
  const std::vector<std::pair<tt::Scalar, at::Scalar>> scalars = {{2, 2}, {int64_t{-3}, int64_t{-3}}, {2.5, 2.5}};
  for (tt::DType dtype : kAllDTypes)
    for (const auto& [tt_scalar, at_scalar] : scalars) {
      const at::Tensor t = torch::ones({2}, to_torch_dtype(dtype));
      EXPECT_EQ(to_torch_dtype(tt::promote_with_scalar(dtype, tt_scalar)), at::result_type(t, at_scalar))
          << tt::dtype_name(dtype) << " tensor with scalar " << at_scalar;
    }
}

// A scalar as Python passes it to an op: a "wrapped number" that takes part in type promotion
// like a C++ scalar (ATen's own `scalar / tensor` operator keeps the tensor's dtype instead).
at::Tensor wrapped(const at::Scalar& s) {
  at::Tensor t = c10::scalar_to_tensor(s);
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

// The result dtype and values of `tensor op scalar` and `scalar op tensor` for every compute dtype.
TEST(DType, TensorScalarOpsMatchTorch) {
  using TtOp = std::function<tt::Tensor(const tt::Tensor&, const tt::Scalar&)>;
  using AtOp = std::function<at::Tensor(const at::Tensor&, const at::Scalar&)>;
  const std::vector<std::tuple<std::string, TtOp, AtOp>> ops = {
      {"t + s", [](auto& t, auto& s) { return t + s; }, [](auto& t, auto& s) { return t + s; }},
      {"t - s", [](auto& t, auto& s) { return t - s; }, [](auto& t, auto& s) { return t - s; }},
      {"t * s", [](auto& t, auto& s) { return t * s; }, [](auto& t, auto& s) { return t * s; }},
      {"t / s", [](auto& t, auto& s) { return t / s; }, [](auto& t, auto& s) { return t / s; }},
      {"s * t", [](auto& t, auto& s) { return s * t; }, [](auto& t, auto& s) { return s * t; }},
      {"s - t", [](auto& t, auto& s) { return s - t; }, [](auto& t, auto& s) { return at::rsub(t, s); }},
      {"s / t", [](auto& t, auto& s) { return s / t; }, [](auto& t, auto& s) { return at::div(wrapped(s), t); }},
  };
  const std::vector<std::pair<tt::Scalar, at::Scalar>> scalars = {{3, 3}, {2.5, 2.5}};
  for (tt::DType dtype : kComputeDTypes) {
    const tt::Tensor t = tt::tensor({1, 2, 5, 1, 7}).to(dtype);
    const at::Tensor a = tt_test::to_torch(t);
    for (const auto& [name, tt_op, at_op] : ops)
      for (const auto& [tt_scalar, at_scalar] : scalars) {
        SCOPED_TRACE(name + " with " + tt::dtype_name(dtype) + " tensor and scalar " + c10::toString(at_scalar.type()));
        at::Tensor expected;
        try {
          expected = at_op(a, at_scalar);
        } catch (const c10::Error&) {
          EXPECT_THROW(tt_op(t, tt_scalar), tt::Error);
          continue;
        }
        EXPECT_TRUE(tt_test::all_close(tt_op(t, tt_scalar), expected, 1e-6, 1e-6));
      }
  }
}

TEST(DType, ElementSizeAndNames) {
  for (tt::DType dtype : kAllDTypes) {
    EXPECT_EQ(tt::element_size(dtype), c10::elementSize(to_torch_dtype(dtype))) << tt::dtype_name(dtype);
    EXPECT_EQ(tt::is_floating(dtype), at::isFloatingType(to_torch_dtype(dtype))) << tt::dtype_name(dtype);
    EXPECT_EQ(tt::zeros({3}, dtype).element_size(), tt::element_size(dtype));
  }
  // The names Python's torch.<dtype> uses.
  EXPECT_STREQ(tt::dtype_name(tt::kFloat32), "float32");
  EXPECT_STREQ(tt::dtype_name(tt::kFloat64), "float64");
  EXPECT_STREQ(tt::dtype_name(tt::kInt64), "int64");
  EXPECT_STREQ(tt::dtype_name(tt::kBFloat16), "bfloat16");
  EXPECT_STREQ(tt::dtype_name(tt::kFloat16), "float16");
  EXPECT_STREQ(tt::dtype_name(tt::kBool), "bool");
  EXPECT_TRUE(tt::is_compute_type(tt::kBool));
  EXPECT_FALSE(tt::is_compute_type(tt::kBFloat16));
  EXPECT_FALSE(tt::is_compute_type(tt::kFloat16));
}

float from_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// 100k floats that stress 16-bit rounding: random bit patterns (every exponent, NaN payloads,
// subnormals, infinities), exact halfway cases for both formats, the f16 overflow boundary,
// values around the f16 subnormal range, and ordinary normally distributed values.
std::vector<float> conversion_inputs() {
  std::mt19937 rng(2024);
  std::uniform_int_distribution<uint32_t> bits;
  std::normal_distribution<float> normal;
  std::vector<float> v = {0.0f,
                          -0.0f,
                          INFINITY,
                          -INFINITY,
                          NAN,
                          -NAN,
                          from_bits(0x7f800001u),
                          from_bits(0xffc00001u),
                          65504.0f,
                          65519.99f,
                          65520.0f,
                          -65520.0f,
                          65536.0f,
                          3.4e38f,
                          -3.4e38f,
                          from_bits(0x7f7fffffu),
                          from_bits(0x00000001u),
                          from_bits(0x807fffffu),
                          from_bits(0x38800000u),
                          from_bits(0x387fffffu),
                          from_bits(0x33000000u),
                          from_bits(0x33000001u),
                          from_bits(0x32ffffffu),
                          from_bits(0x337fffffu)};
  for (int i = 0; i < 30000; ++i) v.push_back(from_bits(bits(rng)));
  for (int i = 0; i < 10000; ++i) {
    const uint32_t r = bits(rng);
    v.push_back(from_bits((r & 0xffff0000u) | 0x8000u));  // bf16 tie
    v.push_back(from_bits((r & 0xffffe000u) | 0x1000u));  // f16 tie (normal range)
    const uint32_t exponent = 100 + (r >> 8) % 46;        // around the f16 range, subnormals included
    v.push_back(from_bits((r & 0x80000000u) | (exponent << 23) | (bits(rng) & 0x7fe000u) | 0x1000u));
  }
  for (int i = 0; i < 10000; ++i) {
    // Halfway between f16 subnormals: (k + 0.5) * 2^-24, and just either side of it.
    const float k = static_cast<float>(bits(rng) % 2048);
    const float tie = (k + 0.5f) * 5.9604644775390625e-8f;
    v.push_back(i % 3 == 0 ? tie : std::nextafter(tie, i % 3 == 1 ? 0.0f : 1.0f));
  }
  for (int i = 0; i < 10000; ++i) v.push_back(65504.0f + static_cast<float>(bits(rng) % 64) * (i % 2 ? 1 : -1));
  while (v.size() < 100000) v.push_back(normal(rng) * std::ldexp(1.0f, static_cast<int>(bits(rng) % 80) - 40));
  return v;
}

std::vector<uint16_t> raw16(const void* data, size_t n) {
  std::vector<uint16_t> out(n);
  std::memcpy(out.data(), data, n * sizeof(uint16_t));
  return out;
}

std::vector<uint32_t> raw32(const float* data, size_t n) {
  std::vector<uint32_t> out(n);
  std::memcpy(out.data(), data, n * sizeof(uint32_t));
  return out;
}

// Reports the first few differing elements so a failure shows the inputs that round wrongly.
template <class T>
::testing::AssertionResult same_bits(const std::vector<T>& actual, const std::vector<T>& expected,
                                     const std::vector<float>& inputs) {
  int shown = 0;
  size_t mismatches = 0;
  auto failure = ::testing::AssertionFailure();
  for (size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] == expected[i]) continue;
    ++mismatches;
    if (shown++ < 5) {
      uint32_t in;
      std::memcpy(&in, &inputs[i], sizeof(in));
      failure << fmt::format("\n  input {:#010x} ({}): {:#x} vs LibTorch {:#x}", in, inputs[i], actual[i], expected[i]);
    }
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return failure << "\n  " << mismatches << " of " << actual.size() << " differ";
}

uint16_t c10_scalar_bits(float value, tt::DType dtype) {
  return dtype == tt::kBFloat16 ? c10::BFloat16(value).x : c10::Half(value).x;
}

void check_16bit(tt::DType dtype) {
  const std::vector<float> inputs = conversion_inputs();
  const auto n = static_cast<int64_t>(inputs.size());
  const tt::Tensor source = tt::from_buffer(inputs.data(), {n}, tt::kFloat32);
  const at::Tensor torch_source = torch::from_blob(const_cast<float*>(inputs.data()), {n}, torch::kFloat);

  const tt::Tensor narrow = source.to(dtype);
  const at::Tensor torch_narrow = torch_source.to(to_torch_dtype(dtype)).contiguous();
  EXPECT_EQ(narrow.dtype(), dtype);
  std::vector<uint16_t> expected = raw16(torch_narrow.data_ptr(), inputs.size());
  // LibTorch's vectorized bf16 kernel writes NaN as 0xffff while its scalar conversion (c10::BFloat16)
  // writes the canonical quiet NaN 0x7fc0; TinyTorch follows the scalar one.
  for (size_t i = 0; i < inputs.size(); ++i)
    if (std::isnan(inputs[i])) {
      EXPECT_TRUE(std::isnan(torch_narrow[static_cast<int64_t>(i)].item<float>()));
      expected[i] = c10_scalar_bits(inputs[i], dtype);
    }
  EXPECT_TRUE(same_bits(raw16(narrow.raw_data(), inputs.size()), expected, inputs)) << "tensor .to()";

  // The scalar conversions the kernels build on, against LibTorch's scalar types.
  std::vector<uint16_t> scalar(inputs.size()), c10_scalar(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    scalar[i] = dtype == tt::kBFloat16 ? tt::BFloat16(inputs[i]).bits : tt::Half(inputs[i]).bits;
    c10_scalar[i] = c10_scalar_bits(inputs[i], dtype);
  }
  EXPECT_TRUE(same_bits(scalar, c10_scalar, inputs)) << "scalar conversion";

  // And back: the round trip float -> 16 bit -> float gives LibTorch's values (any NaN stays NaN).
  const std::vector<float> wide = narrow.to(tt::kFloat32).to_vector<float>();
  const at::Tensor torch_wide = torch_narrow.to(torch::kFloat).contiguous();
  std::vector<uint32_t> round_trip = raw32(wide.data(), inputs.size());
  std::vector<uint32_t> torch_round_trip = raw32(torch_wide.data_ptr<float>(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    if (std::isnan(inputs[i]) && std::isnan(wide[i])) round_trip[i] = torch_round_trip[i];
  EXPECT_TRUE(same_bits(round_trip, torch_round_trip, inputs)) << "round trip to float32";
}

TEST(DType, BFloat16RoundingIsBitExact) { check_16bit(tt::kBFloat16); }
TEST(DType, Float16RoundingIsBitExact) { check_16bit(tt::kFloat16); }

TEST(DType, Every16BitPatternWidensLikeTorch) {
  for (tt::DType dtype : {tt::kBFloat16, tt::kFloat16}) {
    std::vector<uint16_t> all(65536);
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
    const tt::Tensor t = tt::from_buffer(all.data(), {65536}, dtype).to(tt::kFloat32);
    const at::Tensor a = torch::from_blob(all.data(), {65536}, to_torch_dtype(dtype)).to(torch::kFloat).contiguous();
    const std::vector<float> dummy(all.size(), 0.0f);
    EXPECT_TRUE(same_bits(raw32(t.data_ptr<float>(), all.size()), raw32(a.data_ptr<float>(), all.size()), dummy))
        << tt::dtype_name(dtype);
  }
}

TEST(DType, SixteenBitConversionToOtherDTypes) {
  const tt::Tensor x = tt::tensor({-2.75, 0.5, 1000.25, 3.0});
  const at::Tensor a = tt_test::to_torch(x);
  for (tt::DType narrow : {tt::kBFloat16, tt::kFloat16})
    for (tt::DType wide : {tt::kFloat64, tt::kInt64, tt::kBool})
      EXPECT_TRUE(
          tt_test::all_close(x.to(narrow).to(wide), a.to(to_torch_dtype(narrow)).to(to_torch_dtype(wide)), 0, 0))
          << tt::dtype_name(narrow) << " -> " << tt::dtype_name(wide);
}

}  // namespace
