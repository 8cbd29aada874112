// index_select, gather, scatter_add and embedding against LibTorch: several dims (negative too),
// repeated indices (whose gradients must accumulate), non-contiguous operands, f32/f64, gradients,
// gradcheck, and the messages of bad calls.
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

TEST(Indexing, IndexSelectAlongEachDim) {
  // 7 picks from a dim of 4 or 5 must repeat some index, so the backward has to accumulate.
  for (int64_t dim : {0, 1, -1, -2}) {
    const int64_t size = (dim == 0 || dim == -2) ? 4 : 5;
    for (Layout layout : {Layout::Contiguous, Layout::Transposed, Layout::Strided}) {
      check_op(make_case(
          "index_select dim " + std::to_string(dim),
          {{{4, 5}, Domain::Normal, layout}, index_input({7}, size, Layout::Strided)},
          [dim](const TL& x) { return tt::index_select(x[0], dim, x[1]); },
          [dim](const AL& x) { return torch::index_select(x[0], dim, x[1]); }));
    }
  }
}

TEST(Indexing, IndexSelectRepeatedIndices3d) {
  const tt::Tensor index = tt::tensor<int64_t>({1, 1, 3, 1, 0});
  const at::Tensor torch_index = tt_test::to_torch(index);
  check_op(make_case(
      "index_select repeated", {{{3, 4, 5}, Domain::Normal, Layout::Transposed}},
      [index](const TL& x) { return tt::index_select(x[0], 1, index); },
      [torch_index](const AL& x) { return torch::index_select(x[0], 1, torch_index); }));
}

TEST(Indexing, IndexSelectScalarInputAndIndex) {
  check_op(make_case(
      "index_select 0-d input", {{{}, Domain::Normal}, index_input({1}, 1)},
      [](const TL& x) { return tt::index_select(x[0], 0, x[1]); },
      [](const AL& x) { return torch::index_select(x[0], 0, x[1]); }));
  check_op(make_case(
      "index_select 0-d index", {{{3, 4}, Domain::Normal}, index_input({}, 4)},
      [](const TL& x) { return tt::index_select(x[0], -1, x[1]); },
      [](const AL& x) { return torch::index_select(x[0], -1, x[1]); }));
}

TEST(Indexing, GatherAlongEachDim) {
  // Index shapes are smaller than the input off `dim` and larger along it, as torch allows.
  check_op(make_case(
      "gather dim 1", {{{4, 5}, Domain::Normal}, index_input({3, 8}, 5)},
      [](const TL& x) { return tt::gather(x[0], 1, x[1]); }, [](const AL& x) { return torch::gather(x[0], 1, x[1]); }));
  check_op(make_case(
      "gather dim 0", {{{4, 5}, Domain::Normal, Layout::Transposed}, index_input({6, 2}, 4)},
      [](const TL& x) { return tt::gather(x[0], 0, x[1]); }, [](const AL& x) { return torch::gather(x[0], 0, x[1]); }));
  check_op(make_case(
      "gather dim -1 strided",
      {{{3, 4, 5}, Domain::Normal, Layout::Strided}, index_input({2, 4, 7}, 5, Layout::Transposed)},
      [](const TL& x) { return tt::gather(x[0], -1, x[1]); },
      [](const AL& x) { return torch::gather(x[0], -1, x[1]); }));
  check_op(make_case(
      "gather dim -2", {{{3, 4, 5}, Domain::Normal, Layout::Transposed}, index_input({3, 6, 5}, 4)},
      [](const TL& x) { return tt::gather(x[0], -2, x[1]); },
      [](const AL& x) { return torch::gather(x[0], -2, x[1]); }));
}

