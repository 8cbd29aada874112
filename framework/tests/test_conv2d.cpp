// conv2d against LibTorch: stride, padding, dilation, groups (incl. depthwise), bias, odd sizes,
// non-contiguous inputs, unbatched input, gradients of input/weight/bias, f64 gradcheck, and the
// messages of every argument check.
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

struct ConvCase {
  std::string name;
  tt::Shape input, weight;
  bool bias = true;
  tt::Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
  Layout input_layout = Layout::Contiguous;
  Layout weight_layout = Layout::Contiguous;
  bool gradcheck = false;  // only for tiny shapes: it costs one backward per output element
};

void check_conv(const ConvCase& cc) {
  OpCase c = make_case(
      cc.name, {{cc.input, Domain::Normal, cc.input_layout}, {cc.weight, Domain::Normal, cc.weight_layout}},
      [cc](const TL& x) {
        return tt::conv2d(x[0], x[1], cc.bias ? x[2] : tt::Tensor(), cc.stride, cc.padding, cc.dilation, cc.groups);
      },
      [cc](const AL& x) {
        return torch::conv2d(x[0], x[1], cc.bias ? x[2] : at::Tensor(), {cc.stride[0], cc.stride[1]},
                             {cc.padding[0], cc.padding[1]}, {cc.dilation[0], cc.dilation[1]}, cc.groups);
      });
  if (cc.bias) c.inputs.push_back({{cc.weight[0]}});
  // LibTorch accumulates f32 sums in f32, the reference kernel in f64.
  c.f32 = {1e-4, 1e-4};
  c.gradcheck = cc.gradcheck;
  check_op(c);
}

TEST(Conv2d, Kernel3x3OddSizesWithBias) { check_conv({"3x3", {2, 3, 7, 9}, {4, 3, 3, 3}}); }

TEST(Conv2d, Kernel3x3NoBias) {
  ConvCase cc{"3x3 no bias", {2, 3, 7, 9}, {4, 3, 3, 3}};
  cc.bias = false;
  check_conv(cc);
}

TEST(Conv2d, Stride2Padding1) {
  ConvCase cc{"stride 2 pad 1", {2, 3, 7, 9}, {5, 3, 3, 3}};
  cc.stride = {2, 2};
  cc.padding = {1, 1};
  check_conv(cc);
}

TEST(Conv2d, Kernel5x5AsymmetricStridePadding) {
  ConvCase cc{"5x5 stride [2, 1] pad [2, 1]", {2, 2, 7, 9}, {4, 2, 5, 5}};
  cc.stride = {2, 1};
  cc.padding = {2, 1};
  check_conv(cc);
}

TEST(Conv2d, RectangularKernel) {
  ConvCase cc{"3x5 kernel", {2, 3, 7, 9}, {4, 3, 3, 5}};
  cc.padding = {1, 2};
  check_conv(cc);
}

TEST(Conv2d, Dilation2) {
  ConvCase cc{"dilation 2", {2, 2, 9, 7}, {3, 2, 3, 3}};
  cc.bias = false;
  cc.dilation = {2, 2};
  cc.padding = {2, 1};
  check_conv(cc);
}

TEST(Conv2d, Groups2) {
  ConvCase cc{"groups 2", {2, 4, 7, 9}, {6, 2, 3, 3}};
  cc.groups = 2;
  cc.padding = {1, 1};
  check_conv(cc);
}

TEST(Conv2d, DepthwiseWithChannelMultiplier) {
  ConvCase cc{"depthwise x2", {2, 3, 7, 9}, {6, 1, 3, 3}};
  cc.groups = 3;
  cc.stride = {2, 2};
  cc.padding = {1, 1};
  check_conv(cc);
}

TEST(Conv2d, Depthwise5x5NoBias) {
  ConvCase cc{"depthwise 5x5", {2, 4, 7, 9}, {4, 1, 5, 5}};
  cc.groups = 4;
  cc.padding = {2, 2};
  cc.bias = false;
  check_conv(cc);
}

TEST(Conv2d, Pointwise1x1Strided) {
  ConvCase cc{"1x1 stride 2", {2, 5, 7, 9}, {4, 5, 1, 1}};
  cc.stride = {2, 2};
  check_conv(cc);
}

TEST(Conv2d, NonContiguousInputAndWeight) {
  ConvCase transposed{"transposed input", {2, 3, 7, 9}, {4, 3, 3, 3}};
  transposed.input_layout = Layout::Transposed;
  transposed.weight_layout = Layout::Transposed;
  transposed.padding = {1, 1};
  check_conv(transposed);
  ConvCase strided{"strided input", {2, 4, 7, 9}, {4, 2, 3, 3}};
  strided.input_layout = Layout::Strided;
  strided.weight_layout = Layout::Strided;
  strided.groups = 2;
  strided.stride = {2, 2};
  check_conv(strided);
}

