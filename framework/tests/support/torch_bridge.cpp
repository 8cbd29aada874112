#include "support/torch_bridge.h"

#include <cmath>

namespace tt_test {

::testing::AssertionResult all_close(const tt::Tensor& actual, const at::Tensor& expected, double rtol, double atol,
                                     const std::string& what) {
  if (!actual.defined() || !expected.defined())
    return ::testing::AssertionFailure() << what << ": defined " << actual.defined() << " vs expected "
                                         << expected.defined();
  const tt::Shape expected_shape(expected.sizes().begin(), expected.sizes().end());
  if (actual.sizes() != expected_shape)
    return ::testing::AssertionFailure() << what << ": shape " << tt::shape_str(actual.sizes()) << " vs expected "
                                         << tt::shape_str(expected_shape);
  if (actual.dtype() != from_torch_dtype(expected.scalar_type()))
    return ::testing::AssertionFailure() << what << ": dtype " << tt::dtype_name(actual.dtype()) << " vs expected "
                                         << c10::toString(expected.scalar_type());
  const std::vector<double> got = actual.to_vector<double>();
  at::Tensor want_t = expected.detach().to(at::kDouble).contiguous();
  const double* want = want_t.data_ptr<double>();
  double worst = 0;
  int64_t worst_at = -1;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(got[i] - want[i]);
    const double allowed = atol + rtol * std::fabs(want[i]);
    const bool both_nan = std::isnan(got[i]) && std::isnan(want[i]);
    const bool same_inf = std::isinf(got[i]) && got[i] == want[i];
    if (both_nan || same_inf) continue;
    if (!(err <= allowed) && (worst_at < 0 || err - allowed > worst || std::isnan(err))) {
      worst = err - allowed;
      worst_at = static_cast<int64_t>(i);
    }
  }
  if (worst_at >= 0)
    return ::testing::AssertionFailure() << what << ": element " << worst_at << " is " << got[worst_at]
                                         << " but LibTorch gives " << want[worst_at] << " (rtol " << rtol << ", atol "
                                         << atol << ", shape " << tt::shape_str(actual.sizes()) << ")";
  return ::testing::AssertionSuccess();
}

}  // namespace tt_test
