// ttbench's statistics: U-test p-values against independently computed references
// (mwu_reference.json, made by mwu_reference.py: permutation enumeration and the normal formula),
// the Hodges–Lehmann interval, geometric mean and change-point detection.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "stats.h"

namespace {
using namespace ttbench::stats;

nlohmann::json reference_cases() {
  std::ifstream in(TTBENCH_TEST_DIR "/mwu_reference.json");
  return nlohmann::json::parse(in).at("cases");
}

TEST(MannWhitney, MatchesEnumeratedExactPValues) {
  int checked = 0;
  for (const auto& c : reference_cases()) {
    if (c["method"] != "exact") continue;
    const auto x = c["x"].get<std::vector<double>>(), y = c["y"].get<std::vector<double>>();
    const UTest u = mann_whitney_u(x, y);
    SCOPED_TRACE(c.dump().substr(0, 120));
    EXPECT_TRUE(u.exact);
    EXPECT_DOUBLE_EQ(u.u, c["u"].get<double>());
    EXPECT_NEAR(u.p_value, c["p"].get<double>(), 1e-12);
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

TEST(MannWhitney, MatchesNormalApproximationWithTies) {
  int checked = 0;
  for (const auto& c : reference_cases()) {
    if (c["method"] != "normal") continue;
    const auto x = c["x"].get<std::vector<double>>(), y = c["y"].get<std::vector<double>>();
    const UTest u = mann_whitney_u(x, y);
    SCOPED_TRACE(c.dump().substr(0, 120));
    EXPECT_FALSE(u.exact);
    EXPECT_DOUBLE_EQ(u.u, c["u"].get<double>());
    EXPECT_NEAR(u.p_value, c["p"].get<double>(), 1e-12);
    // The approximation stays near the exact conditional (permutation) p of the same tied data.
    if (c.contains("exact_conditional_p")) {
      EXPECT_NEAR(u.p_value, c["exact_conditional_p"].get<double>(), 0.1);
    }
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(MannWhitney, SymmetricAndBounded) {
  const std::vector<double> x = {1, 2, 3, 4, 5}, y = {6, 7, 8, 9, 10};
  EXPECT_NEAR(mann_whitney_u(x, y).p_value, 2.0 / 252, 1e-15);  // the most extreme of C(10,5) splits, both sides
  EXPECT_DOUBLE_EQ(mann_whitney_u(x, y).p_value, mann_whitney_u(y, x).p_value);
  EXPECT_DOUBLE_EQ(mann_whitney_u({1, 1, 1}, {1, 1, 1}).p_value, 1.0);
  EXPECT_THROW(mann_whitney_u({}, {1.0}), std::invalid_argument);
}

TEST(MannWhitney, ExactCdfSumsToOne) {
  EXPECT_DOUBLE_EQ(exact_u_cdf(4, 6, 24), 1.0);
  EXPECT_NEAR(exact_u_cdf(3, 3, 0), 1.0 / 20, 1e-15);
  // Symmetry about m*n/2.
  EXPECT_NEAR(exact_u_cdf(5, 7, 10), 1 - exact_u_cdf(5, 7, 24), 1e-15);
}

TEST(HodgesLehmann, IntervalCoversTheShiftAtItsConfidence) {
  // 400 samples of 10 vs 10 with a true shift of 0.1: the 95% interval should miss it about 5% of
  // the time (binomial sd 1.1%), and the estimate should be unbiased.
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 0.01);
  int covered = 0;
  double estimates = 0;
  const int trials = 400;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<double> x, y;
    for (int i = 0; i < 10; ++i) {
      x.push_back(noise(rng));
      y.push_back(0.1 + noise(rng));
    }
    const Shift s = hodges_lehmann(x, y, 0.05);
    ASSERT_TRUE(s.bounded);
    covered += s.low <= 0.1 && 0.1 <= s.high;
    estimates += s.estimate;
  }
  EXPECT_GE(covered, 0.91 * trials);
  EXPECT_LE(covered, 0.99 * trials);
  EXPECT_NEAR(estimates / trials, 0.1, 0.001);
}

TEST(HodgesLehmann, CriticalValuesFromExactDistribution) {
  // m = n = 5 at 95%: P(U <= 2) = 4/252 <= 0.025 < P(U <= 3), so C = 3: the 3rd smallest and 3rd
  // largest of the 25 pairwise differences (all distinct here: 5j - i).
  std::vector<double> x = {0, 1, 2, 3, 4}, y = {0, 5, 10, 15, 20};
  const Shift s = hodges_lehmann(x, y, 0.05);
  std::vector<double> d;
  for (double b : y)
    for (double a : x) d.push_back(b - a);
  std::sort(d.begin(), d.end());
  EXPECT_DOUBLE_EQ(s.low, d[2]);
  EXPECT_DOUBLE_EQ(s.high, d[22]);
  // Three repetitions each cannot give a 95% interval: flagged as unbounded.
  EXPECT_FALSE(hodges_lehmann({1, 2, 3}, {4, 5, 6}, 0.05).bounded);
}

std::vector<double> noisy(const std::vector<double>& levels, double sigma, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, sigma);
  std::vector<double> out;
  for (double level : levels) out.push_back(level + noise(rng));
  return out;
}

TEST(Bootstrap, RatioChangePValue) {
  auto sample = [](double level, unsigned seed) { return noisy(std::vector<double>(10, level), 0.01 * level, seed); };
  // Numerator 10% slower in the run, denominators unchanged: significant.
  EXPECT_LT(bootstrap_ratio_change_p(sample(1.1, 1), sample(1, 2), sample(1, 3), sample(1, 4)), 0.01);
  // The whole run 20% slower (numerator and denominator alike): the ratio did not change.
  EXPECT_GT(bootstrap_ratio_change_p(sample(1.2, 5), sample(1.2, 6), sample(1, 7), sample(1, 8)), 0.05);
  // Noisy denominators widen the uncertainty: the same 10% is no longer significant.
  const auto wild = noisy(std::vector<double>(10, 1.0), 0.3, 9), wild2 = noisy(std::vector<double>(10, 1.0), 0.3, 10);
  EXPECT_GT(bootstrap_ratio_change_p(sample(1.1, 1), wild, sample(1, 3), wild2), 0.01);
}

TEST(Summary, GeometricMeanAndMedian) {
  EXPECT_NEAR(geometric_mean({1.1, 1 / 1.1}), 1.0, 1e-12);
  EXPECT_NEAR(geometric_mean({2, 8}), 4.0, 1e-12);
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 2, 3}), 2.5);
}

