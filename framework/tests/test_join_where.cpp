// cat/stack/split/chunk, where, masked_fill and the comparison ops against LibTorch: values,
// shapes, dtypes (promotion, bool outputs), gradients through the joins and selections, gradcheck,
// and the messages of bad calls.
#include <functional>

#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

// Checks every part of a split-like op (values and gradients) and the number of parts.
void check_parts(const std::string& name, const Input& input, std::function<TL(const tt::Tensor&)> tt_fn,
                 std::function<AL(const at::Tensor&)> torch_fn) {
  const size_t count = torch_fn(torch::zeros(input.shape)).size();
  EXPECT_EQ(tt_fn(tt::zeros(input.shape)).size(), count) << name << ": number of parts";
  for (size_t k = 0; k < count; ++k)
    check_op(make_case(
        name + " part " + std::to_string(k), {input}, [tt_fn, k](const TL& x) { return tt_fn(x[0]).at(k); },
        [torch_fn, k](const AL& x) { return torch_fn(x[0]).at(k); }));
}

TEST(JoinWhere, Cat) {
  check_op(make_case(
      "cat dim 0", {{{2, 3}, Domain::Normal}, {{4, 3}, Domain::Normal, Layout::Transposed}},
      [](const TL& x) {
        return tt::cat({x[0], x[1]}, 0);
      },
      [](const AL& x) {
        return torch::cat({x[0], x[1]}, 0);
      }));
  check_op(make_case(
      "cat dim 1", {{{3, 2}, Domain::Normal}, {{3, 4}, Domain::Normal, Layout::Strided}, {{3, 1}, Domain::Normal}},
      [](const TL& x) {
        return tt::cat({x[0], x[1], x[2]}, 1);
      },
      [](const AL& x) {
        return torch::cat({x[0], x[1], x[2]}, 1);
      }));
  check_op(make_case(
      "cat dim -1 3-d", {{{2, 3, 1}, Domain::Normal}, {{2, 3, 4}, Domain::Normal, Layout::Transposed}},
      [](const TL& x) {
        return tt::cat({x[0], x[1]}, -1);
      },
      [](const AL& x) {
        return torch::cat({x[0], x[1]}, -1);
      }));
  // The same tensor twice: both slices' gradients land on one input.
  check_op(make_case(
      "cat repeated input", {{{2, 3}, Domain::Normal}},
      [](const TL& x) {
        return tt::cat({x[0], x[0] * 2.0}, 0);
      },
      [](const AL& x) {
        return torch::cat({x[0], x[0] * 2.0}, 0);
      }));
}

TEST(JoinWhere, CatPromotesMixedDtypes) {
  OpCase c = make_case(
      "cat f32 + f64", {{{2, 3}, Domain::Normal}, {{1, 3}, Domain::Normal}},
      [](const TL& x) {
        return tt::cat({x[0], x[1].to(tt::kFloat64)}, 0);
      },
      [](const AL& x) {
        return torch::cat({x[0], x[1].to(at::kDouble)}, 0);
      });
  c.dtypes = {tt::kFloat32};
  c.gradcheck = false;  // gradcheck needs every differentiable input in f64
  check_op(c);

  const tt::Tensor ints = tt::randint(-5, 5, {2, 3}, tt::kInt64);
  const tt::Tensor floats = tt::randn({2, 2});
  const tt::Tensor flags = tt::lt(tt::randn({2, 1}), 0.0);
  EXPECT_TRUE(tt_test::all_close(
      tt::cat({ints, floats, flags}, 1),
      torch::cat({tt_test::to_torch(ints), tt_test::to_torch(floats), tt_test::to_torch(flags)}, 1), 0, 0, "cat int"));
}

TEST(JoinWhere, Stack) {
  for (int64_t dim : {0, 1, 2, -1, -3}) {
    check_op(make_case(
        "stack dim " + std::to_string(dim),
        {{{3, 4}, Domain::Normal},
         {{3, 4}, Domain::Normal, Layout::Transposed},
         {{3, 4}, Domain::Normal, Layout::Strided}},
        [dim](const TL& x) {
          return tt::stack({x[0], x[1], x[2]}, dim);
        },
        [dim](const AL& x) {
          return torch::stack({x[0], x[1], x[2]}, dim);
        }));
  }
}

TEST(JoinWhere, SplitBySize) {
  check_parts(
      "split 3 dim 0", {{7, 4}, Domain::Normal, Layout::Transposed},
      [](const tt::Tensor& x) { return tt::split(x, 3, 0); },
      [](const at::Tensor& x) { return torch::split(x, 3, 0); });
  check_parts(
      "split 2 dim -1", {{3, 7}, Domain::Normal, Layout::Strided},
      [](const tt::Tensor& x) { return tt::split(x, 2, -1); },
      [](const at::Tensor& x) { return torch::split(x, 2, -1); });
  check_parts(
      "split larger than dim", {{3, 4}, Domain::Normal}, [](const tt::Tensor& x) { return tt::split(x, 5, 1); },
      [](const at::Tensor& x) { return torch::split(x, 5, 1); });
}

