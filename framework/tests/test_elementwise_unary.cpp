// Unary pointwise ops and activations against LibTorch: forward, gradients and gradcheck on contiguous,
// transposed and strided inputs in f32 and f64, plus the dtype rules for integer inputs.
#include <limits>

#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

// Pointwise math is one libm call per element in both frameworks, so f32 agrees to a few ulps
// (rtol/atol 1e-5) and f64 to 1e-10; ops whose formulas differ in rounding order state their own.
constexpr Tolerance kF32{1e-5, 1e-5};
constexpr Tolerance kF64{1e-10, 1e-10};

// Every unary op is checked on these: contiguous, transposed, strided, a 3-D transposed view and a 0-d tensor.
std::vector<Input> unary_inputs(Domain domain) {
  return {
      {{3, 4}, domain},
      {{4, 3}, domain, Layout::Transposed},
      {{3, 4}, domain, Layout::Strided},
      {{2, 3, 5}, domain, Layout::Transposed},
      {{}, domain},
  };
}

void check_unary(const std::string& name, Domain domain, std::function<tt::Tensor(const tt::Tensor&)> tt_fn,
                 std::function<at::Tensor(const at::Tensor&)> torch_fn, Tolerance f32 = kF32, Tolerance f64 = kF64) {
  int variant = 0;
  for (const Input& input : unary_inputs(domain)) {
    OpCase c = unary_case(name + "#" + std::to_string(variant++), input, tt_fn, torch_fn);
    c.f32 = f32;
    c.f64 = f64;
    check_op(c);
  }
}

TEST(ElementwiseUnary, Neg) {
  check_unary(
      "neg", Domain::Normal, [](const tt::Tensor& x) { return -x; }, [](const at::Tensor& x) { return -x; });
}

TEST(ElementwiseUnary, Exp) {
  check_unary(
      "exp", Domain::Normal, [](const tt::Tensor& x) { return tt::exp(x); },
      [](const at::Tensor& x) { return torch::exp(x); });
}

TEST(ElementwiseUnary, Log) {
  check_unary(
      "log", Domain::Positive, [](const tt::Tensor& x) { return tt::log(x); },
      [](const at::Tensor& x) { return torch::log(x); });
}

TEST(ElementwiseUnary, Sqrt) {
  check_unary(
      "sqrt", Domain::Positive, [](const tt::Tensor& x) { return tt::sqrt(x); },
      [](const at::Tensor& x) { return torch::sqrt(x); });
}

TEST(ElementwiseUnary, Rsqrt) {
  check_unary(
      "rsqrt", Domain::Positive, [](const tt::Tensor& x) { return tt::rsqrt(x); },
      [](const at::Tensor& x) { return torch::rsqrt(x); });
}

TEST(ElementwiseUnary, Abs) {
  check_unary(
      "abs", Domain::NonZero, [](const tt::Tensor& x) { return tt::abs(x); },
      [](const at::Tensor& x) { return torch::abs(x); });
}

TEST(ElementwiseUnary, ClampMinOnly) {
  check_unary(
      "clamp_min", Domain::Normal, [](const tt::Tensor& x) { return tt::clamp(x, -0.3); },
      [](const at::Tensor& x) { return torch::clamp(x, -0.3); });
}

TEST(ElementwiseUnary, ClampMaxOnly) {
  check_unary(
      "clamp_max", Domain::Normal, [](const tt::Tensor& x) { return tt::clamp(x, std::nullopt, 0.4); },
      [](const at::Tensor& x) { return torch::clamp(x, c10::nullopt, 0.4); });
}

TEST(ElementwiseUnary, ClampBoth) {
  check_unary(
      "clamp", Domain::Normal, [](const tt::Tensor& x) { return tt::clamp(x, -0.7, 0.2); },
      [](const at::Tensor& x) { return torch::clamp(x, -0.7, 0.2); });
}

