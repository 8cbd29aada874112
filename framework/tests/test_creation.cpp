// Tensor factories against their LibTorch equivalents (values, shape, dtype), the statistics and
// seeding of the random factories, tt::tensor's dtype rules, and from_blob/from_buffer ownership.
#include <cmath>

#include "support/op_harness.h"

namespace {
using tt_test::all_close;

// Exact comparison: factories involve no arithmetic that could round differently.
::testing::AssertionResult same(const tt::Tensor& actual, const at::Tensor& expected) {
  return all_close(actual, expected, 0, 0);
}

TEST(Creation, ZerosOnesFull) {
  EXPECT_TRUE(same(tt::zeros({2, 3}), torch::zeros({2, 3})));
  EXPECT_TRUE(same(tt::ones({4}), torch::ones({4})));
  EXPECT_TRUE(same(tt::ones({2, 0, 3}), torch::ones({2, 0, 3})));
  EXPECT_TRUE(same(tt::zeros({}, tt::kFloat64), torch::zeros({}, torch::kDouble)));
  EXPECT_TRUE(same(tt::ones({3}, tt::kInt64), torch::ones({3}, torch::kLong)));
  EXPECT_TRUE(same(tt::ones({3}, tt::kBool), torch::ones({3}, torch::kBool)));
  EXPECT_TRUE(same(tt::full({2, 2}, 2.5), torch::full({2, 2}, 2.5)));
  EXPECT_TRUE(same(tt::full({3}, -7, tt::kInt64), torch::full({3}, -7, torch::kLong)));
  EXPECT_TRUE(same(tt::full({3}, 0.1, tt::kFloat64), torch::full({3}, 0.1, torch::kDouble)));
  EXPECT_TRUE(same(tt::zeros_like(tt::ones({2, 5}, tt::kFloat64)), torch::zeros({2, 5}, torch::kDouble)));
  EXPECT_TRUE(same(tt::full_like(tt::ones({2}), 3, tt::kInt64), torch::full({2}, 3, torch::kLong)));
  EXPECT_TRUE(tt::ones({2}, tt::TensorOptions().requires_grad(true)).requires_grad());
}

TEST(Creation, ArangeIntegral) {
  EXPECT_TRUE(same(tt::arange(5), torch::arange(5)));
  EXPECT_TRUE(same(tt::arange(2, 11, 3), torch::arange(2, 11, 3)));
  EXPECT_TRUE(same(tt::arange(10, 0, -3), torch::arange(10, 0, -3)));
  EXPECT_TRUE(same(tt::arange(-4, 4), torch::arange(-4, 4)));
  EXPECT_TRUE(same(tt::arange(3, 3), torch::arange(3, 3)));
  EXPECT_TRUE(same(tt::arange(6, tt::kFloat32), torch::arange(6, torch::kFloat)));
}

TEST(Creation, ArangeFloating) {
  // A floating start/end/step gives the default dtype, float32, as torch.arange.
  EXPECT_TRUE(same(tt::arange(0.0, 1.0, 0.1), torch::arange(0.0, 1.0, 0.1)));
  EXPECT_TRUE(same(tt::arange(2.5), torch::arange(2.5)));
  EXPECT_TRUE(same(tt::arange(1, 2, 0.25), torch::arange(1, 2, 0.25)));
  EXPECT_TRUE(same(tt::arange(1.0, -1.0, -0.3), torch::arange(1.0, -1.0, -0.3)));
  EXPECT_TRUE(same(tt::arange(0.0, 1.0, 0.1, tt::kFloat64), torch::arange(0.0, 1.0, 0.1, torch::kDouble)));
  EXPECT_TRUE(same(tt::arange(-1.5, 2.0, 0.5, tt::kFloat64), torch::arange(-1.5, 2.0, 0.5, torch::kDouble)));
}

TEST(Creation, Linspace) {
  EXPECT_TRUE(same(tt::linspace(0, 1, 5), torch::linspace(0, 1, 5)));
  EXPECT_TRUE(same(tt::linspace(-3, 7, 1), torch::linspace(-3, 7, 1)));
  EXPECT_TRUE(same(tt::linspace(-3, 7, 0), torch::linspace(-3, 7, 0)));
  EXPECT_TRUE(same(tt::linspace(2, -2, 4, tt::kFloat64), torch::linspace(2, -2, 4, torch::kDouble)));
  // LibTorch's vectorized loop accumulates some steps from a block start (and computes float32 in
  // float), so values may differ in the last bit.
  EXPECT_TRUE(all_close(tt::linspace(0, 1, 101, tt::kFloat64), torch::linspace(0, 1, 101, torch::kDouble), 1e-15, 0));
  EXPECT_TRUE(all_close(tt::linspace(-1, 1, 37), torch::linspace(-1, 1, 37), 1e-6, 1e-7));
  EXPECT_EQ(tt::linspace(0.1, 0.7, 9).to_vector<float>().back(), 0.7f);
}

TEST(Creation, Eye) {
  EXPECT_TRUE(same(tt::eye(4), torch::eye(4)));
  EXPECT_TRUE(same(tt::eye(2, 5), torch::eye(2, 5)));
  EXPECT_TRUE(same(tt::eye(5, 2, tt::kInt64), torch::eye(5, 2, torch::kLong)));
  EXPECT_TRUE(same(tt::eye(0), torch::eye(0)));
}

TEST(Creation, RandomSeeding) {
  tt::Generator a(42), b(42), c(43);
  const auto first = tt::rand({64}, {}, &a).to_vector<float>();
  EXPECT_EQ(first, tt::rand({64}, {}, &b).to_vector<float>());
  EXPECT_NE(first, tt::rand({64}, {}, &c).to_vector<float>());
  // The stream moves on: a second draw from the same generator differs from the first.
  EXPECT_NE(first, tt::rand({64}, {}, &a).to_vector<float>());

  tt::manual_seed(7);
  const auto n1 = tt::randn({32}, tt::kFloat64).to_vector<double>();
  const auto i1 = tt::randint(0, 1000, {32}).to_vector<int64_t>();
  tt::manual_seed(7);
  EXPECT_EQ(n1, tt::randn({32}, tt::kFloat64).to_vector<double>());
  EXPECT_EQ(i1, tt::randint(0, 1000, {32}).to_vector<int64_t>());
  tt::manual_seed(8);
  EXPECT_NE(n1, tt::randn({32}, tt::kFloat64).to_vector<double>());
}

// Sample mean and standard deviation of a tensor's values.
std::pair<double, double> moments(const tt::Tensor& t) {
  const auto v = t.to_vector<double>();
  double sum = 0, sq = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  for (double x : v) sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sq / static_cast<double>(v.size() - 1))};
}

