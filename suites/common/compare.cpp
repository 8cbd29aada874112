// Element-wise comparison for the correctness check (see compare.h).
#include "common/compare.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <vector>

namespace tt_bench {
namespace {
std::vector<int64_t> unravel(int64_t flat, at::IntArrayRef sizes) {
  std::vector<int64_t> index(sizes.size());
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    index[d] = flat % sizes[d];
    flat /= sizes[d];
  }
  return index;
}
}  // namespace

std::string mismatch(const at::Tensor& got, const at::Tensor& expected, double rtol, double atol) {
  if (!got.defined() || !expected.defined()) {
    if (got.defined() == expected.defined()) return "";
    return got.defined() ? "a value where LibTorch gives none" : "no value (e.g. no gradient) where LibTorch gives one";
  }
  if (got.sizes() != expected.sizes())
    return fmt::format("shape [{}] but LibTorch gives [{}]", fmt::join(got.sizes(), ", "),
                       fmt::join(expected.sizes(), ", "));
  if (got.scalar_type() != expected.scalar_type())
    return fmt::format("dtype {} but LibTorch gives {}", c10::toString(got.scalar_type()),
                       c10::toString(expected.scalar_type()));
  const at::Tensor g = got.to(at::kDouble).contiguous().reshape(-1);
  const at::Tensor e = expected.to(at::kDouble).contiguous().reshape(-1);
  const double* gp = g.data_ptr<double>();
  const double* ep = e.data_ptr<double>();
  int64_t bad = 0, first = -1;
  double max_diff = 0;
  for (int64_t i = 0; i < g.numel(); ++i) {
    const bool both_nan = std::isnan(gp[i]) && std::isnan(ep[i]);
    const double diff = std::fabs(gp[i] - ep[i]);
    // Written so that a NaN on one side counts as a mismatch.
    if (both_nan || diff <= atol + rtol * std::fabs(ep[i])) continue;
    ++bad;
    if (first < 0) first = i;
    if (!(diff <= max_diff)) max_diff = diff;
  }
  if (bad == 0) return "";
  return fmt::format(
      "element [{}] is {:.8g} but LibTorch gives {:.8g} (allowed: atol {:g} + rtol {:g} * |expected|); {} of {} "
      "elements differ, max |diff| {:.3g}",
      fmt::join(unravel(first, got.sizes()), ", "), gp[first], ep[first], atol, rtol, bad, g.numel(), max_diff);
}

}  // namespace tt_bench