TEST(ElementwiseUnary, ClampIntegerKeepsInt64) {
  tt::Generator gen(7);
  const tt::Tensor x = tt::randint(-10, 10, {4, 5}, tt::kInt64, &gen);
  const at::Tensor tx = to_torch(x);
  // Exact: integer results, no rounding (rtol = atol = 0).
  EXPECT_TRUE(all_close(tt::clamp(x, -3, 4), torch::clamp(tx, -3, 4), 0, 0, "clamp(int, int, int)"));
  EXPECT_TRUE(all_close(tt::clamp(x, 2), torch::clamp(tx, 2), 0, 0, "clamp(int, min)"));
  EXPECT_TRUE(all_close(tt::clamp(x.t(), std::nullopt, -1), torch::clamp(tx.t(), c10::nullopt, -1), 0, 0,
                        "clamp(int transposed, max)"));
  EXPECT_EQ(tt::clamp(x, -3, 4).dtype(), tt::kInt64);
  // A floating bound promotes an integer tensor to float32, as torch's type promotion with a scalar.
  EXPECT_TRUE(all_close(tt::clamp(x, -2.5, 3.5), torch::clamp(tx, -2.5, 3.5), 0, 0, "clamp(int, double, double)"));
}

// min > max: every element becomes max (torch applies min first, then max) and no gradient passes.
TEST(ElementwiseUnary, ClampMinAboveMax) {
  check_op(make_case(
      "clamp(min > max)", {{{3, 4}}}, [](const TL& x) { return tt::clamp(x[0], 0.5, -0.5); },
      [](const AL& x) { return torch::clamp(x[0], 0.5, -0.5); }));
}

// NaN passes through as in torch (all_close treats NaN == NaN).
TEST(ElementwiseUnary, NanPropagates) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const tt::Tensor x = tt::tensor<double>({nan, -1.0, 2.0, nan});
  const at::Tensor tx = to_torch(x);
  EXPECT_TRUE(all_close(tt::clamp(x, -0.5, 0.5), torch::clamp(tx, -0.5, 0.5), 0, 0, "clamp"));
  EXPECT_TRUE(all_close(tt::relu(x), torch::relu(tx), 0, 0, "relu"));
  EXPECT_TRUE(all_close(tt::sigmoid(x), torch::sigmoid(tx), 0, 0, "sigmoid"));
  EXPECT_TRUE(all_close(tt::abs(x), torch::abs(tx), 0, 0, "abs"));
}

TEST(ElementwiseUnary, Relu) {
  check_unary(
      "relu", Domain::NonZero, [](const tt::Tensor& x) { return tt::relu(x); },
      [](const at::Tensor& x) { return torch::relu(x); });
}

TEST(ElementwiseUnary, LeakyRelu) {
  check_unary(
      "leaky_relu", Domain::NonZero, [](const tt::Tensor& x) { return tt::leaky_relu(x, 0.2); },
      [](const at::Tensor& x) { return torch::leaky_relu(x, 0.2); });
  check_unary(
      "leaky_relu_default", Domain::NonZero, [](const tt::Tensor& x) { return tt::leaky_relu(x); },
      [](const at::Tensor& x) { return torch::leaky_relu(x); });
}

TEST(ElementwiseUnary, Sigmoid) {
  check_unary(
      "sigmoid", Domain::Normal, [](const tt::Tensor& x) { return tt::sigmoid(x); },
      [](const at::Tensor& x) { return torch::sigmoid(x); });
}

TEST(ElementwiseUnary, Tanh) {
  check_unary(
      "tanh", Domain::Normal, [](const tt::Tensor& x) { return tt::tanh(x); },
      [](const at::Tensor& x) { return torch::tanh(x); });
}

TEST(ElementwiseUnary, GeluExact) {
  check_unary(
      "gelu_none", Domain::Normal, [](const tt::Tensor& x) { return tt::gelu(x); },
      [](const at::Tensor& x) { return torch::gelu(x, "none"); });
}

