// Reductions against LibTorch: sum/mean/var/std over all, one, several and negative dims (keepdim both ways)
// on contiguous, transposed and strided inputs; max/min with indices; argmax/argmin; integer sums; a
// large f32 sum that shows the wide accumulator.
#include <limits>

#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using namespace tt_test;

// TinyTorch accumulates f32 sums in double, LibTorch in f32 (vectorised, in another order): over the at
// most 60 elements reduced here the f32 rounding error is below n·eps·Σ|x| ≈ 60·6e-8·Σ|x|, so rtol/atol 1e-5.
// f64 differs only in summation order: 1e-10.
constexpr Tolerance kF32{1e-5, 1e-5};
constexpr Tolerance kF64{1e-10, 1e-10};

// A [3, 4, 5] input stored contiguously, with its last two dims swapped, and with every other element.
std::vector<Input> reduction_inputs(Domain domain = Domain::Normal) {
  return {
      {{3, 4, 5}, domain},
      {{3, 4, 5}, domain, Layout::Transposed},
      {{3, 4, 5}, domain, Layout::Strided},
  };
}

void check_reduction(const std::string& name, std::function<tt::Tensor(const tt::Tensor&)> tt_fn,
                     std::function<at::Tensor(const at::Tensor&)> torch_fn, Tolerance f32 = kF32) {
  int variant = 0;
  for (const Input& input : reduction_inputs()) {
    OpCase c = unary_case(name + "#" + std::to_string(variant++), input, tt_fn, torch_fn);
    c.f32 = f32;
    c.f64 = kF64;
    check_op(c);
  }
}

// The dim lists every dim-reduction is checked with (empty: all dims).
const std::vector<std::vector<int64_t>> kDimLists = {{}, {1}, {0, 2}, {-1}, {-3, -1}, {2, 0, 1}};

std::string dims_name(const std::vector<int64_t>& dims, bool keepdim) {
  std::string s = "[";
  for (int64_t d : dims) s += std::to_string(d) + ",";
  return s + "]" + (keepdim ? " keepdim" : "");
}

TEST(Reduction, SumAll) {
  check_reduction(
      "sum", [](const tt::Tensor& x) { return tt::sum(x); }, [](const at::Tensor& x) { return torch::sum(x); });
}

TEST(Reduction, SumDims) {
  for (const auto& dims : kDimLists)
    for (bool keepdim : {false, true})
      check_reduction(
          "sum" + dims_name(dims, keepdim), [=](const tt::Tensor& x) { return tt::sum(x, dims, keepdim); },
          [=](const at::Tensor& x) { return torch::sum(x, dims, keepdim); });
}

TEST(Reduction, MeanAll) {
  check_reduction(
      "mean", [](const tt::Tensor& x) { return tt::mean(x); }, [](const at::Tensor& x) { return torch::mean(x); });
}

TEST(Reduction, MeanDims) {
  for (const auto& dims : kDimLists)
    for (bool keepdim : {false, true})
      check_reduction(
          "mean" + dims_name(dims, keepdim), [=](const tt::Tensor& x) { return tt::mean(x, dims, keepdim); },
          [=](const at::Tensor& x) { return torch::mean(x, dims, keepdim); });
}

at::OptionalIntArrayRef torch_dims(const std::vector<int64_t>& dims) {
  if (dims.empty()) return c10::nullopt;
  return at::IntArrayRef(dims);
}

// var/std subtract the mean before squaring in TinyTorch; LibTorch uses Welford's update. Both are
// stable, but in f32 they round differently: 1e-5 relative/absolute as for sums.
TEST(Reduction, VarStd) {
  for (const auto& dims : kDimLists)
    for (int64_t correction : {0, 1})
      for (bool keepdim : {false, true}) {
        const std::string suffix = dims_name(dims, keepdim) + " correction " + std::to_string(correction);
        check_reduction(
            "var" + suffix, [=](const tt::Tensor& x) { return tt::var(x, dims, correction, keepdim); },
            [=](const at::Tensor& x) { return torch::var(x, torch_dims(dims), correction, keepdim); });
        check_reduction(
            "std" + suffix, [=](const tt::Tensor& x) { return tt::std(x, dims, correction, keepdim); },
            [=](const at::Tensor& x) { return torch::std(x, torch_dims(dims), correction, keepdim); });
      }
}

