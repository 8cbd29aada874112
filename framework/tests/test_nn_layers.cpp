// Every nn layer and loss module against the LibTorch module of the same name: LibTorch's initial
// parameters are loaded by name, then outputs, input gradients, parameter gradients and buffers
// (BatchNorm running statistics) are compared over two training steps and one eval step (f32).
// Dropout, whose masks come from a different random stream, is checked by its defining properties.
#include "support/expect_error.h"
#include "support/nn_compare.h"
#include "support/op_harness.h"

namespace {
namespace nn = tt::nn;
using tt_test::all_close;
using tt_test::check_against_torch;
using tt_test::ModuleTolerance;
using tt_test::throws_with;
using tt_test::to_torch;

std::function<tt::Tensor(tt::Generator&)> normal_input(tt::Shape shape) {
  return [shape](tt::Generator& gen) { return tt::randn(shape, tt::kFloat32, &gen); };
}

// Convolution and normalisation sum many products; their f32 results differ from LibTorch's
// differently ordered sums by a few ulps of the largest partial sum.
constexpr ModuleTolerance kReductionTol{1e-4, 1e-5};

TEST(Linear, MatchesLibTorch) {
  nn::Linear ours(5, 4);
  torch::nn::Linear theirs(5, 4);
  check_against_torch(ours, theirs, normal_input({3, 5}));
  check_against_torch(ours, theirs, normal_input({2, 3, 5}));  // extra leading dims
}

TEST(Linear, WithoutBias) {
  nn::Linear ours(6, 2, false);
  torch::nn::Linear theirs(torch::nn::LinearOptions(6, 2).bias(false));
  EXPECT_FALSE(ours.bias.defined());
  check_against_torch(ours, theirs, normal_input({4, 6}));
}

TEST(Linear, RejectsWrongInputWidth) {
  nn::Linear layer(5, 4);
  EXPECT_TRUE(throws_with([&] { layer(tt::randn({3, 6})); }, {"Linear", "[3, 6]", "in_features = 5"}));
}

TEST(Conv2d, MatchesLibTorch) {
  nn::Conv2d ours(nn::Conv2dOptions(3, 4, 3).stride(2).padding(1));
  torch::nn::Conv2d theirs(torch::nn::Conv2dOptions(3, 4, 3).stride(2).padding(1));
  check_against_torch(ours, theirs, normal_input({2, 3, 7, 6}), kReductionTol);
}

TEST(Conv2d, GroupsDilationRectangularNoBias) {
  nn::Conv2d ours(nn::Conv2dOptions(4, 6, {3, 2}).dilation({2, 1}).groups(2).bias(false));
  torch::nn::Conv2d theirs(torch::nn::Conv2dOptions(4, 6, {3, 2}).dilation({2, 1}).groups(2).bias(false));
  check_against_torch(ours, theirs, normal_input({2, 4, 8, 5}), kReductionTol);
}

TEST(MaxPool2d, MatchesLibTorch) {
  nn::MaxPool2d ours(nn::MaxPool2dOptions(3).stride(2).padding(1));
  torch::nn::MaxPool2d theirs(torch::nn::MaxPool2dOptions(3).stride(2).padding(1));
  check_against_torch(ours, theirs, normal_input({2, 3, 7, 8}));
  nn::MaxPool2d default_stride(2);
  torch::nn::MaxPool2d torch_default_stride(2);
  check_against_torch(default_stride, torch_default_stride, normal_input({1, 2, 6, 6}));
}

TEST(AvgPool2d, MatchesLibTorch) {
  nn::AvgPool2d ours(2);
  torch::nn::AvgPool2d theirs(2);
  check_against_torch(ours, theirs, normal_input({2, 3, 6, 8}));
  nn::AvgPool2d padded(nn::AvgPool2dOptions(3).stride(2).padding(1).count_include_pad(false));
  torch::nn::AvgPool2d torch_padded(torch::nn::AvgPool2dOptions(3).stride(2).padding(1).count_include_pad(false));
  check_against_torch(padded, torch_padded, normal_input({2, 2, 7, 5}));
}

TEST(AdaptiveAvgPool2d, MatchesLibTorch) {
  nn::AdaptiveAvgPool2d ours({3, 2});
  torch::nn::AdaptiveAvgPool2d theirs(torch::nn::AdaptiveAvgPool2dOptions({3, 2}));
  check_against_torch(ours, theirs, normal_input({2, 3, 7, 5}));
  nn::AdaptiveAvgPool2d global(1);
  torch::nn::AdaptiveAvgPool2d torch_global(1);
  check_against_torch(global, torch_global, normal_input({2, 4, 5, 5}));
}

TEST(Flatten, MatchesLibTorch) {
  nn::Flatten ours;
  torch::nn::Flatten theirs;
  check_against_torch(ours, theirs, normal_input({2, 3, 4, 5}));
  nn::Flatten leading(0, 1);
  torch::nn::Flatten torch_leading(torch::nn::FlattenOptions().start_dim(0).end_dim(1));
  check_against_torch(leading, torch_leading, normal_input({2, 3, 4}));
}

TEST(Activations, MatchLibTorch) {
  const auto input = normal_input({4, 7});
  {
    nn::ReLU ours;
    torch::nn::ReLU theirs;
    check_against_torch(ours, theirs, input);
  }
  {
    nn::LeakyReLU ours(0.2);
    torch::nn::LeakyReLU theirs(torch::nn::LeakyReLUOptions().negative_slope(0.2));
    check_against_torch(ours, theirs, input);
  }
  {
    nn::GELU ours;
    torch::nn::GELU theirs;
    check_against_torch(ours, theirs, input);
  }
  {
    nn::GELU ours("tanh");
    torch::nn::GELU theirs(torch::nn::GELUOptions().approximate("tanh"));
    check_against_torch(ours, theirs, input);
  }
  {
    nn::SiLU ours;
    torch::nn::SiLU theirs;
    check_against_torch(ours, theirs, input);
  }
  {
    nn::Sigmoid ours;
    torch::nn::Sigmoid theirs;
    check_against_torch(ours, theirs, input);
  }
  {
    nn::Tanh ours;
    torch::nn::Tanh theirs;
    check_against_torch(ours, theirs, input);
  }
  {
    nn::Softmax ours(1);
    torch::nn::Softmax theirs(1);
    check_against_torch(ours, theirs, normal_input({3, 5, 2}));
  }
}

TEST(BatchNorm1d, MatchesLibTorchOn2DAnd3DInput) {
  nn::BatchNorm1d ours(3);
  torch::nn::BatchNorm1d theirs(3);
  check_against_torch(ours, theirs, normal_input({8, 3}), kReductionTol);
  nn::BatchNorm1d seq(nn::BatchNormOptions(3).momentum(0.3).eps(1e-3));
  torch::nn::BatchNorm1d torch_seq(torch::nn::BatchNorm1dOptions(3).momentum(0.3).eps(1e-3));
  check_against_torch(seq, torch_seq, normal_input({4, 3, 5}), kReductionTol);
}

TEST(BatchNorm1d, CumulativeAverageWithoutMomentum) {
  nn::BatchNorm1d ours(nn::BatchNormOptions(2).momentum(std::nullopt));
  torch::nn::BatchNorm1d theirs(torch::nn::BatchNorm1dOptions(2).momentum(c10::nullopt));
  check_against_torch(ours, theirs, normal_input({6, 2}), kReductionTol, {true, true, true, false});
  EXPECT_EQ(ours.num_batches_tracked.item<int64_t>(), 3);
}

TEST(BatchNorm1d, WithoutAffineOrRunningStats) {
  nn::BatchNorm1d ours(nn::BatchNormOptions(3).affine(false).track_running_stats(false));
  torch::nn::BatchNorm1d theirs(torch::nn::BatchNorm1dOptions(3).affine(false).track_running_stats(false));
  EXPECT_TRUE(ours.state_dict().empty());
  check_against_torch(ours, theirs, normal_input({5, 3}), kReductionTol);  // eval step uses batch statistics too
}

TEST(BatchNorm2d, MatchesLibTorch) {
  nn::BatchNorm2d ours(4);
  torch::nn::BatchNorm2d theirs(4);
  check_against_torch(ours, theirs, normal_input({3, 4, 5, 6}), kReductionTol);
  EXPECT_EQ(ours.num_batches_tracked.item<int64_t>(), 2);
}

TEST(BatchNorm, RejectsWrongRankAndChannels) {
  nn::BatchNorm2d bn2d(4);
  EXPECT_TRUE(throws_with([&] { bn2d(tt::randn({4, 4})); }, {"BatchNorm2d", "4-D", "[4, 4]", "BatchNorm1d"}));
  EXPECT_TRUE(throws_with([&] { bn2d(tt::randn({2, 3, 4, 4})); }, {"BatchNorm2d", "[2, 3, 4, 4]", "num_features = 4"}));
  nn::BatchNorm1d bn1d(4);
  EXPECT_TRUE(throws_with([&] { bn1d(tt::randn({2, 4, 4, 4})); }, {"BatchNorm1d", "2-D", "3-D", "BatchNorm2d"}));
}

TEST(LayerNorm, MatchesLibTorch) {
  nn::LayerNorm ours(nn::LayerNormOptions({5}));
  torch::nn::LayerNorm theirs(torch::nn::LayerNormOptions({5}));
  check_against_torch(ours, theirs, normal_input({3, 4, 5}), kReductionTol);
  nn::LayerNorm two_dims(nn::LayerNormOptions({4, 5}).eps(1e-3).elementwise_affine(false));
  torch::nn::LayerNorm torch_two_dims(torch::nn::LayerNormOptions({4, 5}).eps(1e-3).elementwise_affine(false));
  check_against_torch(two_dims, torch_two_dims, normal_input({3, 4, 5}), kReductionTol);
}

TEST(Embedding, MatchesLibTorchWithPaddingIdx) {
  const auto indices = [](tt::Generator& gen) { return tt::randint(0, 10, {3, 4}, tt::kInt64, &gen); };
  nn::Embedding ours(10, 4);
  torch::nn::Embedding theirs(10, 4);
  check_against_torch(ours, theirs, indices);
  nn::Embedding padded(nn::EmbeddingOptions(10, 4).padding_idx(-8));  // row 2
  torch::nn::Embedding torch_padded(torch::nn::EmbeddingOptions(10, 4).padding_idx(-8));
  check_against_torch(padded, torch_padded, [](tt::Generator&) { return tt::tensor<int64_t>({2, 5, 2, 0}, {2, 2}); });
  EXPECT_EQ(tt::sum(tt::abs(padded.weight.grad()[2])).item(), 0.0);
}

TEST(Embedding, PaddingRowStartsAtZero) {
  nn::Embedding layer(nn::EmbeddingOptions(6, 3).padding_idx(4));
  EXPECT_EQ(tt::sum(tt::abs(layer.weight[4])).item(), 0.0);
  EXPECT_GT(tt::sum(tt::abs(layer.weight[3])).item(), 0.0);
}

TEST(Dropout, TrainModeKeepsOrScalesEachElement) {
  tt::Generator gen(5);
  nn::Dropout layer(0.25, &gen);
  tt::Tensor x = (tt::rand({200, 50}) + 1.0).requires_grad_();
  tt::Tensor y = layer(x);
  y.backward(tt::ones_like(y));
  // Each output is 0 or x / (1 - p), and its gradient is the same factor (0 or 1 / (1 - p)).
  const auto xs = x.to_vector<float>(), ys = y.to_vector<float>(), gs = x.grad().to_vector<float>();
  int64_t dropped = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const float scale = ys[i] == 0.0f ? 0.0f : 1.0f / 0.75f;
    dropped += ys[i] == 0.0f;
    ASSERT_NEAR(ys[i], xs[i] * scale, 1e-6);
    ASSERT_NEAR(gs[i], scale, 1e-6);
  }
  // 10000 Bernoulli(0.25) draws: 5 standard deviations is about 217.
  EXPECT_NEAR(static_cast<double>(dropped), 2500.0, 217.0);
}

