// max_pool2d and avg_pool2d against LibTorch: default and explicit strides, padding,
// count_include_pad, dilation (max), odd sizes, rectangular windows, overlapping windows,
// non-contiguous and unbatched inputs, gradients, f64 gradcheck, the argmax indices of the kernel,
// NaN propagation, and the messages of every argument check.
#include "kernels/kernel_table.h"
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

struct PoolCase {
  std::string name;
  tt::Shape input;
  tt::Pair kernel;
  tt::Pair stride{0, 0};  // {0, 0}: stride = kernel, passed to LibTorch as an empty list
  tt::Pair padding{0, 0};
  tt::Pair dilation{1, 1};        // max_pool2d only
  bool count_include_pad = true;  // avg_pool2d only
  Layout layout = Layout::Contiguous;
  bool gradcheck = false;  // only for tiny shapes
};

std::vector<int64_t> torch_stride(const PoolCase& pc) {
  if (pc.stride[0] == 0 && pc.stride[1] == 0) return {};
  return {pc.stride[0], pc.stride[1]};
}

// Random normal inputs make ties for the maximum improbable, so max gradients are well defined.
void check_pool(const PoolCase& pc, std::function<tt::Tensor(const TL&)> tt_fn,
                std::function<at::Tensor(const AL&)> torch_fn) {
  OpCase c = make_case(pc.name, {{pc.input, Domain::Normal, pc.layout}}, std::move(tt_fn), std::move(torch_fn));
  c.gradcheck = pc.gradcheck;
  check_op(c);
}

void check_max_pool(const PoolCase& pc) {
  check_pool(
      pc, [pc](const TL& x) { return tt::max_pool2d(x[0], pc.kernel, pc.stride, pc.padding, pc.dilation); },
      [pc](const AL& x) {
        return torch::max_pool2d(x[0], {pc.kernel[0], pc.kernel[1]}, torch_stride(pc), {pc.padding[0], pc.padding[1]},
                                 {pc.dilation[0], pc.dilation[1]});
      });
}

void check_avg_pool(const PoolCase& pc) {
  check_pool(
      pc, [pc](const TL& x) { return tt::avg_pool2d(x[0], pc.kernel, pc.stride, pc.padding, pc.count_include_pad); },
      [pc](const AL& x) {
        return torch::avg_pool2d(x[0], {pc.kernel[0], pc.kernel[1]}, torch_stride(pc), {pc.padding[0], pc.padding[1]},
                                 /*ceil_mode=*/false, pc.count_include_pad);
      });
}

TEST(MaxPool2d, DefaultStrideOddSizes) { check_max_pool({"2x2", {2, 3, 7, 9}, {2, 2}}); }

TEST(MaxPool2d, Stride2Padding1) { check_max_pool({"3x3 s2 p1", {2, 3, 7, 9}, {3, 3}, {2, 2}, {1, 1}}); }

TEST(MaxPool2d, OverlappingWindows) { check_max_pool({"3x3 s1 p1", {2, 2, 7, 9}, {3, 3}, {1, 1}, {1, 1}}); }

TEST(MaxPool2d, Dilation2) { check_max_pool({"dilation 2", {2, 2, 9, 7}, {3, 3}, {2, 1}, {1, 0}, {2, 2}}); }

TEST(MaxPool2d, RectangularWindow5x2) { check_max_pool({"5x2", {2, 2, 7, 9}, {5, 2}, {1, 2}, {2, 1}}); }