TEST(ChangePoints, FindsSingleStep) {
  std::vector<double> levels(20, 0.0);
  for (size_t i = 12; i < levels.size(); ++i) levels[i] = std::log(1.08);
  const auto segments = change_points(noisy(levels, 0.005, 1), std::log(1.02));
  ASSERT_EQ(segments.size(), 2u);
  EXPECT_EQ(segments[1].begin, 12u);
}

TEST(ChangePoints, CatchesSlowDriftOfSmallSteps) {
  // Four steps of 2.5% (10% in all), each smaller than any single-jump threshold of 5%.
  std::vector<double> levels;
  for (int step = 0; step < 5; ++step)
    for (int i = 0; i < 5; ++i) levels.push_back(step * std::log(1.025));
  const auto segments = change_points(noisy(levels, 0.003, 2), std::log(1.01));
  ASSERT_GE(segments.size(), 3u);
  EXPECT_GT(std::exp(segments.back().mean - segments.front().mean) - 1, 0.08);
}

TEST(ChangePoints, NoiseAloneIsOneSegment) {
  for (unsigned seed = 0; seed < 20; ++seed)
    EXPECT_EQ(change_points(noisy(std::vector<double>(25, 0.0), 0.01, seed), std::log(1.02)).size(), 1u) << seed;
}

}  // namespace
