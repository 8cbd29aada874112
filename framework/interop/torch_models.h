// LibTorch twins of tinytorch/models/models.h (same layers, same state_dict keys) and the weight
// copy between the two, for the differential training tests and the LibTorch training twin.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "interop/torch_interop.h"
#include "tinytorch/nn/module.h"

namespace tinytorch::interop {

inline torch::nn::Sequential torch_mlp(int64_t in_features = 28 * 28, int64_t num_classes = 10) {
  return torch::nn::Sequential(torch::nn::Flatten(), torch::nn::Linear(in_features, 256), torch::nn::ReLU(),
                               torch::nn::Linear(256, 128), torch::nn::ReLU(), torch::nn::Linear(128, num_classes));
}

inline torch::nn::Sequential torch_cnn(int64_t in_channels = 1, int64_t image_size = 28, int64_t num_classes = 10) {
  namespace tnn = torch::nn;
  const int64_t pooled = image_size / 4;
  return tnn::Sequential(tnn::Conv2d(tnn::Conv2dOptions(in_channels, 32, 3).padding(1)), tnn::ReLU(), tnn::MaxPool2d(2),
                         tnn::Conv2d(tnn::Conv2dOptions(32, 64, 3).padding(1)), tnn::ReLU(), tnn::MaxPool2d(2),
                         tnn::Flatten(), tnn::Linear(64 * pooled * pooled, 128), tnn::ReLU(),
                         tnn::Linear(128, num_classes));
}

// torchvision's BasicBlock.
struct TorchBasicBlockImpl : torch::nn::Module {
  TorchBasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride) {
    namespace tnn = torch::nn;
    conv1 = register_module(
        "conv1", tnn::Conv2d(tnn::Conv2dOptions(in_planes, planes, 3).stride(stride).padding(1).bias(false)));
    bn1 = register_module("bn1", tnn::BatchNorm2d(planes));
    relu = register_module("relu", tnn::ReLU());
    conv2 = register_module("conv2", tnn::Conv2d(tnn::Conv2dOptions(planes, planes, 3).padding(1).bias(false)));
    bn2 = register_module("bn2", tnn::BatchNorm2d(planes));
    if (stride != 1 || in_planes != planes)
      downsample = register_module(
          "downsample",
          tnn::Sequential(tnn::Conv2d(tnn::Conv2dOptions(in_planes, planes, 1).stride(stride).bias(false)),
                          tnn::BatchNorm2d(planes)));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    torch::Tensor out = relu(bn1(conv1(x)));
    out = bn2(conv2(out));
    return relu(out + (downsample ? downsample->forward(x) : x));
  }
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::ReLU relu{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(TorchBasicBlock);

// models::SmallResNet.
struct TorchSmallResNetImpl : torch::nn::Module {
  explicit TorchSmallResNetImpl(int64_t in_channels = 1, int64_t num_classes = 10,
                                std::vector<int64_t> widths = {16, 32, 64}) {
    namespace tnn = torch::nn;
    conv1 = register_module("conv1", tnn::Conv2d(tnn::Conv2dOptions(in_channels, widths[0], 3).padding(1).bias(false)));
    bn1 = register_module("bn1", tnn::BatchNorm2d(widths[0]));
    relu = register_module("relu", tnn::ReLU());
    int64_t planes = widths[0];
    for (size_t i = 0; i < widths.size(); ++i) {
      layers.push_back(
          register_module("layer" + std::to_string(i + 1), TorchBasicBlock(planes, widths[i], i == 0 ? 1 : 2)));
      planes = widths[i];
    }
    avgpool = register_module("avgpool", tnn::AdaptiveAvgPool2d(1));
    fc = register_module("fc", tnn::Linear(planes, num_classes));
  }
  torch::Tensor forward(const torch::Tensor& input) {
    torch::Tensor x = relu(bn1(conv1(input)));
    for (auto& layer : layers) x = layer(x);
    return fc(avgpool(x).flatten(1));
  }
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::ReLU relu{nullptr};
  std::vector<TorchBasicBlock> layers;
  torch::nn::AdaptiveAvgPool2d avgpool{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(TorchSmallResNet);

// Parameters then buffers of a LibTorch module under their dotted names, as a TinyTorch TensorDict.
inline nn::TensorDict torch_state_dict(const torch::nn::Module& module) {
  nn::TensorDict state;
  for (const auto& item : module.named_parameters()) state.insert(item.key(), from_torch(item.value().detach()));
  for (const auto& item : module.named_buffers()) state.insert(item.key(), from_torch(item.value().detach()));
  return state;
}

// Copies a LibTorch model's weights and buffers into the TinyTorch model of the same layout.
inline void copy_weights(const torch::nn::Module& from, nn::Module& to) { to.load_state_dict(torch_state_dict(from)); }

// Copies a TinyTorch model's weights and buffers into the LibTorch model of the same layout.
inline void copy_weights(const nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  const nn::TensorDict state = from.state_dict();
  for (auto& item : to.named_parameters()) item.value().copy_(to_torch(state.at(item.key())));
  for (auto& item : to.named_buffers()) item.value().copy_(to_torch(state.at(item.key())));
}

}  // namespace tinytorch::interop
