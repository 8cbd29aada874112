// The optimized conv2d and pooling kernels against the reference backend: forward values and the
// input/weight gradients (through autograd on the ops) on odd shapes covering stride, padding,
// dilation, groups (incl. depthwise), 1x1 convolutions, spatial size 1, batches of 1 and 3,
// non-contiguous inputs, f32 and f64; and bitwise equality of results for 1 and 2 threads.
//
// Tolerances: f64 |got - want| <= 1e-10 + 1e-10 |want| (both sum in double precision, only the
// order differs). f32: the reference sums in double and rounds once, the optimized kernels sum in
// float, so errors grow with the reduction length; 2e-5 relative plus 2e-5 times the largest
// magnitude of the tensor (sums of thousands of terms may cancel to values near zero).
// Max pooling selects elements, so its output and indices must match exactly.
#include "kernels/kernel_table.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;
using Op = std::function<tt::Tensor(const TL&)>;

class ThreadCountGuard {
 public:
  ThreadCountGuard() : previous_(tt::get_num_threads()) {}
  ~ThreadCountGuard() { tt::set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

struct Result {
  tt::Tensor out;
  std::vector<tt::Tensor> grads;
};

// Seeded data for each input shape; with `transposed`, the first input is stored with its last two
// dims swapped (so the op sees a transposed, non-contiguous view).
std::vector<tt::Tensor> make_data(const std::vector<tt::Shape>& shapes, tt::DType dtype, bool transposed) {
  tt::Generator gen(1234);
  std::vector<tt::Tensor> data;
  for (size_t i = 0; i < shapes.size(); ++i) {
    tt::Shape shape = shapes[i];
    if (i == 0 && transposed) std::swap(shape[2], shape[3]);
    data.push_back(tt::randn(shape, dtype, &gen));
  }
  return data;
}

// Runs op under `backend` with `threads` on fresh leaves holding `data`, then backpropagates a
// seeded upstream gradient.
Result run(const std::string& backend, int threads, const std::vector<tt::Tensor>& data, bool transposed,
           const Op& op) {
  tt::BackendGuard guard(backend);
  ThreadCountGuard thread_guard;
  tt::set_num_threads(threads);
  std::vector<tt::Tensor> leaves;
  TL args;
  for (size_t i = 0; i < data.size(); ++i) {
    leaves.push_back(data[i].clone().requires_grad_());
    args.push_back(i == 0 && transposed ? leaves.back().transpose(2, 3) : leaves.back());
  }
  Result r;
  r.out = op(args);
  tt::Generator gen(99);
  r.out.backward(tt::randn(r.out.sizes(), r.out.dtype(), &gen));
  for (const tt::Tensor& leaf : leaves) r.grads.push_back(leaf.grad());
  return r;
}

::testing::AssertionResult close(const tt::Tensor& got, const tt::Tensor& want, const std::string& what) {
  const at::Tensor expected = to_torch(want);
  if (got.dtype() == tt::kFloat64) return all_close(got, expected, 1e-10, 1e-10, what);
  const double scale = std::max(1.0, expected.abs().max().item<double>());
  return all_close(got, expected, 2e-5, 2e-5 * scale, what);
}

bool bitwise_equal(const tt::Tensor& a, const tt::Tensor& b) { return torch::equal(to_torch(a), to_torch(b)); }

// Optimized vs reference in f32 and f64, with a contiguous and a transposed first input.
void expect_matches_reference(const std::string& name, const std::vector<tt::Shape>& shapes, const Op& op,
                              bool exact_forward = false) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (bool transposed : {false, true}) {
      const std::vector<tt::Tensor> data = make_data(shapes, dtype, transposed);
      const Result want = run("reference", 1, data, transposed, op);
      const Result got = run("optimized", 2, data, transposed, op);
      const std::string what =
          name + " " + tt::dtype_name(dtype) + (transposed ? " transposed input" : " contiguous input");
      if (exact_forward)
        EXPECT_TRUE(bitwise_equal(got.out, want.out)) << what << " output";
      else
        EXPECT_TRUE(close(got.out, want.out, what + " output"));
      for (size_t i = 0; i < got.grads.size(); ++i)
        EXPECT_TRUE(close(got.grads[i], want.grads[i], what + " grad " + std::to_string(i)));
    }
}

// Without these overrides every comparison below would compare the reference with itself.
TEST(OptimizedConv2d, BackendOverridesConvAndPoolingKernels) {
  const tt::kernels::KernelTable& optimized = tt::kernels::optimized_kernels();
  const tt::kernels::KernelTable& reference = tt::kernels::reference_kernels();
  EXPECT_NE(optimized.conv2d, reference.conv2d);
  EXPECT_NE(optimized.conv2d_backward_input, reference.conv2d_backward_input);
  EXPECT_NE(optimized.conv2d_backward_weight, reference.conv2d_backward_weight);
  EXPECT_NE(optimized.max_pool2d, reference.max_pool2d);
  EXPECT_NE(optimized.max_pool2d_backward, reference.max_pool2d_backward);
  EXPECT_NE(optimized.avg_pool2d, reference.avg_pool2d);
  EXPECT_NE(optimized.avg_pool2d_backward, reference.avg_pool2d_backward);
}

struct ConvCase {
  std::string name;
  tt::Shape input, weight;
  tt::Pair stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

Op conv_op(const ConvCase& c) {
  return [c](const TL& x) { return tt::conv2d(x[0], x[1], tt::Tensor(), c.stride, c.padding, c.dilation, c.groups); };
}

void check_conv(const ConvCase& c) { expect_matches_reference(c.name, {c.input, c.weight}, conv_op(c)); }

TEST(OptimizedConv2d, Kernel3x3Padding1) { check_conv({"3x3 pad 1", {3, 3, 17, 17}, {5, 3, 3, 3}, {1, 1}, {1, 1}}); }

TEST(OptimizedConv2d, SingleInputChannelBatch1) {
  check_conv({"1 channel", {1, 1, 29, 29}, {32, 1, 3, 3}, {1, 1}, {1, 1}});
}

TEST(OptimizedConv2d, Kernel5x5Stride2Padding2) {
  check_conv({"5x5 stride 2 pad 2", {3, 17, 29, 29}, {4, 17, 5, 5}, {2, 2}, {2, 2}});
}

TEST(OptimizedConv2d, AsymmetricStridePaddingDilation) {
  check_conv({"asymmetric", {3, 3, 17, 29}, {6, 3, 3, 5}, {2, 1}, {1, 2}, {2, 1}});
}

TEST(OptimizedConv2d, WideRowsSplitByStride) {
  // Rows longer than two vectors, odd padding (odd columns land in the even phase) and a stride
  // with no vector path.
  check_conv({"stride 2 pad 1 wide", {2, 3, 9, 67}, {4, 3, 3, 3}, {2, 2}, {1, 1}});
  check_conv({"stride 3 pad 2 wide", {2, 3, 11, 70}, {4, 3, 3, 3}, {3, 3}, {2, 2}});
}

TEST(OptimizedConv2d, Dilation2) { check_conv({"dilation 2", {3, 3, 17, 17}, {4, 3, 3, 3}, {1, 1}, {2, 2}, {2, 2}}); }

TEST(OptimizedConv2d, Groups2) { check_conv({"groups 2", {3, 6, 17, 17}, {8, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 2}); }

TEST(OptimizedConv2d, Depthwise) {
  check_conv({"depthwise", {3, 17, 17, 17}, {17, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 17});
  check_conv({"depthwise x2 stride 2", {1, 3, 5, 5}, {6, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 3});
}

TEST(OptimizedConv2d, Pointwise1x1) {
  check_conv({"1x1", {3, 17, 5, 5}, {8, 17, 1, 1}});
  check_conv({"1x1 groups 2", {3, 6, 17, 17}, {4, 3, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 2});
}

TEST(OptimizedConv2d, Kernel1x1WithStrideOrPadding) {
  check_conv({"1x1 stride 2", {3, 3, 17, 17}, {5, 3, 1, 1}, {2, 2}});
  check_conv({"1x1 pad 1", {1, 3, 5, 5}, {5, 3, 1, 1}, {1, 1}, {1, 1}});
}

TEST(OptimizedConv2d, SpatialSize1) {
  check_conv({"1x1 image", {3, 3, 1, 1}, {4, 3, 1, 1}});
  check_conv({"1x1 image 3x3 kernel pad 1", {1, 17, 1, 1}, {4, 17, 3, 3}, {1, 1}, {1, 1}});
}

TEST(OptimizedConv2d, ManyOutputChannelsFewTaps) {
  // More output channels than taps, and an output channel count no microkernel tile divides.
  check_conv({"wide", {3, 1, 17, 17}, {40, 1, 3, 3}, {1, 1}, {1, 1}});
}

TEST(OptimizedConv2d, FewChannelInputGradientUsesSeveralBands) {
  // Below 8 input channels per group the input gradient builds a column matrix (175 taps x 320
  // outputs per row) a band of output rows at a time.
  check_conv({"banded", {1, 7, 16, 640}, {4, 7, 5, 5}, {2, 2}, {2, 2}});
}

TEST(OptimizedConv2d, InputGradientAsRotatedConvolution) {
  // 8 input channels per group, stride 1: the input gradient is a convolution of the output
  // gradient with the rotated weight (here with groups, dilation and padding below
  // dilation * (kernel - 1)).
  check_conv({"rotated", {2, 16, 13, 11}, {12, 8, 3, 3}, {1, 1}, {2, 2}, {2, 2}, 2});
}

TEST(OptimizedConv2d, StridedInputGradientByPhases) {
  // Strided input gradients split the input by the stride into phases, each a convolution with
  // the taps that reach it; with a 1x1 kernel, or padding beyond the kernel, some get none.
  check_conv({"1x1 stride 2", {2, 8, 9, 9}, {4, 8, 1, 1}, {2, 2}});
  check_conv({"pad 2 stride 2", {1, 8, 7, 8}, {4, 8, 3, 3}, {2, 2}, {2, 2}});
  check_conv({"stride 3x2 dilation groups", {2, 16, 17, 13}, {6, 8, 3, 3}, {3, 2}, {2, 1}, {2, 1}, 2});
}

TEST(OptimizedConv2d, WeightGradientOverSeveralSlots) {
  // 40 images of 18x18 padded planes: the weight gradient sums the batch in several slots.
  check_conv({"slots", {40, 3, 16, 16}, {8, 3, 3, 3}, {1, 1}, {1, 1}});
}

// Results for 1 and 2 threads, bitwise: batches that are split across threads (24: images for the
// forward pass, several weight-gradient slots) and batches that are too small for that (3: the
// threads split each image's columns and the rows of the one weight-gradient slot).
TEST(OptimizedConv2d, BitwiseIndependentOfThreadCount) {
  for (int64_t batch : {3, 24})
    for (const ConvCase& c : {ConvCase{"3x3", {batch, 16, 20, 20}, {32, 16, 3, 3}, {1, 1}, {1, 1}},
                              ConvCase{"1x1", {batch, 32, 20, 20}, {64, 32, 1, 1}},
                              ConvCase{"stride 2", {batch, 16, 21, 21}, {16, 16, 3, 3}, {2, 2}, {1, 1}},
                              ConvCase{"groups", {batch, 8, 21, 21}, {8, 4, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 2}}) {
      const std::vector<tt::Tensor> data = make_data({c.input, c.weight}, tt::kFloat32, false);
      const Result one = run("optimized", 1, data, false, conv_op(c));
      const Result two = run("optimized", 2, data, false, conv_op(c));
      const std::string what = c.name + " batch " + std::to_string(batch);
      EXPECT_TRUE(bitwise_equal(one.out, two.out)) << what << " output";
      EXPECT_TRUE(bitwise_equal(one.grads[0], two.grads[0])) << what << " input gradient";
      EXPECT_TRUE(bitwise_equal(one.grads[1], two.grads[1])) << what << " weight gradient";
    }
}

struct PoolCase {
  std::string name;
  tt::Shape input;
  tt::Pair kernel, stride{0, 0}, padding{0, 0}, dilation{1, 1};
  bool count_include_pad = true;
};

Op max_pool_op(const PoolCase& c) {
  return [c](const TL& x) { return tt::max_pool2d(x[0], c.kernel, c.stride, c.padding, c.dilation); };
}

Op avg_pool_op(const PoolCase& c) {
  return [c](const TL& x) { return tt::avg_pool2d(x[0], c.kernel, c.stride, c.padding, c.count_include_pad); };
}

const std::vector<PoolCase>& pool_cases() {
  static const std::vector<PoolCase> cases = {
      {"2x2", {3, 17, 28, 28}, {2, 2}},
      {"2x2 odd size", {1, 3, 29, 17}, {2, 2}},
      {"2x2 stride 1", {3, 3, 17, 17}, {2, 2}, {1, 1}},
      {"3x3 stride 2 pad 1", {3, 3, 17, 29}, {3, 3}, {2, 2}, {1, 1}},
      {"asymmetric", {3, 1, 17, 29}, {3, 5}, {1, 2}, {1, 2}},
      {"spatial 1", {3, 17, 1, 1}, {1, 1}},
      {"5x5 pad 2 no count_include_pad", {1, 3, 5, 5}, {5, 5}, {1, 1}, {2, 2}, {1, 1}, false},
  };
  return cases;
}

TEST(OptimizedPool2d, MaxPoolMatchesReference) {
  for (const PoolCase& c : pool_cases())
    expect_matches_reference("max_pool2d " + c.name, {c.input}, max_pool_op(c), true);
  PoolCase dilated{"dilated", {3, 3, 17, 17}, {3, 3}, {2, 2}, {1, 1}, {2, 2}};
  expect_matches_reference("max_pool2d dilated", {dilated.input}, max_pool_op(dilated), true);
}

TEST(OptimizedPool2d, MaxPoolNanWinsLikeReference) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    tt::Generator gen(7);
    tt::Tensor x = tt::randn({2, 3, 9, 9}, dtype, &gen);
    // Every seventh element NaN: some windows hold one NaN, some two.
    for (int64_t i = 0; i < x.numel(); i += 7) {
      if (dtype == tt::kFloat32)
        x.data_ptr<float>()[i] = NAN;
      else
        x.data_ptr<double>()[i] = NAN;
    }
    for (const PoolCase& c : {PoolCase{"2x2", {}, {2, 2}}, PoolCase{"3x3", {}, {3, 3}, {1, 1}, {1, 1}}}) {
      const Result want = run("reference", 1, {x}, false, max_pool_op(c));
      const Result got = run("optimized", 1, {x}, false, max_pool_op(c));
      const std::string what = c.name + " " + tt::dtype_name(dtype);
      const at::Tensor got_out = to_torch(got.out), want_out = to_torch(want.out);
      EXPECT_TRUE(torch::equal(got_out.isnan(), want_out.isnan())) << what << " NaN positions";
      EXPECT_TRUE(torch::equal(got_out.nan_to_num(0), want_out.nan_to_num(0))) << what << " output";
      // The gradient lands on each window's chosen element, so it shows which NaN was picked.
      EXPECT_TRUE(close(got.grads[0], want.grads[0], what + " gradient"));
    }
  }
}

TEST(OptimizedPool2d, AvgPoolMatchesReference) {
  for (const PoolCase& c : pool_cases()) expect_matches_reference("avg_pool2d " + c.name, {c.input}, avg_pool_op(c));
}

TEST(OptimizedPool2d, BitwiseIndependentOfThreadCount) {
  for (const PoolCase& c : pool_cases())
    for (const Op& op : {max_pool_op(c), avg_pool_op(c)}) {
      const std::vector<tt::Tensor> data = make_data({c.input}, tt::kFloat32, false);
      const Result one = run("optimized", 1, data, false, op);
      const Result two = run("optimized", 2, data, false, op);
      EXPECT_TRUE(bitwise_equal(one.out, two.out)) << c.name << " output";
      EXPECT_TRUE(bitwise_equal(one.grads[0], two.grads[0])) << c.name << " gradient";
    }
}

}  // namespace
