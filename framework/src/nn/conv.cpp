// nn::Conv2d: option checks, PyTorch's default initialisation and the forward through tt::conv2d.
#include "tinytorch/nn/conv.h"

#include <cmath>

#include "tinytorch/nn/init.h"
#include "tinytorch/ops/creation.h"

namespace tinytorch::nn {

Conv2d::Conv2d(const Conv2dOptions& options_) : Module("Conv2d"), options(options_) {
  const int64_t in = options.in_channels(), out = options.out_channels(), groups = options.groups();
  TT_CHECK(in > 0 && out > 0, "Conv2d: in_channels ({}) and out_channels ({}) must be positive", in, out);
  TT_CHECK(groups > 0 && in % groups == 0 && out % groups == 0,
           "Conv2d: groups ({}) must be positive and divide in_channels ({}) and out_channels ({})", groups, in, out);
  const Pair kernel = options.kernel_size();
  TT_CHECK(kernel[0] > 0 && kernel[1] > 0, "Conv2d: kernel_size must be positive, got {}",
           shape_str({kernel[0], kernel[1]}));
  weight = register_parameter("weight", empty({out, in / groups, kernel[0], kernel[1]}));
  if (options.bias()) bias = register_parameter("bias", empty({out}));
  reset_parameters();
}

void Conv2d::reset_parameters(Generator* generator) {
  init::kaiming_uniform_(weight, std::sqrt(5.0), init::FanMode::FanIn, init::Nonlinearity::LeakyReLU, generator);
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    init::uniform_(bias, -bound, bound, generator);
  }
}

Tensor Conv2d::forward(const Tensor& input) {
  return conv2d(input, weight, bias, options.stride(), options.padding(), options.dilation(), options.groups());
}

std::string Conv2d::extra_repr() const {
  const auto pair = [](const Size2& s) { return fmt::format("({}, {})", s[0], s[1]); };
  std::string out = fmt::format("{}, {}, kernel_size={}, stride={}", options.in_channels(), options.out_channels(),
                                pair(options.kernel_size()), pair(options.stride()));
  if (options.padding().value != Pair{0, 0}) out += ", padding=" + pair(options.padding());
  if (options.dilation().value != Pair{1, 1}) out += ", dilation=" + pair(options.dilation());
  if (options.groups() != 1) out += fmt::format(", groups={}", options.groups());
  if (!options.bias()) out += ", bias=false";
  return out;
}

}  // namespace tinytorch::nn