TEST(Dropout, EvalModeAndZeroProbabilityMatchLibTorch) {
  nn::Dropout ours(0.5);
  torch::nn::Dropout theirs(0.5);
  check_against_torch(ours, theirs, normal_input({4, 6}), {}, {false, false});
  nn::Dropout never(0.0);
  torch::nn::Dropout torch_never(0.0);
  check_against_torch(never, torch_never, normal_input({4, 6}), {}, {true, false});
}

TEST(Sequential, MatchesLibTorch) {
  nn::Sequential ours{std::make_shared<nn::Linear>(6, 5), std::make_shared<nn::Tanh>(),
                      std::make_shared<nn::Linear>(5, 3)};
  torch::nn::Sequential theirs(torch::nn::Linear(6, 5), torch::nn::Tanh(), torch::nn::Linear(5, 3));
  check_against_torch(ours, theirs, normal_input({4, 6}));
}

TEST(BasicBlock, IdentityShortcutMatchesLibTorch) {
  nn::BasicBlock ours(4, 4, 1);
  tt_test::TorchBasicBlock theirs(4, 4, 1);
  EXPECT_EQ(ours.downsample, nullptr);
  check_against_torch(ours, theirs, normal_input({2, 4, 6, 6}), kReductionTol);
}

TEST(BasicBlock, DownsampleShortcutMatchesLibTorch) {
  nn::BasicBlock ours(3, 6, 2);
  tt_test::TorchBasicBlock theirs(3, 6, 2);
  ASSERT_NE(ours.downsample, nullptr);
  EXPECT_TRUE(ours.named_parameters().contains("downsample.0.weight"));
  EXPECT_TRUE(ours.named_buffers().contains("downsample.1.running_var"));
  check_against_torch(ours, theirs, normal_input({2, 3, 8, 7}), kReductionTol);
}