TEST(MaxPool2d, NonContiguousInput) {
  check_max_pool({"transposed", {2, 3, 7, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, Layout::Transposed});
  check_max_pool({"strided", {2, 3, 7, 9}, {2, 2}, {0, 0}, {0, 0}, {1, 1}, true, Layout::Strided});
}

TEST(MaxPool2d, UnbatchedInput) { check_max_pool({"unbatched", {3, 7, 9}, {3, 3}, {2, 2}, {1, 1}}); }

TEST(MaxPool2d, GradcheckSmall) {
  check_max_pool({"gradcheck", {1, 2, 5, 5}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, Layout::Contiguous, true});
}

// The reference kernel's argmax state: the flat h * W + w position of each maximum, as LibTorch's.
TEST(MaxPool2d, KernelIndicesMatchLibTorch) {
  const tt::Tensor x = tt::randn({2, 3, 7, 9}, tt::kFloat64);
  tt::kernels::Pool2dParams p;
  p.kernel = {3, 3};
  p.stride = {2, 2};
  p.padding = {1, 1};
  p.dilation = {2, 1};
  const tt::Tensor out = tt::empty({2, 3, 3, 5}, tt::kFloat64);
  const tt::Tensor indices = tt::kernels::reference_kernels().max_pool2d(out, x, p);
  const auto [expected_out, expected_indices] =
      torch::max_pool2d_with_indices(tt_test::to_torch(x), {3, 3}, {2, 2}, {1, 1}, {2, 1});
  EXPECT_TRUE(tt_test::all_close(out, expected_out, 0, 0, "max values"));
  EXPECT_TRUE(tt_test::all_close(indices, expected_indices, 0, 0, "argmax indices"));
}

TEST(MaxPool2d, PropagatesNaN) {
  tt::Tensor x = tt::randn({1, 1, 4, 4});
  x.data_ptr<float>()[5] = std::nanf("");
  EXPECT_TRUE(tt_test::all_close(tt::max_pool2d(x, {2, 2}), torch::max_pool2d(tt_test::to_torch(x), {2, 2}), 0, 0));
}

TEST(AvgPool2d, DefaultStrideOddSizes) { check_avg_pool({"2x2", {2, 3, 7, 9}, {2, 2}}); }

TEST(AvgPool2d, PaddingCountIncludePad) {
  check_avg_pool({"3x3 s2 p1 include pad", {2, 3, 7, 9}, {3, 3}, {2, 2}, {1, 1}});
}

TEST(AvgPool2d, PaddingExcludePad) {
  check_avg_pool({"3x3 s2 p1 exclude pad", {2, 3, 7, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false});
}

TEST(AvgPool2d, Kernel5x5Padding2Overlapping) {
  check_avg_pool({"5x5 s1 p2 include pad", {2, 2, 7, 9}, {5, 5}, {1, 1}, {2, 2}});
  check_avg_pool({"5x5 s1 p2 exclude pad", {2, 2, 7, 9}, {5, 5}, {1, 1}, {2, 2}, {1, 1}, false});
}

TEST(AvgPool2d, RectangularWindow) { check_avg_pool({"3x2", {2, 3, 7, 9}, {3, 2}, {2, 1}, {1, 1}, {1, 1}, false}); }

TEST(AvgPool2d, NonContiguousInput) {
  check_avg_pool({"transposed", {2, 3, 7, 9}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false, Layout::Transposed});
  check_avg_pool({"strided", {2, 3, 7, 9}, {2, 2}, {0, 0}, {0, 0}, {1, 1}, true, Layout::Strided});
}

TEST(AvgPool2d, UnbatchedInput) { check_avg_pool({"unbatched", {3, 7, 9}, {3, 3}, {2, 2}, {1, 1}}); }

TEST(AvgPool2d, GradcheckSmall) {
  check_avg_pool(
      {"gradcheck include pad", {1, 2, 5, 5}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, Layout::Contiguous, true});
  check_avg_pool(
      {"gradcheck exclude pad", {1, 2, 5, 5}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, false, Layout::Contiguous, true});
}

TEST(Pool2dErrors, InputRankAndDtype) {
  EXPECT_TRUE(throws_with([] { tt::max_pool2d(tt::randn({7, 9}), {2, 2}); }, {"max_pool2d", "[7, 9]", "4-D"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::avg_pool2d(tt::randn({1, 1, 1, 7, 9}), {2, 2});
      },
      {"avg_pool2d", "[1, 1, 1, 7, 9]", "4-D"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::max_pool2d(tt::zeros({1, 1, 4, 4}, tt::kInt64), {2, 2});
      },
      {"max_pool2d", "int64", "float32 or float64"}));
}

TEST(Pool2dErrors, KernelStrideDilation) {
  const tt::Tensor x = tt::randn({1, 1, 6, 6});
  EXPECT_TRUE(throws_with([&] { tt::max_pool2d(x, {0, 2}); }, {"max_pool2d", "kernel_size", ">= 1", "[0, 2]"}));
  EXPECT_TRUE(throws_with([&] { tt::avg_pool2d(x, {2, 2}, {-1, 1}); }, {"avg_pool2d", "stride", ">= 1", "[-1, 1]"}));
  EXPECT_TRUE(throws_with([&] { tt::max_pool2d(x, {2, 2}, {2, 0}); }, {"max_pool2d", "stride", "[2, 0]"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::max_pool2d(x, {2, 2}, {0, 0}, {0, 0}, {0, 1});
      },
      {"max_pool2d", "dilation", ">= 1", "[0, 1]"}));
}

TEST(Pool2dErrors, PaddingAtMostHalfKernel) {
  const tt::Tensor x = tt::randn({1, 1, 6, 6});
  EXPECT_TRUE(throws_with(
      [&] {
        tt::max_pool2d(x, {3, 3}, {1, 1}, {2, 0});
      },
      {"max_pool2d", "padding [2, 0]", "half the kernel_size [3, 3]"}));
  EXPECT_TRUE(throws_with([&] { tt::avg_pool2d(x, {3, 3}, {1, 1}, {0, -1}); }, {"avg_pool2d", "padding [0, -1]"}));
}

TEST(Pool2dErrors, KernelLargerThanPaddedInput) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::max_pool2d(tt::randn({1, 1, 3, 8}), {5, 5}, {1, 1}, {0, 0});
      },
      {"max_pool2d", "[5, 5]", "padded input 3x8", "[1, 1, 3, 8]"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::max_pool2d(tt::randn({1, 1, 5, 5}), {3, 3}, {1, 1}, {0, 0}, {3, 3});
      },
      {"spans 7x7", "padded input 5x5"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::avg_pool2d(tt::randn({2, 4, 4}), {7, 7}, {1, 1}, {1, 1});
      },
      {"avg_pool2d", "padded input 6x6", "[2, 4, 4]"}));
}
}  // namespace
