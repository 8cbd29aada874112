// Pooling layers over [N, C, H, W] (or [C, H, W]) input: MaxPool2d, AvgPool2d and
// AdaptiveAvgPool2d, as their torch.nn namesakes (ceil_mode and divisor_override are not supported).
#pragma once

#include "tinytorch/nn/module.h"
#include "tinytorch/nn/options.h"

namespace tinytorch::nn {

struct MaxPool2dOptions {
  MaxPool2dOptions(Size2 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}  // NOLINT
  TT_NN_ARG(Size2, kernel_size);
  TT_NN_ARG(Size2, stride);  // defaults to kernel_size
  TT_NN_ARG(Size2, padding) = 0;
  TT_NN_ARG(Size2, dilation) = 1;
};

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const MaxPool2dOptions& options);
  explicit MaxPool2d(Size2 kernel_size) : MaxPool2d(MaxPool2dOptions(kernel_size)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  MaxPool2dOptions options;
};

struct AvgPool2dOptions {
  AvgPool2dOptions(Size2 kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}  // NOLINT
  TT_NN_ARG(Size2, kernel_size);
  TT_NN_ARG(Size2, stride);  // defaults to kernel_size
  TT_NN_ARG(Size2, padding) = 0;
  TT_NN_ARG(bool, count_include_pad) = true;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const AvgPool2dOptions& options);
  explicit AvgPool2d(Size2 kernel_size) : AvgPool2d(AvgPool2dOptions(kernel_size)) {}
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  AvgPool2dOptions options;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  Size2 output_size;
};

}  // namespace tinytorch::nn
