// layer_norm, batch_norm and adaptive_avg_pool2d against LibTorch: forward, gradients of every
// input (f32 and f64, non-contiguous layouts), finite-difference gradchecks, batch_norm's running
// statistics update, and the error messages for bad arguments.
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

// Composed ops accumulate a few more roundings than LibTorch's fused kernels.
constexpr Tolerance kF32{1e-4, 1e-5};
constexpr Tolerance kF64{1e-9, 1e-10};

void check_with_tolerances(OpCase c) {
  c.f32 = kF32;
  c.f64 = kF64;
  check_op(c);
}

TEST(LayerNorm, LastDimWithAffine) {
  check_with_tolerances(make_case(
      "layer_norm[-1]", {{{4, 5, 6}, Domain::Normal, Layout::Transposed}, {{6}}, {{6}}},
      [](const TL& x) { return tt::layer_norm(x[0], {6}, x[1], x[2]); },
      [](const AL& x) { return torch::layer_norm(x[0], {6}, x[1], x[2]); }));
}

TEST(LayerNorm, TwoTrailingDimsCustomEps) {
  check_with_tolerances(make_case(
      "layer_norm[-2:]",
      {{{3, 4, 5}, Domain::Normal, Layout::Strided}, {{4, 5}}, {{4, 5}, Domain::Normal, Layout::Transposed}},
      [](const TL& x) {
        return tt::layer_norm(x[0], {4, 5}, x[1], x[2], 1e-3);
      },
      [](const AL& x) {
        return torch::layer_norm(x[0], {4, 5}, x[1], x[2], 1e-3);
      }));
}

TEST(LayerNorm, WithoutAffine) {
  check_with_tolerances(make_case(
      "layer_norm(no affine)", {{{7, 8}}}, [](const TL& x) { return tt::layer_norm(x[0], {8}); },
      [](const AL& x) { return torch::layer_norm(x[0], {8}); }));
}

TEST(LayerNorm, RejectsMismatchedShapes) {
  tt::Tensor x = tt::randn({2, 3, 4});
  EXPECT_TRUE(throws_with([&] { tt::layer_norm(x, {3}); }, {"layer_norm", "[2, 3, 4]", "[3]", "trailing dims"}));
  EXPECT_TRUE(throws_with([&] { tt::layer_norm(x, {4}, tt::ones({5})); }, {"layer_norm", "weight", "[5]", "[4]"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::layer_norm(tt::zeros({2, 4}, tt::kInt64), {4});
      },
      {"layer_norm", "int64", "kFloat32"}));
}

// Input shapes BatchNorm1d and BatchNorm2d see: [N, C], [N, C, L], [N, C, H, W].
const std::vector<tt::Shape> kBatchShapes{{8, 3}, {4, 3, 5}, {2, 3, 4, 5}};

// x, then running_mean and running_var (buffers: no gradient), then weight and bias, for 3 channels.
std::vector<Input> batch_norm_inputs(const Input& x) {
  return {x,
          {{3}, Domain::Normal, Layout::Contiguous, false},
          {{3}, Domain::Positive, Layout::Contiguous, false},
          {{3}},
          {{3}}};
}

TEST(BatchNorm, TrainingWithAffine) {
  for (const auto& shape : kBatchShapes) {
    check_with_tolerances(make_case(
        "batch_norm(train) " + tt::shape_str(shape), batch_norm_inputs({shape, Domain::Normal, Layout::Transposed}),
        [](const TL& x) { return tt::batch_norm(x[0], x[1], x[2], x[3], x[4], true, 0.2, 1e-4); },
        [](const AL& x) { return torch::batch_norm(x[0], x[3], x[4], x[1], x[2], true, 0.2, 1e-4, false); }));
  }
}

TEST(BatchNorm, TrainingWithoutRunningStatsOrAffine) {
  check_with_tolerances(make_case(
      "batch_norm(train, bare)", {{{5, 4, 3}, Domain::Normal, Layout::Strided}},
      [](const TL& x) { return tt::batch_norm(x[0], tt::Tensor(), tt::Tensor(), {}, {}, true); },
      [](const AL& x) { return torch::batch_norm(x[0], {}, {}, {}, {}, true, 0.1, 1e-5, false); }));
}

TEST(BatchNorm, EvalUsesRunningStats) {
  for (const auto& shape : kBatchShapes) {
    check_with_tolerances(make_case(
        "batch_norm(eval) " + tt::shape_str(shape), batch_norm_inputs({shape}),
        [](const TL& x) { return tt::batch_norm(x[0], x[1], x[2], x[3], x[4], false); },
        [](const AL& x) { return torch::batch_norm(x[0], x[3], x[4], x[1], x[2], false, 0.1, 1e-5, false); }));
  }
}