TEST(JoinWhere, SplitBySizes) {
  check_parts(
      "split [1, 4, 2]", {{7, 3}, Domain::Normal, Layout::Transposed},
      [](const tt::Tensor& x) {
        return tt::split(x, tt::Shape{1, 4, 2}, 0);
      },
      [](const at::Tensor& x) {
        return torch::split_with_sizes(x, {1, 4, 2}, 0);
      });
  check_parts(
      "split [2, 0, 3] dim -1", {{2, 5}, Domain::Normal},
      [](const tt::Tensor& x) {
        return tt::split(x, tt::Shape{2, 0, 3}, -1);
      },
      [](const at::Tensor& x) {
        return torch::split_with_sizes(x, {2, 0, 3}, -1);
      });
}

TEST(JoinWhere, ChunkUneven) {
  check_parts(
      "chunk 3 of 7", {{7, 4}, Domain::Normal}, [](const tt::Tensor& x) { return tt::chunk(x, 3, 0); },
      [](const at::Tensor& x) { return torch::chunk(x, 3, 0); });
  // 6 into 4 chunks gives 3 chunks of 2, as torch.
  check_parts(
      "chunk 4 of 6", {{2, 6}, Domain::Normal, Layout::Transposed},
      [](const tt::Tensor& x) { return tt::chunk(x, 4, -1); },
      [](const at::Tensor& x) { return torch::chunk(x, 4, -1); });
  check_parts(
      "chunk 5 of 3", {{3, 2}, Domain::Normal}, [](const tt::Tensor& x) { return tt::chunk(x, 5, 0); },
      [](const at::Tensor& x) { return torch::chunk(x, 5, 0); });
}

TEST(JoinWhere, WhereBroadcasts) {
  const std::vector<std::vector<Input>> shapes = {
      {bool_input({3, 1}), {{1, 4}, Domain::Normal}, {{3, 4}, Domain::Normal}},
      {bool_input({4}), {{3, 4}, Domain::Normal, Layout::Transposed}, {{}, Domain::Normal}},
      {bool_input({2, 3, 4}, Layout::Strided), {{3, 4}, Domain::Normal}, {{2, 1, 4}, Domain::Normal}},
      {bool_input({3, 4}, Layout::Transposed), {{3, 4}, Domain::Normal, Layout::Strided}, {{3, 4}, Domain::Normal}},
  };
  int variant = 0;
  for (const auto& inputs : shapes)
    check_op(make_case(
        "where#" + std::to_string(variant++), inputs, [](const TL& x) { return tt::where(x[0], x[1], x[2]); },
        [](const AL& x) { return torch::where(x[0], x[1], x[2]); }));
}

TEST(JoinWhere, WherePromotes) {
  OpCase c = make_case(
      "where f32/f64", {bool_input({3, 4}), {{3, 4}, Domain::Normal}, {{4}, Domain::Normal}},
      [](const TL& x) { return tt::where(x[0], x[1], x[2].to(tt::kFloat64)); },
      [](const AL& x) { return torch::where(x[0], x[1], x[2].to(at::kDouble)); });
  c.dtypes = {tt::kFloat32};
  c.gradcheck = false;  // gradcheck needs every differentiable input in f64
  check_op(c);
}

TEST(JoinWhere, MaskedFillBroadcastsMask) {
  const std::vector<std::vector<Input>> shapes = {
      {{{3, 4}, Domain::Normal}, bool_input({4})},
      {{{2, 3, 4}, Domain::Normal, Layout::Transposed}, bool_input({3, 1})},
      {{{3, 4}, Domain::Normal, Layout::Strided}, bool_input({})},
      {{{3, 4}, Domain::Normal}, bool_input({3, 4}, Layout::Transposed)},
      {{{3, 1}, Domain::Normal}, bool_input({2, 3, 4})},  // the result takes the broadcast shape, as torch
  };
  int variant = 0;
  for (const auto& inputs : shapes) {
    const double value = variant % 2 == 0 ? 1.5 : -2.0;
    check_op(make_case(
        "masked_fill#" + std::to_string(variant++), inputs,
        [value](const TL& x) { return tt::masked_fill(x[0], x[1], value); },
        [value](const AL& x) { return x[0].masked_fill(x[1], value); }));
  }
}

using TtCompare = tt::Tensor (*)(const tt::Tensor&, const tt::Tensor&);
using TtCompareScalar = tt::Tensor (*)(const tt::Tensor&, const tt::Scalar&);
using TorchCompare = at::Tensor (*)(const at::Tensor&, const at::Tensor&);
using TorchCompareScalar = at::Tensor (*)(const at::Tensor&, const at::Scalar&);