TEST(ElementwiseUnary, GeluTanh) {
  check_unary(
      "gelu_tanh", Domain::Normal, [](const tt::Tensor& x) { return tt::gelu(x, "tanh"); },
      [](const at::Tensor& x) { return torch::gelu(x, "tanh"); });
}

TEST(ElementwiseUnary, Silu) {
  check_unary(
      "silu", Domain::Normal, [](const tt::Tensor& x) { return tt::silu(x); },
      [](const at::Tensor& x) { return torch::silu(x); });
}

TEST(ElementwiseUnary, PowScalarSquare) {
  check_unary(
      "pow2", Domain::Normal, [](const tt::Tensor& x) { return tt::pow(x, 2); },
      [](const at::Tensor& x) { return torch::pow(x, 2); });
}

TEST(ElementwiseUnary, PowScalarSqrt) {
  check_unary(
      "pow0.5", Domain::Positive, [](const tt::Tensor& x) { return tt::pow(x, 0.5); },
      [](const at::Tensor& x) { return torch::pow(x, 0.5); });
}

TEST(ElementwiseUnary, PowScalarNegativeFractional) {
  check_unary(
      "pow-1.5", Domain::Positive, [](const tt::Tensor& x) { return tt::pow(x, -1.5); },
      [](const at::Tensor& x) { return torch::pow(x, -1.5); });
}

TEST(ElementwiseUnary, PowScalarZero) {
  check_unary(
      "pow0", Domain::Normal, [](const tt::Tensor& x) { return tt::pow(x, 0); },
      [](const at::Tensor& x) { return torch::pow(x, 0); });
}

TEST(ElementwiseUnary, PowScalarIntegerTensor) {
  tt::Generator gen(3);
  const tt::Tensor x = tt::randint(1, 6, {3, 4}, tt::kInt64, &gen);
  const at::Tensor tx = to_torch(x);
  // Integer exponent keeps int64 (exact); a fractional one promotes to float32 like torch.
  EXPECT_TRUE(all_close(tt::pow(x, 3), torch::pow(tx, 3), 0, 0, "pow(int, 3)"));
  EXPECT_TRUE(all_close(tt::pow(x, 0.5), torch::pow(tx, 0.5), 1e-6, 1e-6, "pow(int, 0.5)"));
}

TEST(ElementwiseUnary, IntegerInputsPromoteToFloat32) {
  tt::Generator gen(11);
  const tt::Tensor x = tt::randint(-3, 4, {2, 5}, tt::kInt64, &gen);
  const at::Tensor tx = to_torch(x);
  // all_close also compares dtypes: torch promotes integral inputs of floating ops to float32.
  EXPECT_TRUE(all_close(tt::exp(x), torch::exp(tx), 1e-6, 1e-6, "exp(int64)"));
  EXPECT_TRUE(all_close(tt::sigmoid(x), torch::sigmoid(tx), 1e-6, 1e-6, "sigmoid(int64)"));
  EXPECT_TRUE(all_close(tt::tanh(x), torch::tanh(tx), 1e-6, 1e-6, "tanh(int64)"));
  EXPECT_TRUE(all_close(tt::sqrt(tt::abs(x)), torch::sqrt(torch::abs(tx)), 1e-6, 1e-6, "sqrt(int64)"));
  // Ops that are closed over the integers keep int64.
  EXPECT_TRUE(all_close(-x, -tx, 0, 0, "neg(int64)"));
  EXPECT_TRUE(all_close(tt::abs(x), torch::abs(tx), 0, 0, "abs(int64)"));
  EXPECT_TRUE(all_close(tt::relu(x), torch::relu(tx), 0, 0, "relu(int64)"));
}

TEST(ElementwiseUnary, GeluRejectsUnknownApproximation) {
  const tt::Tensor x = tt::zeros({2});
  EXPECT_TRUE(throws_with([&] { tt::gelu(x, "fast"); }, {"gelu", "fast", "tanh"}));
}
}  // namespace