TEST(Reduction, VarDefaultsToBesselCorrection) {
  tt::Generator gen(4);
  const tt::Tensor x = tt::randn({6, 7}, tt::kFloat64, &gen);
  EXPECT_TRUE(all_close(tt::var(x), torch::var(to_torch(x)), 1e-12, 1e-12, "var(x)"));
  EXPECT_TRUE(all_close(tt::std(x, {0}), torch::std(to_torch(x), at::IntArrayRef{0}), 1e-12, 1e-12, "std(x, 0)"));
}

// Random normal inputs have no ties, so the gradient of max/min goes to one element in both frameworks.
TEST(Reduction, MaxMinAll) {
  check_reduction(
      "max", [](const tt::Tensor& x) { return tt::max(x); }, [](const at::Tensor& x) { return torch::max(x); });
  check_reduction(
      "min", [](const tt::Tensor& x) { return tt::min(x); }, [](const at::Tensor& x) { return torch::min(x); });
}

TEST(Reduction, MaxMinAllTiesShareGradient) {
  tt::Tensor x = tt::tensor<double>({1.0, 3.0, -2.0, 3.0, 0.5, 3.0}, {2, 3}).requires_grad_();
  at::Tensor tx = to_torch(x).requires_grad_();
  tt::max(x).backward();
  torch::max(tx).backward();
  // Exact: 1/3 to each of the three maxima in both.
  EXPECT_TRUE(all_close(x.grad(), tx.grad(), 1e-15, 0, "gradient of max over ties"));
}

// Values of max(dim)/min(dim): forward and the gradient that goes to the chosen element.
TEST(Reduction, MaxMinDimValues) {
  for (int64_t dim : {0, 1, 2, -1, -2})
    for (bool keepdim : {false, true}) {
      const std::string suffix = "(" + std::to_string(dim) + (keepdim ? ", keepdim)" : ")");
      check_reduction(
          "max" + suffix, [=](const tt::Tensor& x) { return tt::max(x, dim, keepdim).first; },
          [=](const at::Tensor& x) { return std::get<0>(torch::max(x, dim, keepdim)); });
      check_reduction(
          "min" + suffix, [=](const tt::Tensor& x) { return tt::min(x, dim, keepdim).first; },
          [=](const at::Tensor& x) { return std::get<0>(torch::min(x, dim, keepdim)); });
    }
}

// Indices are compared exactly (as int64), on random floats and on integers full of ties, where
// both frameworks return the first extreme element.
TEST(Reduction, MaxMinDimIndices) {
  for (const auto& in : {Input{{3, 4, 5}}, Input{{3, 4, 5}, Domain::Normal, Layout::Transposed},
                         index_input({3, 4, 5}, 3, Layout::Strided)}) {
    for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
      const tt::Tensor built = tt_test::build_inputs({in}, dtype, 99).tinytorch[0];
      // Index inputs are int64 whatever `dtype`: the f64 pass converts them, so ties are checked in both types.
      const tt::Tensor x = built.dtype() == tt::kInt64 && dtype == tt::kFloat64 ? built.to(dtype) : built;
      const at::Tensor tx = to_torch(x);
      for (int64_t dim : {0, 1, 2, -1})
        for (bool keepdim : {false, true}) {
          SCOPED_TRACE(tt::dtype_name(x.dtype()) + std::string(" dim ") + std::to_string(dim) +
                       (keepdim ? " keepdim" : ""));
          const auto [max_values, max_indices] = tt::max(x, dim, keepdim);
          const auto [min_values, min_indices] = tt::min(x, dim, keepdim);
          const auto torch_max = torch::max(tx, dim, keepdim);
          const auto torch_min = torch::min(tx, dim, keepdim);
          EXPECT_TRUE(all_close(max_values, std::get<0>(torch_max), 0, 0, "max values"));
          EXPECT_TRUE(all_close(max_indices, std::get<1>(torch_max), 0, 0, "max indices"));
          EXPECT_TRUE(all_close(min_values, std::get<0>(torch_min), 0, 0, "min values"));
          EXPECT_TRUE(all_close(min_indices, std::get<1>(torch_min), 0, 0, "min indices"));
        }
    }
  }
}

