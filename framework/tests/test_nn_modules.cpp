// nn::Module machinery: parameter/buffer/module traversal and names (checked against LibTorch for
// the same nested model), state_dict round trips, load_state_dict's error listing, hooks,
// train/eval recursion, zero_grad, to(dtype), registration errors, and the default initialisation
// (bounds and statistics of PyTorch's schemes, checked against LibTorch's init where it applies).
#include <gmock/gmock.h>

#include <cmath>

#include "support/expect_error.h"
#include "support/nn_compare.h"
#include "support/op_harness.h"

namespace {
namespace nn = tt::nn;
using tt_test::all_close;
using tt_test::throws_with;
using tt_test::to_torch;

// conv stem, a downsampling residual block, pooling head: every kind of registration in one model.
std::shared_ptr<nn::Sequential> small_resnet() {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(1, 4, 3).padding(1).bias(false)),
      std::make_shared<nn::BatchNorm2d>(4), std::make_shared<nn::ReLU>(), std::make_shared<nn::BasicBlock>(4, 8, 2),
      std::make_shared<nn::AdaptiveAvgPool2d>(1), std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(8, 3)});
}

torch::nn::Sequential torch_small_resnet() {
  return torch::nn::Sequential(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1).bias(false)),
                               torch::nn::BatchNorm2d(4), torch::nn::ReLU(), tt_test::TorchBasicBlock(4, 8, 2),
                               torch::nn::AdaptiveAvgPool2d(1), torch::nn::Flatten(), torch::nn::Linear(8, 3));
}

TEST(ModuleNames, NestedModelMatchesLibTorch) {
  auto ours = small_resnet();
  auto theirs = torch_small_resnet();
  EXPECT_EQ(ours->named_parameters().keys(), tt_test::torch_keys(theirs->named_parameters()));
  EXPECT_EQ(ours->named_buffers().keys(), tt_test::torch_keys(theirs->named_buffers()));
  EXPECT_EQ(ours->state_dict().keys(), tt_test::torch_state_dict_keys(theirs.ptr()));
  std::vector<std::string> our_modules, their_modules;
  for (const auto& entry : ours->named_modules()) our_modules.push_back(entry.first);
  for (const auto& entry : theirs->named_modules()) their_modules.push_back(entry.key());
  EXPECT_EQ(our_modules, their_modules);
  EXPECT_EQ(ours->children().size(), theirs->children().size());
  EXPECT_EQ(ours->parameters().size(), theirs->parameters().size());
}

TEST(ModuleNames, WholeModelTrainsLikeLibTorch) {
  auto ours = small_resnet();
  auto theirs = torch_small_resnet();
  tt_test::check_against_torch(*ours, theirs,
                               [](tt::Generator& gen) {
                                 return tt::randn({3, 1, 6, 6}, tt::kFloat32, &gen);
                               },
                               {1e-4, 1e-5});
}

// A hand-written module: own parameters and buffers come before the children's, in registration order.
struct Custom : nn::Module {
  Custom() : nn::Module("Custom") {
    scale = register_parameter("scale", tt::ones({2}));
    inner = register_module("inner", std::make_shared<nn::Linear>(2, 2));
    steps = register_buffer("steps", tt::zeros({}, tt::kInt64));
    cache = register_buffer("cache", tt::zeros({2}), false);
    shift = register_parameter("shift", tt::zeros({2}));
  }
  tt::Tensor forward(const tt::Tensor& x) override { return (*inner)(x * scale + shift); }
  tt::Tensor scale, shift, steps, cache;
  std::shared_ptr<nn::Linear> inner;
};

TEST(ModuleNames, CustomModuleOrderAndNonPersistentBuffers) {
  Custom m;
  using Keys = std::vector<std::string>;
  EXPECT_EQ(m.named_parameters().keys(), (Keys{"scale", "shift", "inner.weight", "inner.bias"}));
  EXPECT_EQ(m.named_parameters(false).keys(), (Keys{"scale", "shift"}));
  EXPECT_EQ(m.named_buffers().keys(), (Keys{"steps", "cache"}));
  EXPECT_EQ(m.state_dict().keys(), (Keys{"scale", "shift", "steps", "inner.weight", "inner.bias"}));
  EXPECT_TRUE(m.scale.requires_grad());
  EXPECT_FALSE(m.steps.requires_grad());
}

