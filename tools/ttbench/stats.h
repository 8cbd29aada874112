// Statistics of the regression harness, written out rather than taken from a library so that every
// number in a report can be traced to a formula here:
//   - the two-sided Mann–Whitney U test over per-repetition times (exact null distribution for small
//     samples without ties, else the normal approximation with tie and continuity corrections, as
//     SciPy's mannwhitneyu(method="auto") does);
//   - the Hodges–Lehmann shift estimate with its distribution-free confidence interval;
//   - geometric mean, median, quantiles;
//   - change points of a series by binary segmentation (for run histories).
#pragma once

#include <cstddef>
#include <vector>

namespace ttbench::stats {

double median(std::vector<double> values);
double mean(const std::vector<double>& values);
double geometric_mean(const std::vector<double>& positive_values);
// Median absolute deviation scaled to estimate a normal standard deviation (x 1.4826).
double mad_sigma(const std::vector<double>& values);

struct UTest {
  double u = 0;        // U statistic of the first sample: pairs (x, y) with x > y, ties counted 1/2
  double p_value = 1;  // two-sided
  bool exact = false;  // exact null distribution (no ties, both samples small) or normal approximation
};
// Both samples must be non-empty.
UTest mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y);

// Samples up to this size (each) use the exact distribution when there are no ties.
constexpr size_t kExactLimit = 50;

// Number of splits of m + n values whose U is <= u, divided by C(m+n, m): the exact cumulative
// null distribution P(U <= u) for samples of sizes m and n without ties.
double exact_u_cdf(size_t m, size_t n, double u);

struct Shift {
  double estimate = 0;       // median of all pairwise differences y_j - x_i
  double low = 0, high = 0;  // confidence interval of the shift
  bool bounded = true;       // false when the samples are too small for the requested confidence
};
// Hodges–Lehmann estimate of the shift from x to y with a (1 - alpha) confidence interval from the
// order statistics of the pairwise differences (exact U quantiles for small samples, normal otherwise).
Shift hodges_lehmann(const std::vector<double>& x, const std::vector<double>& y, double alpha);

// Two-sided bootstrap p-value of the change of a ratio of medians between two runs:
// log(median(num_run) / median(den_run)) - log(median(num_base) / median(den_base)), each of the four
// samples resampled with replacement (`replicates` times, fixed seed). p is twice the share of
// replicates on the far side of zero from the observed change, with the usual +1 correction so it
// is never 0. All four samples' noise counts, unlike a U test on the numerators alone.
double bootstrap_ratio_change_p(const std::vector<double>& num_run, const std::vector<double>& den_run,
                                const std::vector<double>& num_base, const std::vector<double>& den_base,
                                int replicates = 2000, unsigned seed = 12345);

struct Segment {
  size_t begin = 0, end = 0;  // [begin, end) in the series
  double mean = 0;
};
// Splits `series` into segments of constant level by binary segmentation: a split is kept when the
// two sides' means differ by more than `min_step` (absolute) and by more than `z` standard errors,
// the noise being estimated robustly from successive differences (so a trend of small steps is cut
// into several segments instead of being read as noise). Segments have at least `min_size` points.
std::vector<Segment> change_points(const std::vector<double>& series, double min_step, double z = 4.0,
                                   size_t min_size = 2);

}  // namespace ttbench::stats
