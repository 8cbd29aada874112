// Statistics of the regression harness (see stats.h).
#include "stats.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <stdexcept>

namespace ttbench::stats {
namespace {

// Counts of U over all splits of m + n distinct values: counts[u] for u = 0..m*n, by the recurrence
// f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u) (the largest value is in the first sample, adding j to
// U, or in the second). Additions only, so the counts stay exact as long as doubles hold them.
std::vector<double> u_counts(size_t m, size_t n) {
  std::vector<std::vector<double>> prev(n + 1), cur(n + 1);
  for (size_t j = 0; j <= n; ++j) prev[j] = {1.0};  // i = 0: one split, U = 0
  for (size_t i = 1; i <= m; ++i) {
    cur[0] = {1.0};
    for (size_t j = 1; j <= n; ++j) {
      std::vector<double>& f = cur[j];
      f.assign(i * j + 1, 0.0);
      for (size_t u = 0; u < prev[j].size(); ++u) f[u + j] += prev[j][u];
      for (size_t u = 0; u < cur[j - 1].size(); ++u) f[u] += cur[j - 1][u];
    }
    std::swap(prev, cur);
  }
  return prev[n];
}

double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

// Quantile of the standard normal by bisection on erfc (accurate to 1e-12, no table needed).
double normal_quantile_upper(double tail) {
  double low = 0, high = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (low + high);
    (normal_sf(mid) > tail ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

bool has_ties(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return std::adjacent_find(values.begin(), values.end()) != values.end();
}

}  // namespace

double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return std::nan("");
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double geometric_mean(const std::vector<double>& positive_values) {
  if (positive_values.empty()) return std::nan("");
  double log_sum = 0;
  for (double v : positive_values) log_sum += std::log(v);
  return std::exp(log_sum / static_cast<double>(positive_values.size()));
}

double mad_sigma(const std::vector<double>& values) {
  const double center = median(values);
  std::vector<double> deviations;
  for (double v : values) deviations.push_back(std::abs(v - center));
  return 1.4826 * median(deviations);
}

double exact_u_cdf(size_t m, size_t n, double u) {
  const std::vector<double> counts = u_counts(m, n);
  double below = 0, total = 0;
  for (size_t k = 0; k < counts.size(); ++k) {
    total += counts[k];
    if (static_cast<double>(k) <= u + 1e-9) below += counts[k];
  }
  return below / total;
}

UTest mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || y.empty()) throw std::invalid_argument("mann_whitney_u: both samples need at least one value");
  const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size());
  UTest result;
  for (double a : x)
    for (double b : y) result.u += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
  std::vector<double> pooled = x;
  pooled.insert(pooled.end(), y.begin(), y.end());
  const double mid = m * n / 2;
  if (!has_ties(pooled) && x.size() <= kExactLimit && y.size() <= kExactLimit) {
    result.exact = true;
    // The null distribution is symmetric about m*n/2: double the smaller tail.
    const double lower = exact_u_cdf(x.size(), y.size(), std::min(result.u, m * n - result.u));
    result.p_value = std::min(1.0, 2 * lower);
    return result;
  }
  // Normal approximation; ties shrink the variance by sum(t^3 - t) over tie groups of size t.
  std::sort(pooled.begin(), pooled.end());
  double tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j] == pooled[i]) ++j;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  const double total = m + n;
  const double variance = m * n / 12 * ((total + 1) - tie_term / (total * (total - 1)));
  if (variance <= 0) return result;  // every value equal: no evidence of a shift, p = 1
  const double z = (std::abs(result.u - mid) - 0.5) / std::sqrt(variance);
  result.p_value = std::min(1.0, 2 * normal_sf(z));
  return result;
}