TEST(ModuleNames, SharedParameterListedOnce) {
  auto a = std::make_shared<nn::Linear>(3, 3);
  nn::Sequential tied{a, std::make_shared<nn::ReLU>(), a};
  EXPECT_EQ(tied.named_parameters().keys(), (std::vector<std::string>{"0.weight", "0.bias"}));
  EXPECT_EQ(tied.state_dict().size(), 4u);  // state_dict keeps every name, as PyTorch
  EXPECT_EQ(tied.named_modules().size(), 3u);
}

TEST(ModuleRegistration, RejectsBadNames) {
  nn::Module m("Holder");
  m.register_parameter("w", tt::zeros({2}));
  EXPECT_TRUE(throws_with([&] { m.register_buffer("w", tt::zeros({2})); }, {"Holder", "\"w\"", "already used"}));
  EXPECT_TRUE(throws_with([&] { m.register_parameter("a.b", tt::zeros({2})); }, {"Holder", "\"a.b\"", "without '.'"}));
  EXPECT_TRUE(throws_with([&] { m.register_parameter("ints", tt::zeros({2}, tt::kInt64)); },
                          {"Holder", "ints", "int64", "buffer"}));
  tt::Tensor leaf = tt::ones({2}).requires_grad_();
  EXPECT_TRUE(
      throws_with([&] { m.register_parameter("derived", leaf * 2.0); }, {"Holder", "derived", "leaf", "detach()"}));
  EXPECT_TRUE(
      throws_with([&] { m.register_module("none", std::shared_ptr<nn::Module>()); }, {"Holder", "none", "null"}));
  EXPECT_TRUE(throws_with([&] { m(tt::zeros({2})); }, {"Holder", "forward", "override"}));
}

TEST(StateDict, RoundTripReproducesOutputs) {
  auto source = small_resnet();
  auto target = small_resnet();
  source->train();
  (*source)(tt::randn({4, 1, 6, 6}));  // moves running stats away from their initial values
  const nn::TensorDict saved = source->state_dict();
  const auto result = target->load_state_dict(saved);
  EXPECT_TRUE(result.missing_keys.empty());
  EXPECT_TRUE(result.unexpected_keys.empty());
  for (const auto& [name, tensor] : target->state_dict())
    EXPECT_TRUE(all_close(tensor, to_torch(saved.at(name)), 0, 0, name));
  source->eval();
  target->eval();
  const tt::Tensor x = tt::randn({2, 1, 6, 6});
  EXPECT_TRUE(all_close((*target)(x), to_torch((*source)(x)), 0, 0, "output after load"));
  // Loaded values are copies: changing the source afterwards leaves the target alone.
  source->at<nn::Linear>(6)->reset_parameters();
  EXPECT_FALSE(all_close(target->at<nn::Linear>(6)->weight, to_torch(source->at<nn::Linear>(6)->weight), 0, 0));
}

TEST(StateDict, ValuesShareDataWithTheModule) {
  nn::Linear layer(2, 2);
  const auto state = layer.state_dict();
  EXPECT_TRUE(state.at("weight").is_same(layer.weight));
  EXPECT_TRUE(throws_with([&] { state.at("weights"); }, {"TensorDict", "\"weights\"", "\"weight\", \"bias\""}));
}