constexpr int64_t kSamples = 100000;

TEST(Creation, RandStatistics) {
  tt::Generator gen(1);
  const tt::Tensor u = tt::rand({kSamples}, {}, &gen);
  EXPECT_EQ(u.dtype(), tt::kFloat32);
  const auto v = u.to_vector<float>();
  EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0f);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 1.0f);
  // Standard error of the mean is sqrt(1/12 / n) ~ 0.0009; 5 sigma bounds.
  const auto [mean, std] = moments(u);
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / kSamples));
  EXPECT_NEAR(std, std::sqrt(1.0 / 12), 0.005);
}

TEST(Creation, RandnStatistics) {
  tt::Generator gen(2);
  const tt::Tensor n = tt::randn({kSamples}, tt::kFloat64, &gen);
  EXPECT_EQ(n.dtype(), tt::kFloat64);
  const auto [mean, std] = moments(n);
  EXPECT_NEAR(mean, 0.0, 5 / std::sqrt(kSamples));
  EXPECT_NEAR(std, 1.0, 0.015);
  // About 68.3% within one sigma.
  const auto v = n.to_vector<double>();
  const auto inside = std::count_if(v.begin(), v.end(), [](double x) { return std::fabs(x) < 1; });
  EXPECT_NEAR(static_cast<double>(inside) / kSamples, 0.6827, 0.01);
}