TEST(Reduction, ArgmaxArgmin) {
  for (const auto& in : {Input{{3, 4, 5}}, Input{{3, 4, 5}, Domain::Normal, Layout::Strided},
                         index_input({3, 4, 5}, 3, Layout::Transposed)}) {
    const auto built = tt_test::build_inputs({in}, tt::kFloat32, 17);
    const tt::Tensor& x = built.tinytorch[0];
    const at::Tensor& tx = built.libtorch[0];
    for (std::optional<int64_t> dim :
         {std::optional<int64_t>(), std::optional<int64_t>(1), std::optional<int64_t>(-1), std::optional<int64_t>(0)})
      for (bool keepdim : {false, true}) {
        SCOPED_TRACE((dim ? "dim " + std::to_string(*dim) : std::string("no dim")) + (keepdim ? " keepdim" : ""));
        const c10::optional<int64_t> torch_dim = dim ? c10::optional<int64_t>(*dim) : c10::nullopt;
        EXPECT_TRUE(all_close(tt::argmax(x, dim, keepdim), torch::argmax(tx, torch_dim, keepdim), 0, 0, "argmax"));
        EXPECT_TRUE(all_close(tt::argmin(x, dim, keepdim), torch::argmin(tx, torch_dim, keepdim), 0, 0, "argmin"));
      }
  }
}

TEST(Reduction, IntegerSumsStayInt64) {
  tt::Generator gen(12);
  const tt::Tensor x = tt::randint(-100, 100, {4, 6}, tt::kInt64, &gen);
  const tt::Tensor mask = tt::lt(tt::rand({4, 6}, tt::kFloat64, &gen), 0.5);
  const at::Tensor tx = to_torch(x), tmask = to_torch(mask);
  // Exact integer arithmetic; all_close also checks the int64 dtype.
  EXPECT_TRUE(all_close(tt::sum(x), torch::sum(tx), 0, 0, "sum(int64)"));
  EXPECT_TRUE(all_close(tt::sum(x.t(), {0}), torch::sum(tx.t(), {0}), 0, 0, "sum(int64 transposed, 0)"));
  EXPECT_TRUE(all_close(tt::sum(x, {-1}, true), torch::sum(tx, {-1}, true), 0, 0, "sum(int64, -1, keepdim)"));
  EXPECT_TRUE(all_close(tt::sum(mask), torch::sum(tmask), 0, 0, "sum(bool)"));
  EXPECT_TRUE(all_close(tt::sum(mask, {1}), torch::sum(tmask, {1}), 0, 0, "sum(bool, 1)"));
  EXPECT_TRUE(all_close(tt::max(x), torch::max(tx), 0, 0, "max(int64)"));
  EXPECT_TRUE(all_close(tt::sum(x, tt::kFloat64), torch::sum(tx, at::kDouble), 0, 0, "sum(int64, dtype=f64)"));
}