TEST(StateDict, LoadListsEveryProblemAndCopiesNothing) {
  nn::Sequential model{std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::BatchNorm1d>(4)};
  const tt::Tensor before = model.at<nn::Linear>(0)->weight.clone();
  nn::TensorDict bad = model.state_dict();
  nn::TensorDict state;
  for (const auto& [name, tensor] : bad)
    if (name != "0.bias" && name != "1.running_var") state.insert(name, tt::zeros(tensor.sizes(), tensor.dtype()));
  state.insert("0.weight", tt::zeros({4, 2}));
  state.insert("1.bias", tt::zeros({5}));
  state.insert("2.weight", tt::zeros({1}));
  state.insert("extra", tt::zeros({1}));
  try {
    model.load_state_dict(state);
    ADD_FAILURE() << "expected tt::Error";
  } catch (const tt::Error& e) {
    const std::string message = e.what();
    for (const char* fragment :
         {"load_state_dict", "Sequential", "missing keys [\"0.bias\", \"1.running_var\"]",
          "unexpected keys [\"2.weight\", \"extra\"]", "\"0.weight\" expects [4, 3] but got [4, 2]",
          "\"1.bias\" expects [4] but got [5]", "strict=false"})
      EXPECT_THAT(message, ::testing::HasSubstr(fragment));
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
  EXPECT_TRUE(all_close(model.at<nn::Linear>(0)->weight, to_torch(before), 0, 0, "weight after failed load"));

  // Non-strict: missing and unexpected keys are reported, not fatal; shape mismatches still are.
  state.insert("0.weight", tt::zeros({4, 3}));
  state.insert("1.bias", tt::zeros({4}));
  const auto result = model.load_state_dict(state, false);
  EXPECT_EQ(result.missing_keys, (std::vector<std::string>{"0.bias", "1.running_var"}));
  EXPECT_EQ(result.unexpected_keys, (std::vector<std::string>{"2.weight", "extra"}));
  EXPECT_EQ(tt::sum(tt::abs(model.at<nn::Linear>(0)->weight)).item(), 0.0);
  state.insert("1.weight", tt::zeros({3}));
  EXPECT_TRUE(throws_with([&] { model.load_state_dict(state, false); }, {"\"1.weight\" expects [4] but got [3]"}));
}

TEST(StateDict, LoadConvertsDtypeAndKeepsParametersLeaves) {
  nn::Linear layer(2, 3);
  nn::TensorDict state;
  state.insert("weight", tt::ones({3, 2}, tt::kFloat64));
  state.insert("bias", tt::zeros({3}, tt::kFloat64));
  layer.load_state_dict(state);
  EXPECT_EQ(layer.weight.dtype(), tt::kFloat32);
  EXPECT_TRUE(layer.weight.is_leaf());
  EXPECT_TRUE(layer.weight.requires_grad());
  EXPECT_EQ(tt::sum(layer.weight).item(), 6.0);
}

TEST(Hooks, ForwardPreHookAndForwardHookCanReplaceTensors) {
  nn::Linear layer(3, 2);
  std::vector<std::string> calls;
  auto pre = layer.register_forward_pre_hook([&](nn::Module& m, const tt::Tensor& x) {
    calls.push_back("pre:" + m.name());
    return x * 2.0;
  });
  auto post = layer.register_forward_hook([&](nn::Module&, const tt::Tensor& x, const tt::Tensor& y) {
    calls.push_back("post");
    EXPECT_TRUE(all_close(y, to_torch(tt::linear(x, layer.weight, layer.bias)), 1e-6, 1e-6, "hook sees output"));
    return y + 1.0;
  });
  const tt::Tensor x = tt::randn({4, 3});
  const tt::Tensor expected = tt::linear(x * 2.0, layer.weight, layer.bias) + 1.0;
  EXPECT_TRUE(all_close(layer(x), to_torch(expected), 1e-6, 1e-6, "hooked output"));
  EXPECT_EQ(calls, (std::vector<std::string>{"pre:Linear", "post"}));
  pre.remove();
  post.remove();
  post.remove();  // harmless
  EXPECT_TRUE(all_close(layer(x), to_torch(layer.forward(x)), 0, 0, "output after removal"));
  EXPECT_EQ(calls.size(), 2u);
}

TEST(Hooks, FireForModulesInsideSequential) {
  auto inner = std::make_shared<nn::ReLU>();
  nn::Sequential seq{std::make_shared<nn::Linear>(2, 2), inner};
  int fired = 0;
  inner->register_forward_hook([&](nn::Module&, const tt::Tensor&, const tt::Tensor& y) {
    ++fired;
    return y * 0.0;
  });
  EXPECT_EQ(tt::sum(tt::abs(seq(tt::randn({3, 2})))).item(), 0.0);
  EXPECT_EQ(fired, 1);
}

TEST(Hooks, FullBackwardHookSeesModuleGradients) {
  nn::Linear layer(3, 2);
  tt::Tensor grad_in_seen, grad_out_seen;
  auto handle = layer.register_full_backward_hook([&](nn::Module&, const tt::Tensor& gi, const tt::Tensor& go) {
    grad_in_seen = gi;
    grad_out_seen = go;
    return tt::Tensor();
  });
  // x also feeds a second branch, so x.grad() is not the module's own input gradient.
  tt::Tensor x = tt::randn({4, 3}).requires_grad_();
  tt::Tensor y = layer(x);
  const tt::Tensor upstream = tt::randn({4, 2});
  (tt::sum(y * upstream) + tt::sum(x * 5.0)).backward();
  ASSERT_TRUE(grad_out_seen.defined());
  ASSERT_TRUE(grad_in_seen.defined());
  EXPECT_TRUE(all_close(grad_out_seen, to_torch(upstream), 1e-6, 1e-6, "grad_output"));
  const tt::Tensor expected_in = tt::matmul(upstream, layer.weight.detach());
  EXPECT_TRUE(all_close(grad_in_seen, to_torch(expected_in), 1e-6, 1e-6, "grad_input"));
  EXPECT_TRUE(all_close(x.grad(), to_torch(expected_in + 5.0), 1e-6, 1e-6, "x.grad"));

  // A replacement grad_input reaches the input; without a differentiable input grad_input is undefined.
  handle.remove();
  layer.register_full_backward_hook(
      [](nn::Module&, const tt::Tensor& gi, const tt::Tensor&) { return gi.defined() ? gi * 0.0 : tt::Tensor(); });
  tt::Tensor x2 = tt::randn({4, 3}).requires_grad_();
  layer(x2).sum().backward();
  EXPECT_EQ(tt::sum(tt::abs(x2.grad())).item(), 0.0);
  bool called_without_input = false;
  layer.register_full_backward_hook([&](nn::Module&, const tt::Tensor& gi, const tt::Tensor& go) {
    called_without_input = !gi.defined() && go.defined();
    return tt::Tensor();
  });
  layer(tt::randn({4, 3})).sum().backward();
  EXPECT_TRUE(called_without_input);
}

TEST(TrainEval, RecursesIntoEveryDescendant) {
  auto model = small_resnet();
  EXPECT_TRUE(model->is_training());
  model->eval();
  for (const auto& [name, module] : model->named_modules()) EXPECT_FALSE(module->is_training()) << name;
  model->train();
  for (const auto& [name, module] : model->named_modules()) EXPECT_TRUE(module->is_training()) << name;
  model->at<nn::BasicBlock>(3)->eval();
  EXPECT_TRUE(model->is_training());
  EXPECT_FALSE(model->at<nn::BasicBlock>(3)->bn1->is_training());
}

TEST(ZeroGrad, DropsOrZeroesGradients) {
  nn::Linear layer(3, 2);
  layer(tt::randn({2, 3})).sum().backward();
  ASSERT_TRUE(layer.weight.grad().defined());
  layer.zero_grad(false);
  ASSERT_TRUE(layer.weight.grad().defined());
  EXPECT_EQ(tt::sum(tt::abs(layer.weight.grad())).item(), 0.0);
  layer.zero_grad();
  EXPECT_FALSE(layer.weight.grad().defined());
  EXPECT_FALSE(layer.bias.grad().defined());
}

TEST(ModuleTo, Float64KeepsHandlesLeavesAndMatchesLibTorch) {
  auto ours = small_resnet();
  auto theirs = torch_small_resnet();
  tt_test::copy_torch_state(*ours, *theirs);
  const tt::TensorList params_before = ours->parameters();
  (*ours)(tt::randn({2, 1, 6, 6})).sum().backward();
  ours->to(tt::kFloat64);
  theirs->to(torch::kFloat64);
  // LibTorch's C++ Module::to converts integer buffers too; Python's (which TinyTorch follows) keeps them.
  for (auto& buffer : theirs->named_buffers())
    if (buffer.key().find("num_batches_tracked") != std::string::npos)
      buffer.value().set_data(buffer.value().to(torch::kInt64));
  for (const auto& [name, param] : ours->named_parameters()) {
    EXPECT_EQ(param.dtype(), tt::kFloat64) << name;
    EXPECT_TRUE(param.is_leaf() && param.requires_grad()) << name;
    EXPECT_EQ(param.grad().dtype(), tt::kFloat64) << name;
  }
  for (const auto& param : params_before) EXPECT_EQ(param.dtype(), tt::kFloat64);  // same handles
  EXPECT_EQ(ours->at<nn::Linear>(6)->weight.dtype(), tt::kFloat64);                // layer members too
  EXPECT_EQ(ours->named_buffers().at("1.running_mean").dtype(), tt::kFloat64);
  EXPECT_EQ(ours->named_buffers().at("1.num_batches_tracked").dtype(), tt::kInt64);
  ours->zero_grad();
  tt_test::check_against_torch(*ours, theirs,
                               [](tt::Generator& gen) {
                                 return tt::randn({2, 1, 6, 6}, tt::kFloat64, &gen);
                               },
                               {1e-10, 1e-12});
  EXPECT_TRUE(throws_with([&] { ours->to(tt::kInt64); }, {"Sequential", "int64", "float32 or float64"}));
}

TEST(ModuleRepr, PrintsNestedStructure) {
  nn::Sequential model{std::make_shared<nn::Linear>(4, 2), std::make_shared<nn::ReLU>()};
  EXPECT_EQ(model.to_string(),
            "Sequential(\n  (0): Linear(in_features=4, out_features=2, bias=true)\n  (1): ReLU()\n)");
}

TEST(SequentialContainer, IndexingIterationAndErrors) {
  nn::Sequential seq;
  auto fc = seq.push_back(std::make_shared<nn::Linear>(2, 2));
  seq.push_back(std::make_shared<nn::Tanh>());
  EXPECT_EQ(seq.size(), 2u);
  EXPECT_EQ(seq[0].get(), fc.get());
  std::vector<std::string> names;
  for (const auto& module : seq) names.push_back(module->name());
  EXPECT_EQ(names, (std::vector<std::string>{"Linear", "Tanh"}));
  EXPECT_TRUE(throws_with([&] { seq[2]; }, {"Sequential", "index 2", "2 modules"}));
  EXPECT_TRUE(throws_with([&] { seq.at<nn::Conv2d>(1); }, {"Sequential", "module 1", "Tanh"}));
}

// ---- initialisation ----

// Uniform draws on [-bound, bound]: all inside, extremes near the bound, variance bound^2 / 3.
void expect_uniform(const tt::Tensor& t, double bound, const std::string& what) {
  SCOPED_TRACE(what);
  const auto values = t.to_vector<double>();
  double lo = values[0], hi = values[0], sum = 0, sum_sq = 0;
  for (double v : values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
    sum_sq += v * v;
  }
  const auto n = static_cast<double>(values.size());
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  // The extremes miss the bound by more than 20 / n of it with probability about e^-10; the moments
  // are checked to 5 standard errors.
  EXPECT_GT(hi, bound * (1 - 20 / n));
  EXPECT_LT(lo, -bound * (1 - 20 / n));
  EXPECT_NEAR(sum / n, 0.0, 5 * bound / std::sqrt(3 * n));
  EXPECT_NEAR(sum_sq / n, bound * bound / 3, 5 * std::sqrt(0.8 / n) * bound * bound / 3);
}

TEST(Init, LinearAndConvUseKaimingUniformWithFanIn) {
  nn::Linear linear(256, 300);
  expect_uniform(linear.weight, 1.0 / 16.0, "Linear weight");
  nn::Linear wide(49, 5000);
  expect_uniform(wide.bias, 1.0 / 7.0, "Linear bias");
  nn::Conv2d conv(nn::Conv2dOptions(8, 64, 3));
  expect_uniform(conv.weight, 1.0 / std::sqrt(72.0), "Conv2d weight");
  nn::Conv2d grouped(nn::Conv2dOptions(8, 500, {2, 2}).groups(2));  // fan_in = 8 / 2 * 4 = 16
  expect_uniform(grouped.weight, 0.25, "grouped Conv2d weight");
  expect_uniform(grouped.bias, 0.25, "grouped Conv2d bias");
}

TEST(Init, NormAndEmbeddingDefaults) {
  nn::BatchNorm2d bn(5);
  EXPECT_EQ(bn.weight.to_vector<float>(), std::vector<float>(5, 1.0f));
  EXPECT_EQ(bn.bias.to_vector<float>(), std::vector<float>(5, 0.0f));
  EXPECT_EQ(bn.running_mean.to_vector<float>(), std::vector<float>(5, 0.0f));
  EXPECT_EQ(bn.running_var.to_vector<float>(), std::vector<float>(5, 1.0f));
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 0);
  nn::LayerNorm ln(nn::LayerNormOptions({2, 3}));
  EXPECT_EQ(ln.weight.to_vector<float>(), std::vector<float>(6, 1.0f));
  EXPECT_EQ(ln.bias.to_vector<float>(), std::vector<float>(6, 0.0f));
  nn::Embedding emb(200, 100);
  const tt::Tensor w = emb.weight.to(tt::kFloat64);
  EXPECT_NEAR(tt::mean(w).item(), 0.0, 0.035);  // 5 standard errors of 20000 draws
  EXPECT_NEAR(tt::std(w).item(), 1.0, 0.025);
}