TEST(Indexing, GatherInt64AndScalar) {
  const tt::Tensor x = tt::randint(-50, 50, {3, 4}, tt::kInt64);
  const tt::Tensor index = tt::randint(0, 4, {3, 6}, tt::kInt64);
  EXPECT_TRUE(tt_test::all_close(tt::gather(x, 1, index),
                                 torch::gather(tt_test::to_torch(x), 1, tt_test::to_torch(index)), 0, 0, "int64"));
  check_op(make_case(
      "gather 0-d", {{{}, Domain::Normal}, index_input({}, 1)}, [](const TL& x) { return tt::gather(x[0], 0, x[1]); },
      [](const AL& x) { return torch::gather(x[0], 0, x[1]); }));
}

TEST(Indexing, ScatterAddAlongEachDim) {
  // 6 rows of index into a dim of 4 must collide in every column: the forward has to accumulate.
  check_op(make_case(
      "scatter_add dim 0", {{{4, 5}, Domain::Normal}, index_input({6, 5}, 4), {{6, 5}, Domain::Normal}},
      [](const TL& x) { return tt::scatter_add(x[0], 0, x[1], x[2]); },
      [](const AL& x) { return torch::scatter_add(x[0], 0, x[1], x[2]); }));
  check_op(make_case(
      "scatter_add dim 1 non-contiguous",
      {{{4, 5}, Domain::Normal, Layout::Transposed},
       index_input({3, 8}, 5, Layout::Strided),
       {{3, 8}, Domain::Normal, Layout::Transposed}},
      [](const TL& x) { return tt::scatter_add(x[0], 1, x[1], x[2]); },
      [](const AL& x) { return torch::scatter_add(x[0], 1, x[1], x[2]); }));
  check_op(make_case(
      "scatter_add dim -2 3-d",
      {{{2, 3, 4}, Domain::Normal, Layout::Strided}, index_input({2, 5, 3}, 3), {{2, 5, 3}, Domain::Normal}},
      [](const TL& x) { return tt::scatter_add(x[0], -2, x[1], x[2]); },
      [](const AL& x) { return torch::scatter_add(x[0], -2, x[1], x[2]); }));
}

TEST(Indexing, ScatterAddSrcLargerThanIndex) {
  // Only the leading index-shaped corner of src is used; LibTorch's backward rejects this shape
  // combination, so gradients are checked by finite differences only.
  OpCase c = make_case(
      "scatter_add larger src", {{{4, 5}, Domain::Normal}, index_input({6, 3}, 4), {{7, 6}, Domain::Normal}},
      [](const TL& x) { return tt::scatter_add(x[0], 0, x[1], x[2]); },
      [](const AL& x) { return torch::scatter_add(x[0], 0, x[1], x[2]); });
  c.differentiable = false;
  check_op(c);
}

TEST(Indexing, EmbeddingIndicesOfAnyShape) {
  for (const tt::Shape& shape : {tt::Shape{3, 5}, tt::Shape{7}, tt::Shape{}, tt::Shape{2, 3, 4}}) {
    check_op(make_case(
        "embedding indices " + tt::shape_str(shape),
        {{{10, 4}, Domain::Normal, Layout::Transposed}, index_input(shape, 10)},
        [](const TL& x) { return tt::embedding(x[0], x[1]); },
        [](const AL& x) { return torch::embedding(x[0], x[1]); }));
  }
}

TEST(Indexing, EmbeddingPaddingRowGetsNoGradient) {
  const tt::Tensor indices = tt::tensor<int64_t>({2, 0, 2, 7, 9, 2, 1, 0}, {2, 4});
  const at::Tensor torch_indices = tt_test::to_torch(indices);
  for (int64_t padding_idx : {2, 0, 5}) {
    OpCase c = make_case(
        "embedding padding_idx " + std::to_string(padding_idx), {{{10, 3}, Domain::Normal, Layout::Strided}},
        [indices, padding_idx](const TL& x) { return tt::embedding(x[0], indices, padding_idx); },
        [torch_indices, padding_idx](const AL& x) { return torch::embedding(x[0], torch_indices, padding_idx); });
    // A looked-up padding row's zero gradient is a convention, not the derivative, so finite
    // differences agree only when the padding row (5) is never looked up.
    c.gradcheck = padding_idx == 5;
    check_op(c);
  }
  // Stated directly too: a padding row that was looked up still ends with an all-zero gradient.
  tt::Tensor weight = tt::randn({10, 3}).requires_grad_();
  tt::embedding(weight, indices, 2).sum().backward();
  EXPECT_TRUE(tt_test::all_close(weight.grad().select(0, 2), torch::zeros({3}), 0, 0, "padding row gradient"));
  EXPECT_TRUE(tt_test::all_close(weight.grad().select(0, 0), torch::full({3}, 2.0), 0, 0, "row 0 gradient"));
}

