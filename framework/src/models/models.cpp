// The reference models (MLP, 2-conv CNN, small ResNet) and the by-name factory.
#include "tinytorch/models/models.h"

#include <fmt/ranges.h>

namespace tinytorch::models {

std::shared_ptr<nn::Sequential> mlp(int64_t in_features, int64_t num_classes) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(in_features, 256), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(256, 128), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(128, num_classes)});
}

std::shared_ptr<nn::Sequential> cnn(int64_t in_channels, int64_t image_size, int64_t num_classes) {
  TT_CHECK(image_size % 4 == 0, "models::cnn: image_size {} must be a multiple of 4 (two 2x2 pools)", image_size);
  const int64_t pooled = image_size / 4;
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in_channels, 32, 3).padding(1)), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Conv2d>(nn::Conv2dOptions(32, 64, 3).padding(1)),
      std::make_shared<nn::ReLU>(), std::make_shared<nn::MaxPool2d>(2), std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(64 * pooled * pooled, 128), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Linear>(128, num_classes)});
}

SmallResNet::SmallResNet(int64_t in_channels, int64_t num_classes, std::vector<int64_t> widths)
    : Module("SmallResNet") {
  TT_CHECK(!widths.empty(), "SmallResNet: needs at least one block width");
  conv1 = register_module(
      "conv1", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in_channels, widths[0], 3).padding(1).bias(false)));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(widths[0]));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  int64_t planes = widths[0];
  for (size_t i = 0; i < widths.size(); ++i) {
    const int64_t stride = i == 0 ? 1 : 2;
    layers.push_back(
        register_module(fmt::format("layer{}", i + 1), std::make_shared<nn::BasicBlock>(planes, widths[i], stride)));
    planes = widths[i];
  }
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  fc = register_module("fc", std::make_shared<nn::Linear>(planes, num_classes));
}

Tensor SmallResNet::forward(const Tensor& input) {
  Tensor x = (*relu)((*bn1)((*conv1)(input)));
  for (const auto& layer : layers) x = (*layer)(x);
  return (*fc)((*avgpool)(x).flatten(1));
}

const std::vector<std::string>& names() {
  static const std::vector<std::string> kNames{"mlp", "cnn", "resnet"};
  return kNames;
}

std::shared_ptr<nn::Module> make(const std::string& name) {
  if (name == "mlp") return mlp();
  if (name == "cnn") return cnn();
  if (name == "resnet") return std::make_shared<SmallResNet>();
  throw Error(fmt::format("models::make: unknown model \"{}\"; choose one of {}", name, fmt::join(names(), ", ")));
}

}  // namespace tinytorch::models