// Loss modules take (input, target): compared on forward value and input gradient.
void check_loss(const std::function<tt::Tensor(const tt::Tensor&, const tt::Tensor&)>& ours,
                const std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>& theirs, const tt::Tensor& input,
                const tt::Tensor& target) {
  tt::Tensor x = input.detach().requires_grad_();
  at::Tensor torch_x = to_torch(input).requires_grad_();
  tt::Tensor loss = ours(x, target);
  at::Tensor torch_loss = theirs(torch_x, to_torch(target));
  EXPECT_TRUE(all_close(loss, torch_loss, 1e-5, 1e-6, "loss"));
  tt::Generator gen(3);
  const tt::Tensor upstream = tt::randn(loss.sizes(), tt::kFloat32, &gen);
  loss.backward(upstream);
  torch_loss.backward(to_torch(upstream));
  EXPECT_TRUE(all_close(x.grad(), torch_x.grad(), 1e-5, 1e-6, "input gradient"));
}

TEST(CrossEntropyLoss, MatchesLibTorchForEveryOption) {
  tt::Generator gen(11);
  const tt::Tensor logits = tt::randn({6, 5}, tt::kFloat32, &gen);
  const tt::Tensor target = tt::tensor<int64_t>({0, 4, 2, 2, 1, 3});
  const tt::Tensor spatial_logits = tt::randn({2, 4, 3, 3}, tt::kFloat32, &gen);
  const tt::Tensor spatial_target = tt::randint(0, 4, {2, 3, 3}, tt::kInt64, &gen);
  const std::vector<std::pair<tt::Reduction, torch::nn::CrossEntropyLossOptions::reduction_t>> reductions{
      {tt::Reduction::Mean, torch::kMean}, {tt::Reduction::Sum, torch::kSum}, {tt::Reduction::None, torch::kNone}};
  for (const auto& [reduction, torch_reduction] : reductions) {
    for (double smoothing : {0.0, 0.15}) {
      for (int64_t ignore : {-100L, 2L}) {
        SCOPED_TRACE(
            fmt::format("smoothing {} ignore_index {} reduction {}", smoothing, ignore, static_cast<int>(reduction)));
        tt::CrossEntropyOptions options;
        options.label_smoothing = smoothing;
        options.ignore_index = ignore;
        options.reduction = reduction;
        nn::CrossEntropyLoss ours(options);
        torch::nn::CrossEntropyLoss theirs(
            torch::nn::CrossEntropyLossOptions().label_smoothing(smoothing).ignore_index(ignore).reduction(
                torch_reduction));
        const auto run_ours = [&](const tt::Tensor& x, const tt::Tensor& t) { return ours(x, t); };
        const auto run_theirs = [&](const at::Tensor& x, const at::Tensor& t) { return theirs(x, t); };
        check_loss(run_ours, run_theirs, logits, target);
        check_loss(run_ours, run_theirs, spatial_logits, spatial_target);
      }
    }
  }
}