TEST(Conv2d, UnbatchedInput) {
  ConvCase cc{"unbatched", {3, 7, 9}, {4, 3, 3, 3}};
  cc.padding = {1, 1};
  check_conv(cc);
}

TEST(Conv2d, GradcheckSmall) {
  ConvCase plain{"gradcheck stride 2 pad 1", {1, 2, 5, 5}, {2, 2, 3, 3}};
  plain.stride = {2, 2};
  plain.padding = {1, 1};
  plain.gradcheck = true;
  check_conv(plain);
  ConvCase grouped{"gradcheck groups dilation", {1, 2, 5, 5}, {4, 1, 3, 3}};
  grouped.groups = 2;
  grouped.dilation = {2, 2};
  grouped.padding = {1, 1};
  grouped.bias = false;
  grouped.gradcheck = true;
  check_conv(grouped);
}

tt::Tensor normal(const tt::Shape& shape, tt::DType dtype = tt::kFloat32) { return tt::randn(shape, dtype); }

TEST(Conv2dErrors, InputRank) {
  EXPECT_TRUE(throws_with([] { tt::conv2d(normal({7, 9}), normal({4, 3, 3, 3})); }, {"conv2d", "[7, 9]", "4-D"}));
}

TEST(Conv2dErrors, WeightRank) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 3, 7, 9}), normal({4, 3, 3}));
      },
      {"conv2d", "weight", "[4, 3, 3]", "4-D"}));
}

TEST(Conv2dErrors, ChannelMismatch) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 3, 5, 5}), normal({4, 2, 3, 3}));
      },
      {"conv2d", "[1, 3, 5, 5]", "3 channels", "[4, 2, 3, 3]", "expects 2", "groups"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 4, 5, 5}), normal({4, 2, 3, 3}), {}, {1, 1}, {0, 0}, {1, 1}, 1);
      },
      {"groups=1", "expects 2"}));
}

TEST(Conv2dErrors, OutputChannelsNotDivisibleByGroups) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 2, 5, 5}), normal({5, 1, 3, 3}), {}, {1, 1}, {0, 0}, {1, 1}, 2);
      },
      {"conv2d", "[5, 1, 3, 3]", "5 output channels", "groups=2"}));
}

TEST(Conv2dErrors, KernelLargerThanPaddedInput) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 1, 4, 4}), normal({1, 1, 5, 5}));
      },
      {"conv2d", "5x5", "padded input 4x4", "[1, 1, 4, 4]", "more padding"}));
  // Dilation widens the kernel's span beyond the input even though 3 <= 5.
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 1, 5, 5}), normal({1, 1, 3, 3}), {}, {1, 1}, {0, 0}, {3, 3});
      },
      {"spans 7x7", "padded input 5x5"}));
}

TEST(Conv2dErrors, StridePaddingDilationGroups) {
  const tt::Tensor x = normal({1, 2, 5, 5}), w = normal({2, 2, 3, 3});
  EXPECT_TRUE(throws_with([&] { tt::conv2d(x, w, {}, {0, 1}); }, {"conv2d", "stride", ">= 1", "[0, 1]"}));
  EXPECT_TRUE(throws_with([&] { tt::conv2d(x, w, {}, {1, 1}, {-1, 0}); }, {"conv2d", "padding", ">= 0", "[-1, 0]"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::conv2d(x, w, {}, {1, 1}, {0, 0}, {1, 0});
      },
      {"conv2d", "dilation", ">= 1", "[1, 0]"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::conv2d(x, w, {}, {1, 1}, {0, 0}, {1, 1}, 0);
      },
      {"conv2d", "groups", ">= 1", "got 0"}));
}

TEST(Conv2dErrors, BiasShape) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 3, 5, 5}), normal({4, 3, 3, 3}), normal({3}));
      },
      {"conv2d", "bias of shape [3]", "[4]", "[4, 3, 3, 3]"}));
}

TEST(Conv2dErrors, Dtypes) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 3, 5, 5}), normal({4, 3, 3, 3}, tt::kFloat64));
      },
      {"conv2d", "float32", "float64", ".to("}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(tt::zeros({1, 3, 5, 5}, tt::kInt64), tt::zeros({4, 3, 3, 3}, tt::kInt64));
      },
      {"conv2d", "int64", "float32 or float64"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::conv2d(normal({1, 3, 5, 5}), normal({4, 3, 3, 3}), normal({4}, tt::kFloat64));
      },
      {"conv2d", "bias dtype float64", "float32"}));
}
}  // namespace
