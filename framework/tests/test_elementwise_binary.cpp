// Binary pointwise ops against LibTorch: broadcasting, non-contiguous inputs, f32/f64, gradcheck,
// scalar operands, gradient ties of maximum/minimum and mixed-dtype type promotion.
#include <limits>

#include "support/op_harness.h"

namespace {
using namespace tt_test;

// Shapes each binary op is checked on: equal, broadcast both ways, transposed and strided operands.
std::vector<std::vector<Input>> binary_shapes(Domain a_domain, Domain b_domain) {
  return {
      {{{3, 4}, a_domain}, {{3, 4}, b_domain}},
      {{{2, 3, 4}, a_domain}, {{4}, b_domain}},
      {{{3, 1}, a_domain}, {{1, 5}, b_domain}},
      {{{4, 3}, a_domain, Layout::Transposed}, {{4, 3}, b_domain, Layout::Strided}},
      {{{}, a_domain}, {{2, 3}, b_domain, Layout::Transposed}},
  };
}

void check_binary(const std::string& name, Domain a_domain, Domain b_domain, std::function<tt::Tensor(const TL&)> tt_fn,
                  std::function<at::Tensor(const AL&)> torch_fn) {
  int variant = 0;
  for (const auto& inputs : binary_shapes(a_domain, b_domain)) {
    check_op(make_case(name + "#" + std::to_string(variant++), inputs, tt_fn, torch_fn));
  }
}

TEST(ElementwiseBinary, Add) {
  check_binary(
      "add", Domain::Normal, Domain::Normal, [](const TL& x) { return tt::add(x[0], x[1], 0.5); },
      [](const AL& x) { return torch::add(x[0], x[1], 0.5); });
}

TEST(ElementwiseBinary, Sub) {
  check_binary(
      "sub", Domain::Normal, Domain::Normal, [](const TL& x) { return x[0] - x[1]; },
      [](const AL& x) { return x[0] - x[1]; });
}

TEST(ElementwiseBinary, Mul) {
  check_binary(
      "mul", Domain::Normal, Domain::Normal, [](const TL& x) { return x[0] * x[1]; },
      [](const AL& x) { return x[0] * x[1]; });
}

TEST(ElementwiseBinary, Div) {
  check_binary(
      "div", Domain::Normal, Domain::NonZero, [](const TL& x) { return x[0] / x[1]; },
      [](const AL& x) { return x[0] / x[1]; });
}

TEST(ElementwiseBinary, PowTensorTensor) {
  check_binary(
      "pow", Domain::Positive, Domain::Normal, [](const TL& x) { return tt::pow(x[0], x[1]); },
      [](const AL& x) { return torch::pow(x[0], x[1]); });
}

TEST(ElementwiseBinary, Maximum) {
  check_binary(
      "maximum", Domain::Normal, Domain::Normal, [](const TL& x) { return tt::maximum(x[0], x[1]); },
      [](const AL& x) { return torch::maximum(x[0], x[1]); });
}

TEST(ElementwiseBinary, Minimum) {
  check_binary(
      "minimum", Domain::Normal, Domain::Normal, [](const TL& x) { return tt::minimum(x[0], x[1]); },
      [](const AL& x) { return torch::minimum(x[0], x[1]); });
}

// Where a == b, PyTorch gives each input half of the gradient; elsewhere it goes to the winner.
void check_ties(const std::string& name, const std::function<tt::Tensor(const tt::Tensor&, const tt::Tensor&)>& tt_fn,
                const std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>& torch_fn) {
  SCOPED_TRACE(name);
  tt::Generator gen(21);
  const tt::Tensor a_values = tt::randn({4, 5}, tt::kFloat64, &gen);
  const tt::Tensor tied = tt::lt(tt::rand({4, 5}, tt::kFloat64, &gen), 0.5);
  const tt::Tensor b_values = tt::where(tied, a_values, tt::randn({4, 5}, tt::kFloat64, &gen));
  const tt::Tensor upstream = tt::randn({4, 5}, tt::kFloat64, &gen);
  for (bool all_tied : {true, false}) {
    tt::Tensor a = a_values.clone().requires_grad_();
    tt::Tensor b = (all_tied ? a_values : b_values).clone().requires_grad_();
    at::Tensor ta = to_torch(a).requires_grad_();
    at::Tensor tb = to_torch(b).requires_grad_();
    tt_fn(a, b).backward(upstream);
    torch_fn(ta, tb).backward(to_torch(upstream));
    // Exact: the gradient is the upstream value, half of it, or zero.
    EXPECT_TRUE(all_close(a.grad(), ta.grad(), 0, 0, "gradient of a"));
    EXPECT_TRUE(all_close(b.grad(), tb.grad(), 0, 0, "gradient of b"));
  }
}

TEST(ElementwiseBinary, MaximumMinimumTiesSplitGradient) {
  check_ties(
      "maximum", [](const tt::Tensor& a, const tt::Tensor& b) { return tt::maximum(a, b); },
      [](const at::Tensor& a, const at::Tensor& b) { return torch::maximum(a, b); });
  check_ties(
      "minimum", [](const tt::Tensor& a, const tt::Tensor& b) { return tt::minimum(a, b); },
      [](const at::Tensor& a, const at::Tensor& b) { return torch::minimum(a, b); });
}

// NaN in either operand wins, as in torch (all_close treats NaN == NaN).
TEST(ElementwiseBinary, MaximumMinimumPropagateNan) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const tt::Tensor x = tt::tensor<double>({nan, -1.0, 2.0, nan});
  const tt::Tensor y = tt::tensor<double>({0.0, nan, 1.0, nan});
  const at::Tensor tx = to_torch(x), ty = to_torch(y);
  EXPECT_TRUE(all_close(tt::maximum(x, y), torch::maximum(tx, ty), 0, 0, "maximum"));
  EXPECT_TRUE(all_close(tt::minimum(x, y), torch::minimum(tx, ty), 0, 0, "minimum"));
}

