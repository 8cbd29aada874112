// nn::BasicBlock: wiring of torchvision's ResNet basic block.
#include "tinytorch/nn/residual.h"

#include "tinytorch/ops/elementwise.h"

namespace tinytorch::nn {

BasicBlock::BasicBlock(int64_t in_planes, int64_t planes, int64_t stride) : Module("BasicBlock") {
  TT_CHECK(in_planes > 0 && planes > 0 && stride > 0,
           "BasicBlock: in_planes ({}), planes ({}) and stride ({}) must be positive", in_planes, planes, stride);
  conv1 = register_module(
      "conv1", std::make_shared<Conv2d>(Conv2dOptions(in_planes, planes, 3).stride(stride).padding(1).bias(false)));
  bn1 = register_module("bn1", std::make_shared<BatchNorm2d>(planes));
  relu = register_module("relu", std::make_shared<ReLU>());
  conv2 = register_module("conv2", std::make_shared<Conv2d>(Conv2dOptions(planes, planes, 3).padding(1).bias(false)));
  bn2 = register_module("bn2", std::make_shared<BatchNorm2d>(planes));
  if (stride != 1 || in_planes != planes)
    downsample = register_module(
        "downsample", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                          std::make_shared<Conv2d>(Conv2dOptions(in_planes, planes, 1).stride(stride).bias(false)),
                          std::make_shared<BatchNorm2d>(planes)}));
}

Tensor BasicBlock::forward(const Tensor& input) {
  Tensor out = (*relu)((*bn1)((*conv1)(input)));
  out = (*bn2)((*conv2)(out));
  // Each temporary is dropped once the next exists, and the sum reuses bn2's output buffer: a
  // training step's memory peaks at a block's end.
  out = std::move(out) + (downsample ? (*downsample)(input) : input);
  return (*relu)(out);
}

}  // namespace tinytorch::nn
