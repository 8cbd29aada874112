// nn::Conv2d: 2-D convolution over [N, C_in, H, W] (or unbatched [C_in, H, W]) input, as
// torch.nn.Conv2d with padding_mode "zeros". weight is [C_out, C_in / groups, kH, kW].
#pragma once

#include "tinytorch/generator.h"
#include "tinytorch/nn/module.h"
#include "tinytorch/nn/options.h"

namespace tinytorch::nn {

struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, Size2 kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TT_NN_ARG(int64_t, in_channels);
  TT_NN_ARG(int64_t, out_channels);
  TT_NN_ARG(Size2, kernel_size);
  TT_NN_ARG(Size2, stride) = 1;
  TT_NN_ARG(Size2, padding) = 0;
  TT_NN_ARG(Size2, dilation) = 1;
  TT_NN_ARG(int64_t, groups) = 1;
  TT_NN_ARG(bool, bias) = true;
};

class Conv2d : public Module {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size)
      : Conv2d(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& input) override;
  // PyTorch's default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C_in / groups * kH * kW.
  void reset_parameters(Generator* generator = nullptr);
  std::string extra_repr() const override;

  Conv2dOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};

}  // namespace tinytorch::nn