TEST(Indexing, BadIndexMessages) {
  const tt::Tensor x = tt::randn({3, 5});
  EXPECT_TRUE(throws_with(
      [&] {
        tt::gather(x, 1, tt::tensor<int64_t>({0, 7, 1}, {1, 3}));
      },
      {"gather: index 7 is out of bounds for dim 1 with size 5"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::index_select(x, 0, tt::tensor<int64_t>({0, -1}));
      },
      {"index_select: index -1 is out of bounds for dim 0 with size 3"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::scatter_add(x, -2, tt::tensor<int64_t>({3}, {1, 1}), tt::randn({1, 1}));
      },
      {"scatter_add: index 3 is out of bounds for dim 0 with size 3"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::embedding(x, tt::tensor<int64_t>({1, 4}));
      },
      {"embedding: index 4 is out of bounds for dim 0 with size 3"}));

  EXPECT_TRUE(throws_with(
      [&] {
        tt::gather(x, 1, tt::zeros({3, 2}));
      },
      {"gather", "int64", "float32", ".to(tt::kInt64)"}));
  EXPECT_TRUE(
      throws_with([&] { tt::index_select(x, 0, tt::zeros({2}, tt::kBool)); }, {"index_select", "int64", "bool"}));
  EXPECT_TRUE(throws_with([&] { tt::embedding(x, tt::zeros({2}, tt::kFloat64)); }, {"embedding", "int64", "float64"}));
  EXPECT_TRUE(throws_with([&] { tt::scatter_add(x, 0, tt::zeros({1, 1}), x); }, {"scatter_add", "int64", "float32"}));
}

TEST(Indexing, BadShapeMessages) {
  const tt::Tensor x = tt::randn({3, 5});
  const tt::Tensor zero_index = tt::zeros({4, 2}, tt::kInt64);
  EXPECT_TRUE(
      throws_with([&] { tt::gather(x, 1, zero_index); }, {"gather", "[4, 2]", "[3, 5]", "dim 0", "only dim 1"}));
  EXPECT_TRUE(throws_with([&] { tt::gather(x, 1, tt::zeros({3}, tt::kInt64)); }, {"gather", "[3]", "[3, 5]", "dims"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::scatter_add(x, 0, zero_index, tt::randn({3, 2}));
      },
      {"scatter_add", "[4, 2]", "src", "[3, 2]", "dim 0"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::scatter_add(x, 0, zero_index, tt::randn({4, 2}, tt::kFloat64));
      },
      {"scatter_add", "float64", "float32"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::index_select(x, 0, tt::zeros({2, 2}, tt::kInt64));
      },
      {"index_select", "1-D", "[2, 2]"}));
  EXPECT_TRUE(throws_with([&] { tt::index_select(x, 2, tt::zeros({2}, tt::kInt64)); }, {"index_select", "dim 2"}));
  EXPECT_TRUE(throws_with([&] { tt::embedding(tt::randn({3, 5, 2}), zero_index); }, {"embedding", "2-D", "[3, 5, 2]"}));
  EXPECT_TRUE(throws_with([&] { tt::embedding(x, zero_index, 3); }, {"embedding", "padding_idx 3", "3 rows"}));
}

}  // namespace
