// Self-test of the op test harness: check_op and gradcheck must fail on a wrong forward, a wrong
// gradient and a wrong analytic derivative (otherwise every op test that uses them proves nothing),
// and stay silent on a correct op; throws_with must fail on a missing message part or no throw.
#include <gtest/gtest-spi.h>

#include "autograd/function.h"
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

// x * 2 with a hand-written backward that returns `factor` * g; factor 2 is the correct one.
tt::Tensor doubled(const tt::Tensor& x, double factor) {
  tt::Tensor out;
  {
    tt::NoGradGuard no_grad;
    out = x * 2;
  }
  tt::autograd::record("DoubledBackward", out, {x},
                       [factor](const tt::Tensor& g, const tt::autograd::Needs&) { return TL{g * factor}; });
  return out;
}

// Runs the case and returns the messages of every non-fatal failure it reported.
std::vector<std::string> failures_of(const OpCase& c) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    check_op(c);
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) messages.push_back(results.GetTestPartResult(i).message());
  return messages;
}

OpCase mul_case() {
  OpCase c;
  c.name = "mul";
  c.inputs = {{{3, 4}}, {{3, 4}, tt_test::Domain::Normal, tt_test::Layout::Transposed}};
  c.tinytorch = [](const TL& x) { return x[0] * x[1]; };
  c.libtorch = [](const AL& x) { return x[0] * x[1]; };
  return c;
}

TEST(Harness, CorrectOpPasses) {
  EXPECT_TRUE(failures_of(mul_case()).empty());
  OpCase c;
  c.name = "doubled";
  c.inputs = {{{5}}};
  c.tinytorch = [](const TL& x) { return doubled(x[0], 2); };
  c.libtorch = [](const AL& x) { return x[0] * 2; };
  EXPECT_TRUE(failures_of(c).empty());
}

TEST(Harness, WrongForwardIsReported) {
  OpCase c = mul_case();
  c.libtorch = [](const AL& x) { return x[0] + x[1]; };
  c.dtypes = {tt::kFloat64};
  c.differentiable = false;
  c.gradcheck = false;
  EXPECT_NONFATAL_FAILURE(check_op(c), "forward");

  // With every check on, both dtypes fail forward and both gradients, while the gradcheck of the
  // (self-consistent) TinyTorch op passes.
  c = mul_case();
  c.libtorch = [](const AL& x) { return x[0] + x[1]; };
  const auto messages = failures_of(c);
  int forward = 0, gradient = 0;
  for (const auto& m : messages) {
    forward += m.find("forward") != std::string::npos;
    gradient += m.find("gradient of input") != std::string::npos;
  }
  EXPECT_EQ(forward, 2);
  EXPECT_EQ(gradient, 4);
  EXPECT_EQ(messages.size(), 6u);
}

TEST(Harness, WrongShapeOrDtypeIsReported) {
  OpCase c = mul_case();
  c.libtorch = [](const AL& x) { return (x[0] * x[1]).t(); };
  c.inputs = {{{3, 4}}, {{3, 4}}};
  c.dtypes = {tt::kFloat64};
  c.differentiable = false;
  c.gradcheck = false;
  EXPECT_NONFATAL_FAILURE(check_op(c), "shape [3, 4] vs expected [4, 3]");
  c.libtorch = [](const AL& x) { return (x[0] * x[1]).to(torch::kFloat); };
  EXPECT_NONFATAL_FAILURE(check_op(c), "dtype");
}

TEST(Harness, WrongGradientIsReported) {
  OpCase c;
  c.name = "doubled-wrong";
  c.inputs = {{{5}}};
  c.tinytorch = [](const TL& x) { return doubled(x[0], 3); };
  c.libtorch = [](const AL& x) { return x[0] * 2; };
  c.dtypes = {tt::kFloat64};
  c.gradcheck = false;
  EXPECT_NONFATAL_FAILURE(check_op(c), "gradient of input 0");

  // Forward matches, so gradcheck alone must catch the wrong derivative too.
  c.dtypes = {};
  c.gradcheck = true;
  EXPECT_NONFATAL_FAILURE(check_op(c), "gradcheck");
}

TEST(Harness, GradcheckRejectsWrongAnalyticGradient) {
  const tt::Tensor x = tt::tensor({0.5, -1.25, 2.0, 0.75}, {}, tt::kFloat64).requires_grad_();
  const auto good = tt::autograd::gradcheck([](const TL& in) { return doubled(in[0], 2); }, {x});
  EXPECT_TRUE(good.ok) << good.message;
  const auto bad = tt::autograd::gradcheck([](const TL& in) { return doubled(in[0], 2.01); }, {x});
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.message.find("analytic"), std::string::npos) << bad.message;
  EXPECT_NE(bad.message.find("numeric"), std::string::npos) << bad.message;
  // A gradient missing for one element (zeroed) must be caught as well.
  const auto partial = tt::autograd::gradcheck(
      [](const TL& in) {
        tt::Tensor out;
        {
          tt::NoGradGuard no_grad;
          out = in[0] * in[0];
        }
        tt::autograd::record("PartialBackward", out, {in[0]},
                             [saved = tt::autograd::save(in[0])](const tt::Tensor& g, const tt::autograd::Needs&) {
                               tt::Tensor grad = g * saved.get() * 2;
                               grad.narrow(0, 0, 1).zero_();
                               return TL{grad};
                             });
        return out;
      },
      {x});
  EXPECT_FALSE(partial.ok);
  EXPECT_NE(partial.message.find("element 0"), std::string::npos) << partial.message;
}

TEST(Harness, GradcheckRequiresDoubleInputs) {
  const tt::Tensor x = tt::randn({2}).requires_grad_();
  EXPECT_THROW(tt::autograd::gradcheck([](const TL& in) { return in[0] * 2; }, {x}), tt::Error);
}

TEST(Harness, ThrowsWithNeedsTheErrorAndEveryPart) {
  const auto bad_add = [] { throw tt::Error("add: shapes [2, 3] and [4] cannot broadcast"); };
  EXPECT_TRUE(throws_with(bad_add, {"add", "[2, 3]", "[4]"}));
  const ::testing::AssertionResult missing = throws_with(bad_add, {"add", "[5]", "hint"});
  EXPECT_FALSE(missing);
  EXPECT_NE(std::string(missing.message()).find("lacks \"[5]\", \"hint\""), std::string::npos) << missing.message();
  const ::testing::AssertionResult silent = throws_with([] {}, {"add"});
  EXPECT_FALSE(silent);
  EXPECT_NE(std::string(silent.message()).find("no tinytorch::Error"), std::string::npos) << silent.message();
}

}  // namespace
