// The reference models of the Fashion-MNIST experiments, built in one place for the training
// program, the differential tests and the benchmark suites. Layer names follow torch.nn's
// (Sequential indices, torchvision's ResNet names), so an identically built LibTorch model has the
// same state_dict keys (framework/interop/torch_models.h builds those twins).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tinytorch/nn.h"

namespace tinytorch::models {

// Flatten → Linear(in, 256) → ReLU → Linear(256, 128) → ReLU → Linear(128, classes).
std::shared_ptr<nn::Sequential> mlp(int64_t in_features = 28 * 28, int64_t num_classes = 10);

// Two 3x3 conv blocks (32 and 64 channels, padding 1, ReLU, 2x2 max-pool) → Flatten →
// Linear(64 · (size/4)², 128) → ReLU → Linear(128, classes): TensorFlow's Fashion-MNIST example.
std::shared_ptr<nn::Sequential> cnn(int64_t in_channels = 1, int64_t image_size = 28, int64_t num_classes = 10);

// A small ResNet: conv 3x3 stem without bias → BatchNorm → ReLU, then BasicBlocks of the given
// widths (the first keeps the stem's width, each later one halves the resolution), adaptive average
// pool to 1x1 and a linear classifier. Names: conv1, bn1, relu, layer1.., avgpool, fc.
class SmallResNet : public nn::Module {
 public:
  explicit SmallResNet(int64_t in_channels = 1, int64_t num_classes = 10, std::vector<int64_t> widths = {16, 32, 64});
  Tensor forward(const Tensor& input) override;

  std::shared_ptr<nn::Conv2d> conv1;
  std::shared_ptr<nn::BatchNorm2d> bn1;
  std::shared_ptr<nn::ReLU> relu;
  std::vector<std::shared_ptr<nn::BasicBlock>> layers;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool;
  std::shared_ptr<nn::Linear> fc;
};

// "mlp", "cnn" or "resnet" for 1x28x28 inputs and 10 classes; throws listing the names otherwise.
std::shared_ptr<nn::Module> make(const std::string& name);
const std::vector<std::string>& names();

}  // namespace tinytorch::models