TEST(Creation, RandintStatistics) {
  tt::Generator gen(3);
  const tt::Tensor r = tt::randint(-3, 5, {kSamples}, tt::kInt64, &gen);
  EXPECT_EQ(r.dtype(), tt::kInt64);
  std::vector<int64_t> counts(8, 0);
  for (int64_t x : r.to_vector<int64_t>()) {
    ASSERT_GE(x, -3);
    ASSERT_LT(x, 5);
    ++counts[x + 3];
  }
  // Each of the 8 values is hit about n/8 times (binomial sd ~ 105).
  for (int64_t c : counts) EXPECT_NEAR(static_cast<double>(c), kSamples / 8.0, 600);
  const auto [mean, std] = moments(r);
  EXPECT_NEAR(mean, 0.5, 0.03);
  EXPECT_NEAR(std, std::sqrt((64.0 - 1) / 12), 0.03);
}

TEST(Creation, TensorLiteralDtypes) {
  // As torch::tensor: double literals give float32, integer literals int64.
  EXPECT_TRUE(same(tt::tensor({1.5, -2.0, 3.25}), torch::tensor({1.5, -2.0, 3.25})));
  EXPECT_TRUE(same(tt::tensor({1, 2, 3}), torch::tensor({1, 2, 3})));
  EXPECT_TRUE(same(tt::tensor({int64_t{1} << 40, int64_t{-5}}), torch::tensor({int64_t{1} << 40, int64_t{-5}})));
  EXPECT_TRUE(same(tt::tensor({1.5f, 2.5f}), torch::tensor({1.5f, 2.5f})));
  EXPECT_TRUE(same(tt::tensor(std::vector<bool>{true, false, true}), torch::tensor({true, false, true})));
  EXPECT_TRUE(same(tt::tensor({1.0, 2.0}, {}, tt::kFloat64), torch::tensor({1.0, 2.0}, torch::kDouble)));
  EXPECT_TRUE(same(tt::tensor({1, 2, 3, 4, 5, 6}, {2, 3}), torch::tensor({1, 2, 3, 4, 5, 6}).reshape({2, 3})));
  // Precision is lost the same way on the way to float32.
  EXPECT_TRUE(same(tt::tensor({0.1, 1e-50, 3e38}), torch::tensor({0.1, 1e-50, 3e38})));
  EXPECT_TRUE(tt::tensor({1.0, 2.0}, {}, tt::TensorOptions().requires_grad(true)).requires_grad());
  EXPECT_THROW(tt::tensor({1.0, 2.0, 3.0}, {2, 2}), tt::Error);
}

TEST(Creation, FromBlobSharesMemory) {
  std::vector<float> buffer = {1, 2, 3, 4, 5, 6};
  tt::Tensor t = tt::from_blob(buffer.data(), {2, 3}, tt::kFloat32);
  EXPECT_EQ(t.raw_data(), static_cast<void*>(buffer.data()));
  buffer[4] = 50;
  EXPECT_EQ(t.select(0, 1).select(0, 1).item<float>(), 50.0f);
  t.select(1, 2).fill_(-1);
  EXPECT_EQ(buffer, (std::vector<float>{1, 2, -1, 4, 50, -1}));

  // Custom strides: a column-major view of the same buffer.
  tt::Tensor col_major = tt::from_blob(buffer.data(), {3, 2}, tt::kFloat32, {1, 3});
  at::Tensor expected = torch::from_blob(buffer.data(), {3, 2}, {1, 3}, torch::kFloat);
  EXPECT_TRUE(same(col_major, expected));
}

TEST(Creation, FromBufferCopies) {
  std::vector<int64_t> buffer = {10, 20, 30, 40};
  tt::Tensor t = tt::from_buffer(buffer.data(), {2, 2}, tt::kInt64);
  EXPECT_NE(t.raw_data(), static_cast<void*>(buffer.data()));
  buffer[0] = -1;
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{10, 20, 30, 40}));
  t.fill_(0);
  EXPECT_EQ(buffer, (std::vector<int64_t>{-1, 20, 30, 40}));
}

TEST(Creation, InvalidArguments) {
  EXPECT_THROW(tt::zeros({2, -1}), tt::Error);
  EXPECT_THROW(tt::arange(0, 5, 0), tt::Error);
  EXPECT_THROW(tt::arange(5, 0, 1), tt::Error);
  EXPECT_THROW(tt::randint(3, 3, {2}), tt::Error);
  EXPECT_THROW(tt::rand({2}, tt::kInt64), tt::Error);
  EXPECT_THROW(tt::linspace(0, 1, -1), tt::Error);
}

}  // namespace
