// Differential checks of nn modules against their LibTorch namesakes (header-only, shared by
// test_nn_modules.cpp and test_nn_layers.cpp). The LibTorch module's initial parameters and buffers
// are copied into the TinyTorch module through load_state_dict (so parameter names must match
// PyTorch's), then both run the same inputs and upstream gradients for several steps, and outputs,
// input gradients, accumulated parameter gradients and buffers are compared after every step.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "support/torch_bridge.h"

namespace tt_test {

inline std::vector<std::string> torch_keys(const torch::OrderedDict<std::string, at::Tensor>& dict) {
  std::vector<std::string> keys;
  for (const auto& item : dict) keys.push_back(item.key());
  return keys;
}

// Python's state_dict() key order for a LibTorch module: per module (depth first), its own
// parameters, then its own buffers.
inline std::vector<std::string> torch_state_dict_keys(const std::shared_ptr<torch::nn::Module>& module) {
  std::vector<std::string> keys;
  for (const auto& entry : module->named_modules()) {
    const std::string prefix = entry.key().empty() ? "" : entry.key() + ".";
    for (const auto& p : entry.value()->named_parameters(false)) keys.push_back(prefix + p.key());
    for (const auto& b : entry.value()->named_buffers(false)) keys.push_back(prefix + b.key());
  }
  return keys;
}

inline tt::nn::TensorDict torch_state(const torch::nn::Module& module) {
  tt::nn::TensorDict state;
  for (const auto& p : module.named_parameters()) state.insert(p.key(), from_torch(p.value()));
  for (const auto& b : module.named_buffers()) state.insert(b.key(), from_torch(b.value()));
  return state;
}

// Copies the LibTorch module's state in (strict: the names must match exactly) and checks the
// parameter and buffer names and their order.
inline void copy_torch_state(tt::nn::Module& ours, const torch::nn::Module& theirs) {
  EXPECT_EQ(ours.named_parameters().keys(), torch_keys(theirs.named_parameters()));
  EXPECT_EQ(ours.named_buffers().keys(), torch_keys(theirs.named_buffers()));
  ours.load_state_dict(torch_state(theirs));
}

struct ModuleTolerance {
  double rtol = 1e-5;
  double atol = 1e-6;
};

// modes[i] is the training flag of step i; the default trains twice (so running statistics and
// accumulated gradients are exercised) and then evaluates.
template <class Holder>
void check_against_torch(tt::nn::Module& ours, Holder& theirs,
                         const std::function<tt::Tensor(tt::Generator&)>& make_input, ModuleTolerance tol = {},
                         const std::vector<bool>& modes = {true, true, false}, uint64_t seed = 99) {
  copy_torch_state(ours, *theirs);
  tt::Generator gen(seed);
  for (size_t step = 0; step < modes.size(); ++step) {
    SCOPED_TRACE("step " + std::to_string(step) + (modes[step] ? " (train)" : " (eval)"));
    ours.train(modes[step]);
    theirs->train(modes[step]);
    const tt::Tensor input = make_input(gen);
    const bool input_grad = input.is_floating_point();
    tt::Tensor x = input.detach();
    at::Tensor torch_x = to_torch(input);
    if (input_grad) {
      x.requires_grad_();
      torch_x.requires_grad_();
    }
    tt::Tensor y = ours(x);
    at::Tensor torch_y = theirs->forward(torch_x);
    EXPECT_TRUE(all_close(y, torch_y, tol.rtol, tol.atol, "output"));

    const tt::Tensor upstream = tt::randn(y.sizes(), tt::kFloat64, &gen).to(y.dtype());
    y.backward(upstream);
    torch_y.backward(to_torch(upstream));
    if (input_grad) {
      EXPECT_TRUE(all_close(x.grad(), torch_x.grad(), tol.rtol, tol.atol, "input gradient"));
    }
    const auto torch_params = theirs->named_parameters();
    for (const auto& [name, param] : ours.named_parameters())
      EXPECT_TRUE(all_close(param.grad(), torch_params[name].grad(), tol.rtol, tol.atol, "gradient of " + name));
    const auto torch_buffers = theirs->named_buffers();
    for (const auto& [name, buffer] : ours.named_buffers())
      EXPECT_TRUE(all_close(buffer, torch_buffers[name], tol.rtol, tol.atol, "buffer " + name));
  }
}

// torchvision's BasicBlock written with LibTorch modules, for differential tests of nn::BasicBlock.
struct TorchBasicBlockImpl : torch::nn::Module {
  TorchBasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride) {
    using torch::nn::Conv2dOptions;
    conv1 = register_module(
        "conv1", torch::nn::Conv2d(Conv2dOptions(in_planes, planes, 3).stride(stride).padding(1).bias(false)));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
    relu = register_module("relu", torch::nn::ReLU());
    conv2 = register_module("conv2", torch::nn::Conv2d(Conv2dOptions(planes, planes, 3).padding(1).bias(false)));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
    if (stride != 1 || in_planes != planes)
      downsample = register_module(
          "downsample",
          torch::nn::Sequential(torch::nn::Conv2d(Conv2dOptions(in_planes, planes, 1).stride(stride).bias(false)),
                                torch::nn::BatchNorm2d(planes)));
  }
  at::Tensor forward(const at::Tensor& x) {
    at::Tensor out = relu(bn1(conv1(x)));
    out = bn2(conv2(out));
    return relu(out + (downsample.is_empty() ? x : downsample->forward(x)));
  }
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::ReLU relu{nullptr};
  torch::nn::Sequential downsample{nullptr};
};
TORCH_MODULE(TorchBasicBlock);

}  // namespace tt_test
