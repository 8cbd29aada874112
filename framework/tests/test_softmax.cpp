// softmax and log_softmax against LibTorch: every dim (negative and non-last included), scalar and
// broadcast (stride-0) inputs, non-contiguous layouts, large logits, f32/f64, gradcheck, bad inputs.
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

struct DimCase {
  tt::Shape shape;
  int64_t dim;
  Layout layout = Layout::Contiguous;
};

const std::vector<DimCase> kDimCases = {
    {{4, 5}, 1},
    {{4, 5}, 0},
    {{4, 5}, -1},
    {{2, 3, 4}, 1},
    {{2, 3, 4}, -3},
    {{2, 3, 4}, -1, Layout::Transposed},
    {{3, 4, 5}, 2, Layout::Strided},
    {{3, 4, 5}, 1, Layout::Transposed},
    {{6}, 0},
    {{}, 0},
    {{}, -1},
};

// softmax, or log_softmax where `log`, in each framework.
tt::Tensor tt_softmax(const tt::Tensor& x, int64_t dim, bool log) {
  return log ? tt::log_softmax(x, dim) : tt::softmax(x, dim);
}
at::Tensor torch_softmax(const at::Tensor& x, int64_t dim, bool log) {
  return log ? torch::log_softmax(x, dim) : torch::softmax(x, dim);
}

void check_all_dims(const std::string& name, bool log) {
  int variant = 0;
  for (const DimCase& dc : kDimCases) {
    const int64_t dim = dc.dim;
    check_op(make_case(
        name + "#" + std::to_string(variant++) + " dim " + std::to_string(dim),
        {Input{dc.shape, Domain::Normal, dc.layout}}, [dim, log](const TL& x) { return tt_softmax(x[0], dim, log); },
        [dim, log](const AL& x) { return torch_softmax(x[0], dim, log); }));
  }
}

TEST(Softmax, MatchesLibTorchOnEveryDim) { check_all_dims("softmax", false); }

TEST(LogSoftmax, MatchesLibTorchOnEveryDim) { check_all_dims("log_softmax", true); }

TEST(Softmax, BroadcastInputWithZeroStrideAlongDim) {
  for (bool log : {false, true}) {
    check_op(make_case(
        log ? "log_softmax of expand" : "softmax of expand", {Input{{3, 1}}},
        [log](const TL& x) {
          return tt_softmax(x[0].expand({3, 4}), 1, log);
        },
        [log](const AL& x) {
          return torch_softmax(x[0].expand({3, 4}), 1, log);
        }));
  }
}

TEST(Softmax, LargeLogitsStayFinite) {
  // exp(1000) overflows in f64 without the max subtraction; the composition with a scale also
  // checks that the backward kernel is chained correctly into the graph.
  for (bool log : {false, true}) {
    OpCase c = make_case(
        log ? "log_softmax large" : "softmax large", {Input{{3, 7}}},
        [log](const TL& x) { return tt_softmax(x[0] * 1000.0 + 500.0, -1, log); },
        [log](const AL& x) { return torch_softmax(x[0] * 1000.0 + 500.0, -1, log); });
    c.f32 = {1e-5, 1e-4};
    c.gradcheck = false;  // the 1000x scale makes finite differences meaningless
    check_op(c);
  }
}

TEST(Softmax, RowsSumToOne) {
  tt::Generator gen(7);
  tt::Tensor x = tt::randn({5, 9}, tt::kFloat64, &gen);
  tt::Tensor sums = tt::softmax(x, 0).sum({0});
  EXPECT_TRUE(tt_test::all_close(sums, torch::ones({9}, torch::kFloat64), 0, 1e-12, "column sums"));
}

TEST(Softmax, DimOutOfRangeNamesOpAndValidRange) {
  tt::Tensor x = tt::zeros({2, 3});
  EXPECT_TRUE(throws_with([&] { tt::softmax(x, 2); }, {"softmax", "dim 2", "2 dims", "-2 to 1"}));
  EXPECT_TRUE(throws_with([&] { tt::log_softmax(x, -3); }, {"log_softmax", "dim -3", "-2 to 1"}));
}

TEST(Softmax, IntegerInputIsRejectedWithHint) {
  tt::Tensor x = tt::arange(6).view({2, 3});
  EXPECT_TRUE(throws_with([&] { tt::softmax(x, 1); }, {"softmax", "int64", ".to(tt::kFloat32)"}));
}
}  // namespace
