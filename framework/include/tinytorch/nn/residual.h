// nn::BasicBlock: the residual block of ResNet-18/34, as torchvision.models.resnet.BasicBlock:
//   out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
// conv1 is 3x3 with `stride`, conv2 3x3 with stride 1, both without bias. The shortcut is the
// identity when the shape is kept, else `downsample` = Sequential(1x1 conv with stride, BatchNorm2d).
// Submodule names match torchvision's (conv1, bn1, relu, conv2, bn2, downsample.0, downsample.1).
#pragma once

#include <memory>

#include "tinytorch/nn/activation.h"
#include "tinytorch/nn/container.h"
#include "tinytorch/nn/conv.h"
#include "tinytorch/nn/normalization.h"

namespace tinytorch::nn {

class BasicBlock : public Module {
 public:
  BasicBlock(int64_t in_planes, int64_t planes, int64_t stride = 1);
  Tensor forward(const Tensor& input) override;

  std::shared_ptr<Conv2d> conv1;
  std::shared_ptr<BatchNorm2d> bn1;
  std::shared_ptr<ReLU> relu;
  std::shared_ptr<Conv2d> conv2;
  std::shared_ptr<BatchNorm2d> bn2;
  std::shared_ptr<Sequential> downsample;  // nullptr for the identity shortcut
};

}  // namespace tinytorch::nn