struct Comparison {
  std::string name;
  TtCompare tt_fn;
  TtCompareScalar tt_scalar;
  TorchCompare torch_fn;
  TorchCompareScalar torch_scalar;
};

std::vector<Comparison> comparisons() {
  return {
      {"eq", tt::eq, tt::eq, torch::eq, torch::eq}, {"ne", tt::ne, tt::ne, torch::ne, torch::ne},
      {"lt", tt::lt, tt::lt, torch::lt, torch::lt}, {"le", tt::le, tt::le, torch::le, torch::le},
      {"gt", tt::gt, tt::gt, torch::gt, torch::gt}, {"ge", tt::ge, tt::ge, torch::ge, torch::ge},
  };
}

void check_comparison(const std::string& name, std::vector<Input> inputs, std::function<tt::Tensor(const TL&)> tt_fn,
                      std::function<at::Tensor(const AL&)> torch_fn) {
  OpCase c = make_case(name, std::move(inputs), std::move(tt_fn), std::move(torch_fn));
  c.differentiable = false;
  c.gradcheck = false;
  check_op(c);
}

TEST(JoinWhere, ComparisonsWithTensors) {
  for (const Comparison& op : comparisons()) {
    check_comparison(
        op.name + " broadcast", {{{3, 4}, Domain::Normal, Layout::Transposed}, {{4}, Domain::Normal}},
        [f = op.tt_fn](const TL& x) { return f(x[0], x[1]); },
        [f = op.torch_fn](const AL& x) { return f(x[0], x[1]); });
    // x against |x| ties wherever x >= 0, so equality cases are exercised.
    check_comparison(
        op.name + " ties", {{{2, 5}, Domain::Normal, Layout::Strided}},
        [f = op.tt_fn](const TL& x) { return f(x[0], tt::abs(x[0])); },
        [f = op.torch_fn](const AL& x) { return f(x[0], torch::abs(x[0])); });
    check_comparison(
        op.name + " int64", {index_input({3, 4}, 3), index_input({3, 1}, 3)},
        [f = op.tt_fn](const TL& x) { return f(x[0], x[1]); },
        [f = op.torch_fn](const AL& x) { return f(x[0], x[1]); });
    check_comparison(
        op.name + " int64 vs float", {index_input({3, 4}, 3), {{3, 4}, Domain::Normal}},
        [f = op.tt_fn](const TL& x) { return f(x[0], x[1] + 1.0); },
        [f = op.torch_fn](const AL& x) { return f(x[0], x[1] + 1.0); });
  }
}

TEST(JoinWhere, ComparisonsWithScalars) {
  for (const Comparison& op : comparisons()) {
    check_comparison(
        op.name + " float scalar", {{{3, 4}, Domain::Normal, Layout::Transposed}},
        [f = op.tt_scalar](const TL& x) { return f(x[0], 0.25); },
        [f = op.torch_scalar](const AL& x) { return f(x[0], 0.25); });
    check_comparison(
        op.name + " int scalar", {index_input({3, 4}, 3)}, [f = op.tt_scalar](const TL& x) { return f(x[0], 1); },
        [f = op.torch_scalar](const AL& x) { return f(x[0], 1); });
    check_comparison(
        op.name + " int tensor, float scalar", {index_input({3, 4}, 3)},
        [f = op.tt_scalar](const TL& x) { return f(x[0], 0.5); },
        [f = op.torch_scalar](const AL& x) { return f(x[0], 0.5); });
  }
}

TEST(JoinWhere, BadInputMessages) {
  const tt::Tensor a = tt::randn({2, 3});
  const tt::Tensor b = tt::randn({2, 4});
  const tt::Tensor mask = tt::zeros({3}, tt::kBool);
  EXPECT_TRUE(throws_with([&] { tt::cat({a, b}, 0); }, {"cat", "[2, 4]", "[2, 3]", "dim 0"}));
  EXPECT_TRUE(throws_with([&] { tt::cat({a, tt::randn({3})}, 0); }, {"cat", "[3]", "[2, 3]", "dims"}));
  EXPECT_TRUE(throws_with([&] { tt::stack({a, tt::randn({3, 2})}, 0); }, {"stack", "[3, 2]", "[2, 3]"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::split(b, tt::Shape{1, 2}, 1);
      },
      {"split", "[1, 2]", "sum to 3", "[2, 4]", "size 4"}));
  EXPECT_TRUE(throws_with([&] { tt::where(a, a, a); }, {"where", "bool", "float32"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::where(tt::zeros({2, 3}, tt::kBool), a, tt::randn({4}));
      },
      {"where", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_with([&] { tt::masked_fill(b, mask, 0.0); }, {"masked_fill", "[3]", "[2, 4]"}));
  EXPECT_TRUE(throws_with([&] { tt::masked_fill(a, tt::zeros({2, 3}), 0.0); }, {"masked_fill", "bool", "float32"}));
}

}  // namespace