TEST(NLLLoss, MatchesLibTorch) {
  tt::Generator gen(12);
  const tt::Tensor log_probs = tt::log_softmax(tt::randn({5, 4}, tt::kFloat32, &gen), 1);
  const tt::Tensor target = tt::tensor<int64_t>({3, 1, 1, 0, 2});
  nn::NLLLoss ours;
  torch::nn::NLLLoss theirs;
  check_loss([&](const tt::Tensor& x, const tt::Tensor& t) { return ours(x, t); },
             [&](const at::Tensor& x, const at::Tensor& t) { return theirs(x, t); }, log_probs, target);
  nn::NLLLoss ignoring(tt::Reduction::Sum, 1);
  torch::nn::NLLLoss torch_ignoring(torch::nn::NLLLossOptions().reduction(torch::kSum).ignore_index(1));
  check_loss([&](const tt::Tensor& x, const tt::Tensor& t) { return ignoring(x, t); },
             [&](const at::Tensor& x, const at::Tensor& t) { return torch_ignoring(x, t); }, log_probs, target);
}

TEST(MSELoss, MatchesLibTorch) {
  tt::Generator gen(13);
  const tt::Tensor input = tt::randn({4, 3}, tt::kFloat32, &gen), target = tt::randn({4, 3}, tt::kFloat32, &gen);
  nn::MSELoss ours;
  torch::nn::MSELoss theirs;
  check_loss([&](const tt::Tensor& x, const tt::Tensor& t) { return ours(x, t); },
             [&](const at::Tensor& x, const at::Tensor& t) { return theirs(x, t); }, input, target);
  nn::MSELoss unreduced(tt::Reduction::None);
  torch::nn::MSELoss torch_unreduced(torch::nn::MSELossOptions(torch::kNone));
  check_loss([&](const tt::Tensor& x, const tt::Tensor& t) { return unreduced(x, t); },
             [&](const at::Tensor& x, const at::Tensor& t) { return torch_unreduced(x, t); }, input, target);
}

