// dropout. LibTorch's random stream differs from ours, so instead of comparing masks we check the
// statistics (fraction zeroed ≈ p), that survivors are scaled by exactly 1/(1-p), that the gradient
// is the same masked scaling (LibTorch computes x * mask / (1-p) from our mask), seeded determinism,
// the identity cases, p = 1 and bad p.
#include <cmath>

#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using tt_test::throws_with;

// The keep-mask that `dropout(..., seed)` draws for `shape`, read off a dropout of ones.
at::Tensor kept_mask(const tt::Shape& shape, double p, uint64_t seed) {
  tt::Generator gen(seed);
  return tt_test::to_torch(tt::dropout(tt::ones(shape, tt::kFloat64), p, true, &gen)) != 0;
}

TEST(Dropout, FractionZeroedMatchesP) {
  const int64_t n = 200000;
  for (double p : {0.1, 0.5, 0.8}) {
    tt::Generator gen(11);
    tt::Tensor y = tt::dropout(tt::ones({n}), p, true, &gen);
    const double zeroed = tt::eq(y, 0.0).to(tt::kFloat64).mean().item();
    // Binomial standard deviation is sqrt(p(1-p)/n) <= 0.0012; allow five of them.
    EXPECT_NEAR(zeroed, p, 5 * std::sqrt(p * (1 - p) / n)) << "p = " << p;
  }
}

TEST(Dropout, ForwardAndGradientAreTheMaskScaledByInverseKeepProbability) {
  const uint64_t seed = 21;
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    for (double p : {0.2, 0.5, 0.9}) {
      SCOPED_TRACE(std::string(tt::dtype_name(dtype)) + " p = " + std::to_string(p));
      // A transposed (non-contiguous) leaf, so the op also sees strided memory.
      tt::Generator data_gen(5);
      tt::Tensor leaf = tt::randn({30, 40}, dtype, &data_gen).requires_grad_();
      tt::Tensor x = leaf.t();
      tt::Generator gen(seed);
      tt::Tensor y = tt::dropout(x, p, true, &gen);
      tt::Tensor upstream = tt::randn(y.sizes(), dtype, &data_gen);
      y.backward(upstream);

      const at::Tensor mask = kept_mask(x.sizes(), p, seed).to(tt_test::to_torch_dtype(dtype));
      at::Tensor torch_leaf = tt_test::to_torch(leaf.detach()).requires_grad_();
      at::Tensor expected = torch_leaf.t() * mask / (1 - p);
      expected.backward(tt_test::to_torch(upstream));

      const double tol = dtype == tt::kFloat64 ? 1e-15 : 1e-6;
      EXPECT_TRUE(tt_test::all_close(y, expected, tol, 0, "forward"));
      EXPECT_TRUE(tt_test::all_close(leaf.grad(), torch_leaf.grad(), tol, 0, "gradient"));
    }
  }
}

TEST(Dropout, SeededGeneratorIsDeterministic) {
  tt::Tensor x = tt::randn({64, 32});
  tt::Generator a(99), b(99), c(100);
  tt::Tensor ya = tt::dropout(x, 0.5, true, &a);
  tt::Tensor yb = tt::dropout(x, 0.5, true, &b);
  tt::Tensor yc = tt::dropout(x, 0.5, true, &c);
  EXPECT_TRUE(tt_test::all_close(ya, tt_test::to_torch(yb), 0, 0, "same seed"));
  EXPECT_FALSE(torch::equal(tt_test::to_torch(ya), tt_test::to_torch(yc))) << "different seeds gave the same mask";
}

TEST(Dropout, DefaultGeneratorFollowsManualSeed) {
  tt::Tensor x = tt::randn({64, 32});
  tt::manual_seed(123);
  tt::Tensor first = tt::dropout(x, 0.3);
  tt::manual_seed(123);
  tt::Tensor second = tt::dropout(x, 0.3);
  EXPECT_TRUE(tt_test::all_close(first, tt_test::to_torch(second), 0, 0, "after reseeding"));
}

TEST(Dropout, IdentityInEvalModeAndForZeroP) {
  tt::Tensor x = tt::randn({8, 5}).requires_grad_();
  EXPECT_TRUE(tt::dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(tt::dropout(x, 0.0, true).is_same(x));
}

TEST(Dropout, PEqualOneZeroesOutputAndGradientAsLibTorch) {
  tt::Tensor x = tt::randn({6, 7}).requires_grad_();
  tt::Tensor y = tt::dropout(x, 1.0);
  y.sum().backward();
  at::Tensor torch_x = tt_test::to_torch(x.detach()).requires_grad_();
  at::Tensor expected = torch::dropout(torch_x, 1.0, true);
  expected.sum().backward();
  EXPECT_TRUE(tt_test::all_close(y, expected, 0, 0, "forward"));
  EXPECT_TRUE(tt_test::all_close(x.grad(), torch_x.grad(), 0, 0, "gradient"));
}

TEST(Dropout, ProbabilityOutsideUnitIntervalIsRejected) {
  tt::Tensor x = tt::ones({3});
  EXPECT_TRUE(throws_with([&] { tt::dropout(x, -0.1); }, {"dropout", "p must be in [0, 1]", "-0.1"}));
  EXPECT_TRUE(throws_with([&] { tt::dropout(x, 1.5); }, {"dropout", "p must be in [0, 1]", "1.5"}));
}

TEST(Dropout, IntegerInputIsRejected) {
  EXPECT_TRUE(throws_with([&] { tt::dropout(tt::arange(4), 0.5); }, {"dropout", "int64", ".to(tt::kFloat32)"}));
}
}  // namespace
