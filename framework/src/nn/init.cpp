// torch.nn.init's initialisers. Values are drawn in float64 and then copied into the tensor, so a
// float32 and a float64 parameter initialised from the same seed hold the same numbers (rounded).
#include "tinytorch/nn/init.h"

#include <cmath>

#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"

namespace tinytorch::nn::init {
namespace {

void check_floating(const Tensor& tensor, const char* op) {
  TT_CHECK(tensor.defined(), "{}: the tensor is undefined; create it first (e.g. tt::empty)", op);
  TT_CHECK(is_floating(tensor.dtype()) && is_compute_type(tensor.dtype()),
           "{}: tensor dtype must be float32 or float64, got {}; convert with .to(tt::kFloat32)", op,
           dtype_name(tensor.dtype()));
}

int64_t fan_of(const Tensor& tensor, FanMode mode, const char* op) {
  TT_CHECK(tensor.dim() >= 2,
           "{}: fan in and fan out need a tensor with at least 2 dims, got shape {}; use uniform_ or normal_ for "
           "vectors",
           op, shape_str(tensor.sizes()));
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const int64_t fan = mode == FanMode::FanIn ? fan_in : fan_out;
  TT_CHECK(fan > 0, "{}: tensor of shape {} has a zero fan, so the bound is undefined; give it non-empty dims", op,
           shape_str(tensor.sizes()));
  return fan;
}

Tensor fill_from(Tensor tensor, const Tensor& values) {
  NoGradGuard no_grad;
  tensor.copy_(values);
  return tensor;
}
}  // namespace

double calculate_gain(Nonlinearity nonlinearity, double param) {
  switch (nonlinearity) {
    case Nonlinearity::Linear:
    case Nonlinearity::Conv2d:
    case Nonlinearity::Sigmoid: return 1.0;
    case Nonlinearity::Tanh: return 5.0 / 3.0;
    case Nonlinearity::ReLU: return std::sqrt(2.0);
    case Nonlinearity::LeakyReLU: return std::sqrt(2.0 / (1.0 + param * param));
    case Nonlinearity::SELU: return 3.0 / 4.0;
  }
  return 1.0;
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  TT_CHECK(tensor.dim() >= 2, "calculate_fan_in_and_fan_out: needs a tensor with at least 2 dims, got shape {}",
           shape_str(tensor.sizes()));
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

Tensor uniform_(Tensor tensor, double low, double high, Generator* generator) {
  check_floating(tensor, "uniform_");
  TT_CHECK(low <= high, "uniform_: low ({}) must not exceed high ({})", low, high);
  return fill_from(tensor, rand(tensor.sizes(), kFloat64, generator) * (high - low) + low);
}

Tensor normal_(Tensor tensor, double mean, double std, Generator* generator) {
  check_floating(tensor, "normal_");
  TT_CHECK(std >= 0.0, "normal_: std must be >= 0, got {}", std);
  return fill_from(tensor, randn(tensor.sizes(), kFloat64, generator) * std + mean);
}

Tensor constant_(Tensor tensor, double value) {
  check_floating(tensor, "constant_");
  NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}

Tensor zeros_(Tensor tensor) { return constant_(std::move(tensor), 0.0); }

Tensor ones_(Tensor tensor) { return constant_(std::move(tensor), 1.0); }

Tensor kaiming_uniform_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity, Generator* generator) {
  check_floating(tensor, "kaiming_uniform_");
  const double std =
      calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan_of(tensor, mode, "kaiming_uniform_")));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(std::move(tensor), -bound, bound, generator);
}

Tensor kaiming_normal_(Tensor tensor, double a, FanMode mode, Nonlinearity nonlinearity, Generator* generator) {
  check_floating(tensor, "kaiming_normal_");
  const double std =
      calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan_of(tensor, mode, "kaiming_normal_")));
  return normal_(std::move(tensor), 0.0, std, generator);
}

Tensor xavier_uniform_(Tensor tensor, double gain, Generator* generator) {
  check_floating(tensor, "xavier_uniform_");
  const auto fan_in = fan_of(tensor, FanMode::FanIn, "xavier_uniform_");
  const auto fan_out = fan_of(tensor, FanMode::FanOut, "xavier_uniform_");
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(std::move(tensor), -bound, bound, generator);
}

Tensor xavier_normal_(Tensor tensor, double gain, Generator* generator) {
  check_floating(tensor, "xavier_normal_");
  const auto fan_in = fan_of(tensor, FanMode::FanIn, "xavier_normal_");
  const auto fan_out = fan_of(tensor, FanMode::FanOut, "xavier_normal_");
  return normal_(std::move(tensor), 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), generator);
}

}  // namespace tinytorch::nn::init