void check_scalar_op(const std::string& name, Domain domain, std::function<tt::Tensor(const tt::Tensor&)> tt_fn,
                     std::function<at::Tensor(const at::Tensor&)> torch_fn) {
  int variant = 0;
  for (const Input& input : {Input{{3, 4}, domain}, Input{{4, 3}, domain, Layout::Transposed}}) {
    check_op(unary_case(name + "#" + std::to_string(variant++), input, tt_fn, torch_fn));
  }
}

TEST(ElementwiseBinary, ScalarOperands) {
  using T = tt::Tensor;
  using A = at::Tensor;
  check_scalar_op(
      "x+2", Domain::Normal, [](const T& x) { return x + 2; }, [](const A& x) { return x + 2; });
  check_scalar_op(
      "2+x", Domain::Normal, [](const T& x) { return 2 + x; }, [](const A& x) { return 2 + x; });
  check_scalar_op(
      "2-x", Domain::Normal, [](const T& x) { return 2 - x; }, [](const A& x) { return 2 - x; });
  check_scalar_op(
      "x-1.5", Domain::Normal, [](const T& x) { return x - 1.5; }, [](const A& x) { return x - 1.5; });
  check_scalar_op(
      "x*0.5", Domain::Normal, [](const T& x) { return x * 0.5; }, [](const A& x) { return x * 0.5; });
  check_scalar_op(
      "0.5*x", Domain::Normal, [](const T& x) { return 0.5 * x; }, [](const A& x) { return 0.5 * x; });
  check_scalar_op(
      "3/x", Domain::NonZero, [](const T& x) { return 3 / x; }, [](const A& x) { return 3 / x; });
  check_scalar_op(
      "x/4", Domain::Normal, [](const T& x) { return x / 4; }, [](const A& x) { return x / 4; });
}

// Result dtype and values of a op b for every arithmetic op, against torch::result_type and torch.
// Mixed f32/f64 math is done in the promoted dtype by both, so 1e-6 covers the f32 rounding.
void check_promotion(const tt::Tensor& a, const tt::Tensor& b) {
  const at::Tensor ta = to_torch(a), tb = to_torch(b);
  const std::string pair = std::string(tt::dtype_name(a.dtype())) + " op " + tt::dtype_name(b.dtype());
  SCOPED_TRACE(pair);
  const tt::DType expected = tt_test::from_torch_dtype(torch::result_type(ta, tb));
  EXPECT_STREQ(tt::dtype_name((a + b).dtype()), tt::dtype_name(expected));
  EXPECT_TRUE(all_close(a + b, ta + tb, 1e-6, 1e-6, "add"));
  EXPECT_TRUE(all_close(a * b, ta * tb, 1e-6, 1e-6, "mul"));
  // torch rejects `-` with any bool operand and division by a bool tensor would divide by zero.
  if (a.dtype() != tt::kBool && b.dtype() != tt::kBool) {
    EXPECT_TRUE(all_close(a - b, ta - tb, 1e-6, 1e-6, "sub"));
  }
  if (b.dtype() != tt::kBool) {
    EXPECT_TRUE(all_close(a / b, ta / tb, 1e-6, 1e-6, "div"));
  }
}

