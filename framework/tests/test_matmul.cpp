// matmul and linear against LibTorch: every rank combination of torch.matmul (dot, matrix-vector,
// batched with broadcast batch dims, the N-D·2-D fold), transposed and strided operands, odd sizes,
// gradients, gradcheck, and the messages for mismatched shapes.
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

// Each output is a dot product of K <= 17 terms. LibTorch's BLAS and TinyTorch's optimized GEMM accumulate in
// f32 (rounding error up to K·eps·Σ|a·b| ≈ 17·6e-8·17 ≈ 2e-5 for unit normals each), the reference kernel in
// double, so f32 allows atol 1e-4, rtol 1e-5. f64 differs only in summation order: 1e-10.
constexpr Tolerance kF32{1e-5, 1e-4};
constexpr Tolerance kF64{1e-10, 1e-10};

// The backends differ in their GEMM kernels, so every case runs on each of them.
void check_all_backends(const OpCase& c) {
  for (const std::string& backend : tt::available_backends()) {
    SCOPED_TRACE("backend " + backend);
    tt::BackendGuard guard(backend);
    check_op(c);
  }
}

OpCase matmul_case(const std::string& name, const Input& a, const Input& b) {
  return make_case(
      name, {a, b}, [](const TL& x) { return tt::matmul(x[0], x[1]); },
      [](const AL& x) { return torch::matmul(x[0], x[1]); });
}

void check_matmul(const std::string& name, const Input& a, const Input& b) {
  OpCase c = matmul_case(name, a, b);
  c.f32 = kF32;
  c.f64 = kF64;
  check_all_backends(c);
}

constexpr Layout kC = Layout::Contiguous;
constexpr Layout kT = Layout::Transposed;
constexpr Layout kS = Layout::Strided;
constexpr Domain kN = Domain::Normal;

TEST(Matmul, VectorVector) {
  check_matmul("dot", {{5}}, {{5}});
  check_matmul("dot strided", {{5}, kN, kS}, {{5}, kN, kS});
}

TEST(Matmul, MatrixVector) {
  check_matmul("mv", {{3, 5}}, {{5}});
  check_matmul("mv transposed", {{3, 5}, kN, kT}, {{5}, kN, kS});
  check_matmul("3d·1d", {{2, 3, 5}, kN, kT}, {{5}});
}

TEST(Matmul, VectorMatrix) {
  check_matmul("vm", {{5}}, {{5, 4}});
  check_matmul("vm transposed", {{5}, kN, kS}, {{5, 4}, kN, kT});
  check_matmul("1d·3d", {{4}}, {{2, 4, 3}, kN, kS});
}

TEST(Matmul, MatrixMatrix) {
  for (Layout la : {kC, kT, kS})
    for (Layout lb : {kC, kT, kS})
      check_matmul("mm layouts " + std::to_string(static_cast<int>(la)) + std::to_string(static_cast<int>(lb)),
                   {{3, 5}, kN, la}, {{5, 4}, kN, lb});
}

TEST(Matmul, Batched) {
  check_matmul("bmm", {{2, 3, 5}}, {{2, 5, 4}});
  check_matmul("bmm transposed", {{2, 3, 5}, kN, kT}, {{2, 5, 4}, kN, kT});
  check_matmul("bmm strided", {{2, 3, 5}, kN, kS}, {{2, 5, 4}, kN, kT});
}

TEST(Matmul, BroadcastBatch) {
  check_matmul("[2,1,3,4]·[5,4,2]", {{2, 1, 3, 4}}, {{5, 4, 2}});
  check_matmul("[2,1,3,4]·[5,4,2] transposed", {{2, 1, 3, 4}, kN, kT}, {{5, 4, 2}, kN, kT});
  check_matmul("2d·3d", {{3, 4}, kN, kT}, {{2, 4, 5}});
  check_matmul("[1,3,4]·[2,4,5]", {{1, 3, 4}}, {{2, 4, 5}, kN, kS});
}

TEST(Matmul, FoldNdTimes2d) {
  check_matmul("4d·2d", {{2, 3, 4, 5}}, {{5, 3}});
  check_matmul("4d·2d transposed", {{2, 3, 4, 5}, kN, kT}, {{5, 3}, kN, kT});
  check_matmul("3d·2d strided", {{2, 4, 5}, kN, kS}, {{5, 3}, kN, kS});
}

TEST(Matmul, OddSizes) {
  check_matmul("1x1·1x1", {{1, 1}}, {{1, 1}});
  check_matmul("1x17·17x3", {{1, 17}}, {{17, 3}, kN, kT});
  check_matmul("17x3·3x1", {{17, 3}, kN, kT}, {{3, 1}});
  check_matmul("3x17·17x17", {{3, 17}, kN, kS}, {{17, 17}, kN, kT});
  check_matmul("17·17x1", {{17}}, {{17, 1}});
  check_matmul("[1,17,1]·[1,17]", {{1, 17, 1}}, {{1, 17}});
}