TEST(Init, GainsAndBoundsMatchLibTorch) {
  using tt::nn::init::Nonlinearity;
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(Nonlinearity::ReLU), torch::nn::init::calculate_gain(torch::kReLU));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(Nonlinearity::Tanh), torch::nn::init::calculate_gain(torch::kTanh));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain(Nonlinearity::LeakyReLU, std::sqrt(5.0)),
                   torch::nn::init::calculate_gain(torch::kLeakyReLU, std::sqrt(5.0)));
  const tt::Tensor weight = tt::empty({300, 20, 3, 3});
  const auto [fan_in, fan_out] = nn::init::calculate_fan_in_and_fan_out(weight);
  const auto torch_fans = torch::nn::init::_calculate_fan_in_and_fan_out(torch::empty({300, 20, 3, 3}));
  EXPECT_EQ(fan_in, std::get<0>(torch_fans));
  EXPECT_EQ(fan_out, std::get<1>(torch_fans));
  nn::init::xavier_uniform_(weight, 2.0);
  expect_uniform(weight, 2.0 * std::sqrt(6.0 / (180 + 2700)), "xavier_uniform_");
  nn::init::kaiming_uniform_(weight, 0.0, nn::init::FanMode::FanOut, Nonlinearity::ReLU);
  expect_uniform(weight, std::sqrt(2.0) * std::sqrt(3.0 / 2700), "kaiming_uniform_ fan_out");
  nn::init::kaiming_normal_(weight, 0.0, nn::init::FanMode::FanIn, Nonlinearity::ReLU);
  EXPECT_NEAR(tt::std(weight.to(tt::kFloat64)).item(), std::sqrt(2.0 / 180), 0.02 * std::sqrt(2.0 / 180));
  EXPECT_TRUE(
      throws_with([] { nn::init::kaiming_uniform_(tt::empty({5})); }, {"kaiming_uniform_", "[5]", "at least 2 dims"}));
}

TEST(Init, SeededGeneratorReproducesParameters) {
  nn::Linear a(4, 3), b(4, 3);
  tt::Generator g1(42), g2(42);
  a.reset_parameters(&g1);
  b.reset_parameters(&g2);
  EXPECT_TRUE(all_close(a.weight, to_torch(b.weight), 0, 0, "weight"));
  EXPECT_TRUE(all_close(a.bias, to_torch(b.bias), 0, 0, "bias"));
  tt::manual_seed(7);
  nn::Conv2d c(2, 2, 3);
  tt::manual_seed(7);
  nn::Conv2d d(2, 2, 3);
  EXPECT_TRUE(all_close(c.weight, to_torch(d.weight), 0, 0, "manual_seed"));
}

}  // namespace