void check_scalar_promotion(const tt::Tensor& a, const tt::Scalar& s) {
  const at::Tensor ta = to_torch(a);
  const at::Scalar ts = s.is_integral() ? at::Scalar(static_cast<int64_t>(s.to_double())) : at::Scalar(s.to_double());
  SCOPED_TRACE(std::string(tt::dtype_name(a.dtype())) + " op " + (s.is_integral() ? "int" : "double") + " scalar");
  const tt::DType expected = tt_test::from_torch_dtype(torch::result_type(ta, ts));
  EXPECT_STREQ(tt::dtype_name((a * s).dtype()), tt::dtype_name(expected));
  EXPECT_TRUE(all_close(a * s, ta * ts, 1e-6, 1e-6, "tensor * scalar"));
  EXPECT_TRUE(all_close(a + s, ta + ts, 1e-6, 1e-6, "tensor + scalar"));
  EXPECT_TRUE(all_close(s * a, ts * ta, 1e-6, 1e-6, "scalar * tensor"));
}

TEST(ElementwiseBinary, TypePromotion) {
  tt::Generator gen(5);
  const tt::Tensor f32 = tt::randn({3, 4}, tt::kFloat32, &gen);
  const tt::Tensor f64 = tt::randn({3, 4}, tt::kFloat64, &gen);
  const tt::Tensor i64 = tt::randint(1, 7, {3, 4}, tt::kInt64, &gen);
  const tt::Tensor i64_row = tt::randint(-5, 5, {4}, tt::kInt64, &gen);
  const tt::Tensor mask = tt::lt(tt::rand({3, 4}, tt::kFloat64, &gen), 0.5);
  check_promotion(f32, f64);
  check_promotion(f64, f32);
  check_promotion(i64, f32);
  check_promotion(f32, i64);
  check_promotion(i64, f64);
  check_promotion(i64_row, i64);
  check_promotion(mask, i64);
  check_promotion(i64, mask);
  check_promotion(mask, f32);
  check_promotion(mask, mask);
}

TEST(ElementwiseBinary, ScalarTypePromotion) {
  tt::Generator gen(6);
  const tt::Tensor i64 = tt::randint(-5, 5, {3, 4}, tt::kInt64, &gen);
  const tt::Tensor f32 = tt::randn({3, 4}, tt::kFloat32, &gen);
  const tt::Tensor f64 = tt::randn({3, 4}, tt::kFloat64, &gen);
  const tt::Tensor mask = tt::lt(tt::rand({3, 4}, tt::kFloat64, &gen), 0.5);
  check_scalar_promotion(i64, 2.5);  // float32, the default dtype
  check_scalar_promotion(i64, 2);    // stays int64
  check_scalar_promotion(f32, 2.5);  // a scalar never widens f32 to f64
  check_scalar_promotion(f64, 2);
  check_scalar_promotion(mask, 3);
  check_scalar_promotion(mask, 1.5);
}

TEST(ElementwiseBinary, IntegerDivisionGivesFloat) {
  tt::Generator gen(8);
  const tt::Tensor a = tt::randint(-20, 20, {3, 4}, tt::kInt64, &gen);
  const tt::Tensor b = tt::randint(1, 6, {3, 4}, tt::kInt64, &gen);
  const at::Tensor ta = to_torch(a), tb = to_torch(b);
  // True division in float32, as torch.div; quotients of small ints round the same in both.
  EXPECT_TRUE(all_close(a / b, ta / tb, 1e-6, 1e-6, "int64 / int64"));
  EXPECT_TRUE(all_close(a / 2, ta / 2, 1e-6, 1e-6, "int64 / 2"));
  // (LibTorch's C++ `7 / tensor` computes in place in int64 and throws, so the scalar is wrapped explicitly.)
  EXPECT_TRUE(all_close(7 / b, torch::div(torch::scalar_tensor(7, at::kLong), tb), 1e-6, 1e-6, "7 / int64"));
  EXPECT_TRUE(all_close(tt::div(a, b.t().contiguous().t()), torch::div(ta, tb), 1e-6, 1e-6, "int64 / strided int64"));
}

TEST(ElementwiseBinary, MixedDtypeGradientsKeepLeafDtypes) {
  tt::Generator gen(9);
  tt::Tensor a = tt::randn({3, 4}, tt::kFloat32, &gen).requires_grad_();
  tt::Tensor b = tt::randn({4}, tt::kFloat64, &gen).requires_grad_();
  at::Tensor ta = to_torch(a).requires_grad_();
  at::Tensor tb = to_torch(b).requires_grad_();
  const tt::Tensor upstream = tt::randn({3, 4}, tt::kFloat64, &gen);
  (a * b + a / (b * b + 1)).backward(upstream);
  (ta * tb + ta / (tb * tb + 1)).backward(to_torch(upstream));
  // a's gradient is computed in f64 and rounded to f32 by both frameworks.
  EXPECT_TRUE(all_close(a.grad(), ta.grad(), 1e-6, 1e-6, "gradient of the f32 input"));
  EXPECT_TRUE(all_close(b.grad(), tb.grad(), 1e-10, 1e-10, "gradient of the f64 input"));
}
}  // namespace
