// Pooling layers: thin modules over tt::max_pool2d, tt::avg_pool2d and tt::adaptive_avg_pool2d,
// which validate the geometry.
#include "tinytorch/nn/pooling.h"

namespace tinytorch::nn {
namespace {
std::string pair_repr(const Size2& s) { return fmt::format("({}, {})", s[0], s[1]); }
}  // namespace

MaxPool2d::MaxPool2d(const MaxPool2dOptions& options_) : Module("MaxPool2d"), options(options_) {}

Tensor MaxPool2d::forward(const Tensor& input) {
  return max_pool2d(input, options.kernel_size(), options.stride(), options.padding(), options.dilation());
}

std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}", pair_repr(options.kernel_size()),
                     pair_repr(options.stride()), pair_repr(options.padding()), pair_repr(options.dilation()));
}

AvgPool2d::AvgPool2d(const AvgPool2dOptions& options_) : Module("AvgPool2d"), options(options_) {}

Tensor AvgPool2d::forward(const Tensor& input) {
  return avg_pool2d(input, options.kernel_size(), options.stride(), options.padding(), options.count_include_pad());
}

std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, count_include_pad={}", pair_repr(options.kernel_size()),
                     pair_repr(options.stride()), pair_repr(options.padding()), options.count_include_pad());
}

AdaptiveAvgPool2d::AdaptiveAvgPool2d(Size2 output_size_) : Module("AdaptiveAvgPool2d"), output_size(output_size_) {}

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) { return adaptive_avg_pool2d(input, output_size); }

std::string AdaptiveAvgPool2d::extra_repr() const { return "output_size=" + pair_repr(output_size); }

}  // namespace tinytorch::nn
