#include "support/torch_bridge.h"

#include <cmath>

namespace tt_test {

at::ScalarType to_torch_dtype(tt::DType dtype) {
  switch (dtype) {
    case tt::kFloat32: return at::kFloat;
    case tt::kFloat64: return at::kDouble;
    case tt::kInt64: return at::kLong;
    case tt::kBFloat16: return at::kBFloat16;
    case tt::kFloat16: return at::kHalf;
    case tt::kBool: return at::kBool;
  }
  return at::kFloat;
}

tt::DType from_torch_dtype(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return tt::kFloat32;
    case at::kDouble: return tt::kFloat64;
    case at::kLong: return tt::kInt64;
    case at::kBFloat16: return tt::kBFloat16;
    case at::kHalf: return tt::kFloat16;
    case at::kBool: return tt::kBool;
    default: throw std::runtime_error(std::string("no TinyTorch dtype for ") + c10::toString(type));
  }
}

at::Tensor to_torch(const tt::Tensor& tensor) {
  tt::Tensor dense = tensor.detach().contiguous();
  at::Tensor out = torch::empty(dense.sizes(), torch::TensorOptions().dtype(to_torch_dtype(dense.dtype())));
  std::memcpy(out.data_ptr(), dense.raw_data(), static_cast<size_t>(dense.numel()) * dense.element_size());
  return out;
}

tt::Tensor from_torch(const at::Tensor& tensor) {
  at::Tensor dense = tensor.detach().contiguous();
  return tt::from_buffer(dense.data_ptr(), tt::Shape(dense.sizes().begin(), dense.sizes().end()),
                         from_torch_dtype(dense.scalar_type()));
}

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