// Sizes past one register/cache block of the optimized GEMM, none a multiple of the usual block sizes. K = 67
// gives a worst-case f32 error of 67·eps·Σ|a·b| ≈ 67·6e-8·43 ≈ 2e-4 per framework, hence atol 5e-4. Gradcheck
// (two forwards per input element) is left to the small cases; gradients are still compared with LibTorch.
TEST(Matmul, BlockEdges) {
  OpCase c = matmul_case("31x67·67x45", {{31, 67}}, {{67, 45}, kN, kT});
  c.f32 = {1e-5, 5e-4};
  c.f64 = kF64;
  c.gradcheck = false;
  check_all_backends(c);
}

// Integer products are exact in both frameworks.
TEST(Matmul, Int64) {
  tt::Generator gen(31);
  const tt::Tensor a = tt::randint(-5, 5, {2, 3, 4}, tt::kInt64, &gen);
  const tt::Tensor b = tt::randint(-5, 5, {4, 5}, tt::kInt64, &gen);
  for (const std::string& backend : tt::available_backends()) {
    SCOPED_TRACE("backend " + backend);
    tt::BackendGuard guard(backend);
    EXPECT_TRUE(tt_test::all_close(tt::matmul(a, b), torch::matmul(tt_test::to_torch(a), tt_test::to_torch(b)), 0, 0,
                                   "int64 matmul"));
    EXPECT_TRUE(tt_test::all_close(tt::matmul(a.transpose(1, 2).contiguous().transpose(1, 2), b.t().contiguous().t()),
                                   torch::matmul(tt_test::to_torch(a), tt_test::to_torch(b)), 0, 0,
                                   "int64 matmul, transposed operands"));
  }
}

void check_linear(const std::string& name, const Input& x, const Input& weight, std::optional<Input> bias) {
  OpCase c = make_case(
      name, {x, weight}, [](const TL& in) { return tt::linear(in[0], in[1], in.size() > 2 ? in[2] : tt::Tensor()); },
      [](const AL& in) { return torch::nn::functional::linear(in[0], in[1], in.size() > 2 ? in[2] : at::Tensor()); });
  if (bias) c.inputs.push_back(*bias);
  c.f32 = kF32;
  c.f64 = kF64;
  check_all_backends(c);
}

TEST(Matmul, Linear) {
  check_linear("linear", {{4, 5}}, {{3, 5}}, Input{{3}});
  check_linear("linear no bias", {{4, 5}}, {{3, 5}}, std::nullopt);
  check_linear("linear 3d input", {{2, 4, 5}, kN, kT}, {{3, 5}, kN, kT}, Input{{3}, kN, kS});
  check_linear("linear 1d input", {{5}}, {{3, 5}}, Input{{3}});
  check_linear("linear 17 features", {{1, 17}, kN, kS}, {{1, 17}}, Input{{1}});
}

TEST(Matmul, ShapeMismatchMessages) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::matmul(tt::zeros({3, 4}), tt::zeros({5, 6}));
      },
      {"matmul", "[3, 4]", "[5, 6]", "transpose", "second"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::matmul(tt::zeros({4, 3}), tt::zeros({4, 2}));
      },
      {"matmul", "[4, 3]", "[4, 2]", "transpose", "first"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::matmul(tt::zeros({2, 3, 4}), tt::zeros({3}));
      },
      {"matmul", "[2, 3, 4]", "[3]", "transpose"}));
  EXPECT_TRUE(throws_with([] { tt::matmul(tt::zeros({}), tt::zeros({3})); }, {"matmul", "[]", "[3]", "1 dim"}));
  EXPECT_TRUE(throws_with([] { tt::matmul(tt::zeros({2, 3, 4}), tt::zeros({3, 4, 5})); }, {"matmul", "[2]", "[3]"}));
}

TEST(Matmul, LinearMismatchMessages) {
  EXPECT_TRUE(throws_with(
      [] {
        tt::linear(tt::zeros({2, 4}), tt::zeros({3, 5}));
      },
      {"linear", "[2, 4]", "[3, 5]", "in_features"}));
  EXPECT_TRUE(throws_with(
      [] {
        tt::linear(tt::zeros({2, 5}), tt::zeros({3, 5}), tt::zeros({4}));
      },
      {"linear", "bias", "[4]", "out_features"}));
  EXPECT_TRUE(throws_with([] { tt::linear(tt::zeros({2, 5}), tt::zeros({5})); }, {"linear", "weight", "[5]"}));
}
}  // namespace