TEST(BCEWithLogitsLoss, MatchesLibTorch) {
  tt::Generator gen(14);
  const tt::Tensor logits = tt::randn({5, 2}, tt::kFloat32, &gen) * 4.0;
  const tt::Tensor target = tt::rand({5, 2}, tt::kFloat32, &gen);
  nn::BCEWithLogitsLoss ours;
  torch::nn::BCEWithLogitsLoss theirs;
  check_loss([&](const tt::Tensor& x, const tt::Tensor& t) { return ours(x, t); },
             [&](const at::Tensor& x, const at::Tensor& t) { return theirs(x, t); }, logits, target);
  nn::BCEWithLogitsLoss summed(tt::Reduction::Sum);
  torch::nn::BCEWithLogitsLoss torch_summed(torch::nn::BCEWithLogitsLossOptions().reduction(torch::kSum));
  check_loss([&](const tt::Tensor& x, const tt::Tensor& t) { return summed(x, t); },
             [&](const at::Tensor& x, const at::Tensor& t) { return torch_summed(x, t); }, logits, target);
}

TEST(Losses, AreModulesWithoutParameters) {
  nn::CrossEntropyLoss loss;
  EXPECT_EQ(loss.name(), "CrossEntropyLoss");
  EXPECT_TRUE(loss.parameters().empty());
  EXPECT_TRUE(throws_with(
      [&] {
        loss.forward(tt::randn({2, 3}));
      },
      {"CrossEntropyLoss", "forward", "(input, target)"}));
}

}  // namespace