// Running stats follow PyTorch: momentum-weighted, with the unbiased batch variance.
TEST(BatchNorm, UpdatesRunningStatsLikeLibTorch) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    for (const auto& shape : kBatchShapes) {
      SCOPED_TRACE(tt::shape_str(shape) + " " + tt::dtype_name(dtype));
      tt::Generator gen(7);
      tt::Tensor x = tt::randn(shape, dtype, &gen);
      tt::Tensor mean = tt::randn({3}, dtype, &gen);
      tt::Tensor var = tt::rand({3}, dtype, &gen) + 0.5;
      at::Tensor torch_mean = to_torch(mean), torch_var = to_torch(var);
      for (int step = 0; step < 3; ++step) {
        tt::batch_norm(x * (step + 1.0), mean, var, {}, {}, true, 0.3);
        torch::batch_norm(to_torch(x) * (step + 1.0), {}, {}, torch_mean, torch_var, true, 0.3, 1e-5, false);
      }
      const double tol = dtype == tt::kFloat32 ? 1e-5 : 1e-12;
      EXPECT_TRUE(all_close(mean, torch_mean, tol, tol, "running_mean"));
      EXPECT_TRUE(all_close(var, torch_var, tol, tol, "running_var"));
    }
  }
}

TEST(BatchNorm, RunningStatsStayOutOfTheGraph) {
  tt::Tensor x = tt::randn({4, 2}).requires_grad_();
  tt::Tensor mean = tt::zeros({2}), var = tt::ones({2});
  tt::Tensor y = tt::batch_norm(x, mean, var, {}, {}, true);
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(mean.requires_grad());
  EXPECT_FALSE(var.requires_grad());
  EXPECT_TRUE(mean.is_leaf());
}

TEST(BatchNorm, RejectsBadArguments) {
  tt::Tensor x = tt::randn({4, 3, 2});
  EXPECT_TRUE(
      throws_with([&] { tt::batch_norm(tt::randn({3}), {}, {}, {}, {}, true); }, {"batch_norm", "[3]", "[N, C, *]"}));
  EXPECT_TRUE(throws_with([&] { tt::batch_norm(x, tt::zeros({4}), tt::ones({4}), {}, {}, false); },
                          {"batch_norm", "running_mean", "[4]", "[3]"}));
  EXPECT_TRUE(
      throws_with([&] { tt::batch_norm(x, {}, {}, {}, {}, false); }, {"batch_norm", "eval mode", "running_mean"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::batch_norm(tt::randn({1, 3}), {}, {}, {}, {}, true);
      },
      {"batch_norm", "more than 1 value per channel", "[1, 3]", "eval()"}));
  EXPECT_TRUE(throws_with([&] { tt::batch_norm(x, tt::zeros({3}), {}, {}, {}, true); }, {"batch_norm", "both"}));
}

TEST(AdaptiveAvgPool2d, MatchesLibTorch) {
  struct Case {
    tt::Shape input;
    tt::Pair output;
  };
  const std::vector<Case> cases{
      {{2, 3, 7, 9}, {3, 4}},  // uneven, overlapping regions
      {{2, 3, 8, 6}, {4, 3}},  // divisible: plain average pooling
      {{2, 3, 5, 5}, {1, 1}},  // global average
      {{3, 5, 6}, {4, 4}},     // unbatched
      {{1, 2, 3, 2}, {5, 4}},  // output larger than input
  };
  for (const auto& pc : cases) {
    check_op(make_case(
        "adaptive_avg_pool2d " + tt::shape_str(pc.input) + "->" + tt::shape_str({pc.output[0], pc.output[1]}),
        {{pc.input, Domain::Normal, Layout::Transposed}},
        [o = pc.output](const TL& x) { return tt::adaptive_avg_pool2d(x[0], o); },
        [o = pc.output](const AL& x) {
          return torch::adaptive_avg_pool2d(x[0], {o[0], o[1]});
        }));
  }
}

TEST(AdaptiveAvgPool2d, RejectsBadArguments) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::adaptive_avg_pool2d(tt::randn({4, 4}), {2, 2});
      },
      {"adaptive_avg_pool2d", "[4, 4]", "NCHW"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::adaptive_avg_pool2d(tt::randn({1, 1, 4, 4}), {0, 2});
      },
      {"adaptive_avg_pool2d", "output_size", "[0, 2]"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::adaptive_avg_pool2d(tt::zeros({1, 1, 4, 4}, tt::kInt64), {2, 2});
      },
      {"adaptive_avg_pool2d", "int64", "kFloat32"}));
}

}  // namespace