Shift hodges_lehmann(const std::vector<double>& x, const std::vector<double>& y, double alpha) {
  std::vector<double> differences;
  for (double b : y)
    for (double a : x) differences.push_back(b - a);
  std::sort(differences.begin(), differences.end());
  Shift shift;
  shift.estimate = median(differences);
  const size_t pairs = differences.size();
  // C: the largest count with P(U <= C - 1) <= alpha / 2; the interval is the C-th smallest and
  // C-th largest difference.
  long c = 0;
  if (x.size() <= kExactLimit && y.size() <= kExactLimit) {
    const std::vector<double> counts = u_counts(x.size(), y.size());
    const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
    double cumulative = 0;
    while (static_cast<size_t>(c) < counts.size() && (cumulative + counts[c]) / total <= alpha / 2)
      cumulative += counts[c++];
  } else {
    const double m = static_cast<double>(x.size()), n = static_cast<double>(y.size());
    c = static_cast<long>(
        std::floor(m * n / 2 - normal_quantile_upper(alpha / 2) * std::sqrt(m * n * (m + n + 1) / 12)));
  }
  if (c < 1) {
    shift.bounded = false;
    shift.low = differences.front();
    shift.high = differences.back();
    return shift;
  }
  shift.low = differences[c - 1];
  shift.high = differences[pairs - c];
  return shift;
}

double bootstrap_ratio_change_p(const std::vector<double>& num_run, const std::vector<double>& den_run,
                                const std::vector<double>& num_base, const std::vector<double>& den_base,
                                int replicates, unsigned seed) {
  auto log_ratio_change = [](double nr, double dr, double nb, double db) {
    return std::log(nr / dr) - std::log(nb / db);
  };
  const double observed = log_ratio_change(median(num_run), median(den_run), median(num_base), median(den_base));
  std::mt19937 rng(seed);
  auto resampled_median = [&](const std::vector<double>& values) {
    std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
    std::vector<double> sample(values.size());
    for (double& v : sample) v = values[pick(rng)];
    return median(sample);
  };
  int far_side = 0;
  for (int i = 0; i < replicates; ++i) {
    const double change = log_ratio_change(resampled_median(num_run), resampled_median(den_run),
                                           resampled_median(num_base), resampled_median(den_base));
    far_side += observed >= 0 ? change <= 0 : change >= 0;
  }
  return std::min(1.0, 2.0 * (far_side + 1) / (replicates + 1));
}

std::vector<Segment> change_points(const std::vector<double>& series, double min_step, double z, size_t min_size) {
  std::vector<Segment> segments;
  if (series.empty()) return segments;
  // Noise from successive differences: a level shift moves only one of them, so it barely inflates
  // this estimate, unlike the series' own spread.
  std::vector<double> diffs;
  for (size_t i = 1; i < series.size(); ++i) diffs.push_back(series[i] - series[i - 1]);
  const double sigma = diffs.size() >= 2 ? std::max(mad_sigma(diffs) / std::sqrt(2.0), 1e-12) : 1e-12;
  auto segment_mean = [&](size_t begin, size_t end) {
    return std::accumulate(series.begin() + begin, series.begin() + end, 0.0) / static_cast<double>(end - begin);
  };
  std::function<void(size_t, size_t)> split = [&](size_t begin, size_t end) {
    size_t best = 0;
    double best_t = 0, best_step = 0;
    for (size_t k = begin + min_size; k + min_size <= end; ++k) {
      const double left = segment_mean(begin, k), right = segment_mean(k, end);
      const double se = sigma * std::sqrt(1.0 / static_cast<double>(k - begin) + 1.0 / static_cast<double>(end - k));
      const double t = std::abs(right - left) / se;
      if (t > best_t) {
        best_t = t;
        best = k;
        best_step = std::abs(right - left);
      }
    }
    if (best == 0 || best_t <= z || best_step <= min_step) {
      segments.push_back({begin, end, segment_mean(begin, end)});
      return;
    }
    split(begin, best);
    split(best, end);
  };
  split(0, series.size());
  return segments;
}

}  // namespace ttbench::stats