// A 0-d tensor reduces over dim 0 or -1 to itself, as in torch.
TEST(Reduction, ZeroDimInput) {
  const tt::Tensor x = tt::full({}, 1.5, tt::kFloat64);
  const at::Tensor tx = to_torch(x);
  EXPECT_TRUE(all_close(tt::sum(x, {0}), torch::sum(tx, {0}), 0, 0, "sum(0-d, 0)"));
  EXPECT_TRUE(all_close(tt::mean(x, {-1}, true), torch::mean(tx, {-1}, true), 0, 0, "mean(0-d, -1, keepdim)"));
  EXPECT_TRUE(all_close(tt::max(x, 0).first, std::get<0>(torch::max(tx, 0)), 0, 0, "max(0-d, 0)"));
  EXPECT_TRUE(all_close(tt::max(x, 0).second, std::get<1>(torch::max(tx, 0)), 0, 0, "max(0-d, 0) index"));
  EXPECT_TRUE(all_close(tt::argmin(x), torch::argmin(tx), 0, 0, "argmin(0-d)"));
}

// NaN wins every max/min and arg-reduction, as in torch (all_close treats NaN == NaN).
TEST(Reduction, NanPropagates) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const tt::Tensor x = tt::tensor<double>({1.0, nan, 3.0, -2.0, 5.0, nan}, {2, 3});
  const at::Tensor tx = to_torch(x);
  EXPECT_TRUE(all_close(tt::max(x), torch::max(tx), 0, 0, "max"));
  EXPECT_TRUE(all_close(tt::min(x), torch::min(tx), 0, 0, "min"));
  for (int64_t dim : {0, 1}) {
    SCOPED_TRACE("dim " + std::to_string(dim));
    EXPECT_TRUE(all_close(tt::max(x, dim).first, std::get<0>(torch::max(tx, dim)), 0, 0, "max values"));
    EXPECT_TRUE(all_close(tt::min(x, dim).second, std::get<1>(torch::min(tx, dim)), 0, 0, "min indices"));
    EXPECT_TRUE(all_close(tt::argmax(x, dim), torch::argmax(tx, dim), 0, 0, "argmax"));
  }
  EXPECT_TRUE(all_close(tt::argmin(x), torch::argmin(tx), 0, 0, "argmin over all"));
}

TEST(Reduction, LargeFloat32SumUsesWideAccumulator) {
  tt::Generator gen(13);
  const tt::Tensor x = (tt::rand({100000}, tt::kFloat64, &gen) + 0.5).to(tt::kFloat32);
  const at::Tensor tx = to_torch(x);
  // The f64 sum of the same f32 values is the exact answer to ~1e-16. A double accumulator is off only by the
  // final rounding to f32 (rtol 6e-8), a naive f32 loop by up to n·eps ≈ 6e-3: rtol 1e-6 tells them apart.
  EXPECT_TRUE(all_close(tt::sum(x).to(tt::kFloat64), torch::sum(tx.to(at::kDouble)), 1e-6, 0, "sum vs f64 sum"));
  EXPECT_TRUE(all_close(tt::mean(x).to(tt::kFloat64), torch::mean(tx.to(at::kDouble)), 1e-6, 0, "mean vs f64 mean"));
  // LibTorch's own f32 sum (cascade summation) is within a few ulps of the exact answer too.
  EXPECT_TRUE(all_close(tt::sum(x), torch::sum(tx), 1e-5, 0, "sum vs LibTorch f32 sum"));
}

TEST(Reduction, BadInputs) {
  EXPECT_TRUE(throws_with([] { tt::mean(tt::zeros({2, 3}, tt::kInt64)); }, {"mean", "int64", "kFloat32"}));
  EXPECT_TRUE(throws_with([] { tt::max(tt::zeros({0, 3})); }, {"max", "[0, 3]"}));
  EXPECT_TRUE(throws_with([] { tt::sum(tt::zeros({2, 3}), {1, -1}); }, {"sum", "more than once", "[1, -1]"}));
  EXPECT_TRUE(throws_with([] { tt::sum(tt::zeros({2, 3}), {2}); }, {"sum", "dim 2", "out of range"}));
}
}  // namespace
