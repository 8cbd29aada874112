// Optimized fill / copy / unary / binary / where / reduce / arg_reduce / softmax kernels against the
// reference kernels (the test oracle) on odd sizes and on contiguous, broadcast and strided
// layouts; the per-ISA span loops against each other; 1 vs 2 threads bitwise; f32 ULP error of
// the polynomial transcendentals against double-precision std:: functions.
//
// Tolerances: ops that do the reference's arithmetic (add, mul, relu, comparisons, max, where, ...)
// must match exactly. f32 ops built on exp / log / tanh / erf: rtol 1e-5, atol 1e-6 (gelu's left
// tail cancels in the reference). f64 pointwise ops use libm as the reference does: exact.
// f32 sums accumulate in float lanes: |diff| <= 1e-5 * sum(|x|) over the reduced elements.
// Softmax: rtol 1e-5 / atol 1e-6 (f32), 1e-12 (f64).
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "kernels/kernel_table.h"
#include "kernels/optimized/cpu_features.h"
#include "kernels/optimized/span_kernels.h"
#include "support/op_harness.h"

namespace {
namespace kn = tinytorch::kernels;
namespace opt = tinytorch::kernels::optimized;
using kn::BinaryOp;
using kn::ReduceOp;
using kn::UnaryOp;

const std::vector<int64_t> kSizes = {1, 3, 17, 63, 129, 1000, 4097, 100003};
const std::vector<tt::DType> kDtypes = {tt::kFloat32, tt::kFloat64};

struct Tolerance {
  double rtol = 0, atol = 0;
};
constexpr Tolerance kExact{};

// Exact: the reference's arithmetic. Rounding: a * b + c may be contracted into an FMA in the
// AVX2 / AVX-512 loops (or pow differs from powf by an ULP); terms of size ~1 may cancel, hence the
// atol. Approx: f32 polynomial transcendentals (f64 uses libm, so only rounding differs).
enum class Kind { Exact, Rounding, Approx };

Tolerance tolerance(Kind kind, tt::DType dtype) {
  if (kind == Kind::Exact) return kExact;
  if (dtype == tt::kFloat64) return {1e-14, 1e-14};
  return kind == Kind::Rounding ? Tolerance{2e-6, 1e-6} : Tolerance{1e-5, 5e-6};
}

tt::Tensor random(const tt::Shape& shape, tt::DType dtype, uint64_t seed, double lo = -3, double hi = 3) {
  torch::manual_seed(seed);
  return tt_test::from_torch((torch::rand(shape, torch::kFloat64) * (hi - lo) + lo).to(tt_test::to_torch_dtype(dtype)));
}

// The same values as `dense` ([rows, cols]) in another memory layout.
enum class Layout { Contiguous, Transposed, Stepped };
const std::vector<Layout> kLayouts = {Layout::Contiguous, Layout::Transposed, Layout::Stepped};

// The largest size runs contiguous only, to keep the (slow) reference kernels within the time budget.
std::vector<Layout> layouts_for(int64_t n) { return n > 5000 ? std::vector<Layout>{Layout::Contiguous} : kLayouts; }

tt::Tensor with_layout(const tt::Tensor& dense, Layout layout) {
  if (layout == Layout::Contiguous) return dense;
  if (layout == Layout::Transposed) return tt_test::from_torch(tt_test::to_torch(dense).t().contiguous()).t();
  const at::Tensor t = tt_test::to_torch(dense);
  at::Tensor wide = torch::zeros({t.size(0), 2 * t.size(1)}, t.options());
  wide.slice(1, 0, 2 * t.size(1), 2).copy_(t);
  return tt_test::from_torch(wide).slice(1, 0, std::nullopt, 2);
}

std::vector<double> as_doubles(const tt::Tensor& t) {
  tt::Tensor dense = tt::empty(t.sizes(), tt::kFloat64);
  tinytorch::kernels::reference_kernels().copy(dense, t);
  const double* p = dense.data_ptr<double>();
  return std::vector<double>(p, p + dense.numel());
}

// |actual - expected| <= atol + rtol * |expected| (+ atol_per_element), NaN where expected has NaN.
::testing::AssertionResult close(const tt::Tensor& actual, const tt::Tensor& expected, Tolerance tol,
                                 const tt::Tensor& atol_per_element = {}) {
  if (actual.sizes() != expected.sizes()) return ::testing::AssertionFailure() << "shapes differ";
  const std::vector<double> a = as_doubles(actual), e = as_doubles(expected);
  const std::vector<double> extra = atol_per_element.defined() ? as_doubles(atol_per_element) : std::vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == e[i] || (std::isnan(a[i]) && std::isnan(e[i]))) continue;
    const double bound = tol.atol + tol.rtol * std::fabs(e[i]) + (extra.empty() ? 0.0 : extra[i]);
    if (!(std::fabs(a[i] - e[i]) <= bound))
      return ::testing::AssertionFailure()
             << "element " << i << ": got " << a[i] << ", reference " << e[i] << " (bound " << bound << ")";
  }
  return ::testing::AssertionSuccess();
}

bool bitwise_equal(const tt::Tensor& a, const tt::Tensor& b) {
  const tt::Tensor x = a.contiguous(), y = b.contiguous();
  return x.sizes() == y.sizes() && x.dtype() == y.dtype() &&
         std::memcmp(x.storage()->data(), y.storage()->data(), x.numel() * x.element_size()) == 0;
}

const kn::KernelTable& reference() { return kn::reference_kernels(); }
const kn::KernelTable& optimized() { return kn::optimized_kernels(); }

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq && op <= BinaryOp::Ge; }

tt::Tensor run_unary(const kn::KernelTable& k, UnaryOp op, const tt::Tensor& x, double p0 = 0, double p1 = 0) {
  tt::Tensor out = tt::empty(x.sizes(), x.dtype());
  k.unary(op, out, x, p0, p1);
  return out;
}

tt::Tensor run_binary(const kn::KernelTable& k, BinaryOp op, const tt::Tensor& a, const tt::Tensor& b,
                      double alpha = 1) {
  const tt::Shape shape = tt::broadcast_shapes(a.sizes(), b.sizes(), "test");
  tt::Tensor out = tt::empty(shape, is_comparison(op) ? tt::kBool : a.dtype());
  k.binary(op, out, a.expand(shape), b.expand(shape), alpha);
  return out;
}

struct UnaryCase {
  UnaryOp op;
  const char* name;
  double lo, hi, p0, p1;
  Kind kind;
};

const std::vector<UnaryCase> kUnaryCases = {
    {UnaryOp::Neg, "neg", -3, 3, 0, 0, Kind::Exact},
    {UnaryOp::Exp, "exp", -20, 20, 0, 0, Kind::Approx},
    {UnaryOp::Log, "log", 1e-3, 1e3, 0, 0, Kind::Approx},
    {UnaryOp::Sqrt, "sqrt", 0, 10, 0, 0, Kind::Exact},
    {UnaryOp::Rsqrt, "rsqrt", 1e-2, 10, 0, 0, Kind::Exact},
    {UnaryOp::Abs, "abs", -3, 3, 0, 0, Kind::Exact},
    {UnaryOp::Relu, "relu", -3, 3, 0, 0, Kind::Exact},
    {UnaryOp::Sigmoid, "sigmoid", -20, 20, 0, 0, Kind::Approx},
    {UnaryOp::Tanh, "tanh", -6, 6, 0, 0, Kind::Approx},
    {UnaryOp::Silu, "silu", -20, 20, 0, 0, Kind::Approx},
    {UnaryOp::GeluErf, "gelu_erf", -6, 6, 0, 0, Kind::Approx},
    {UnaryOp::GeluTanh, "gelu_tanh", -6, 6, 0, 0, Kind::Approx},
    {UnaryOp::LeakyRelu, "leaky_relu", -3, 3, 0.01, 0, Kind::Exact},
    {UnaryOp::Clamp, "clamp", -3, 3, -0.5, 1.25, Kind::Exact},
    {UnaryOp::Clamp, "clamp_min_gt_max", -3, 3, 1, -1, Kind::Exact},
    {UnaryOp::PowScalar, "pow_2", -3, 3, 2, 0, Kind::Rounding},
    {UnaryOp::PowScalar, "pow_1.5", 0, 3, 1.5, 0, Kind::Rounding},
    {UnaryOp::Sign, "sign", -3, 3, 0, 0, Kind::Exact},
};

TEST(OptimizedPointwise, UnaryMatchesReferenceOnEveryLayout) {
  for (const UnaryCase& c : kUnaryCases)
    for (tt::DType dtype : kDtypes)
      for (int64_t n : kSizes) {
        const int64_t rows = n > 1000 ? 2 : 3;
        const tt::Tensor dense = random({rows, n}, dtype, static_cast<uint64_t>(n), c.lo, c.hi);
        const Tolerance tol = tolerance(c.kind, dtype);
        for (Layout layout : kLayouts) {
          const tt::Tensor x = with_layout(dense, layout);
          EXPECT_TRUE(
              close(run_unary(optimized(), c.op, x, c.p0, c.p1), run_unary(reference(), c.op, x, c.p0, c.p1), tol))
              << c.name << " " << tt::dtype_name(dtype) << " n=" << n << " layout=" << static_cast<int>(layout);
        }
      }
}

TEST(OptimizedPointwise, UnarySpecialValuesMatchReference) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> values = {0.0f,    -0.0f,  inf,    -inf,  nan,    1e-45f,  1e-40f,  1.17e-38f,
                                     -1e-30f, 88.7f,  88.8f,  89.0f, -87.0f, -103.0f, -104.0f, -110.0f,
                                     1e30f,   -1e30f, 0.625f, 0.9f,  -0.9f,  9.5f};
  const tt::Tensor x = tt::tensor(values, {static_cast<int64_t>(values.size())});
  for (const UnaryCase& c : kUnaryCases)
    EXPECT_TRUE(close(run_unary(optimized(), c.op, x, c.p0, c.p1), run_unary(reference(), c.op, x, c.p0, c.p1),
                      tolerance(c.kind, tt::kFloat32)))
        << c.name;
}

struct BinaryCase {
  BinaryOp op;
  const char* name;
  double b_lo, b_hi, alpha;
  Kind kind;
};

const std::vector<BinaryCase> kBinaryCases = {
    {BinaryOp::Add, "add", -3, 3, 1, Kind::Exact},
    {BinaryOp::Add, "add_alpha", -3, 3, 0.5, Kind::Rounding},
    {BinaryOp::Sub, "sub", -3, 3, 1, Kind::Exact},
    {BinaryOp::Sub, "sub_alpha", -3, 3, 2, Kind::Rounding},
    {BinaryOp::Mul, "mul", -3, 3, 1, Kind::Exact},
    {BinaryOp::Div, "div", 0.5, 3, 1, Kind::Exact},
    {BinaryOp::Pow, "pow", -2, 2, 1, Kind::Rounding},
    {BinaryOp::Maximum, "maximum", -3, 3, 1, Kind::Exact},
    {BinaryOp::Minimum, "minimum", -3, 3, 1, Kind::Exact},
    {BinaryOp::Eq, "eq", -3, 3, 1, Kind::Exact},
    {BinaryOp::Ne, "ne", -3, 3, 1, Kind::Exact},
    {BinaryOp::Lt, "lt", -3, 3, 1, Kind::Exact},
    {BinaryOp::Le, "le", -3, 3, 1, Kind::Exact},
    {BinaryOp::Gt, "gt", -3, 3, 1, Kind::Exact},
    {BinaryOp::Ge, "ge", -3, 3, 1, Kind::Exact},
    {BinaryOp::ReluBackward, "relu_backward", -3, 3, 1, Kind::Exact},
    {BinaryOp::LeakyReluBackward, "leaky_relu_backward", -3, 3, 0.2, Kind::Exact},
    {BinaryOp::SigmoidBackward, "sigmoid_backward", 0, 1, 1, Kind::Rounding},
    {BinaryOp::TanhBackward, "tanh_backward", -1, 1, 1, Kind::Rounding},
    {BinaryOp::SiluBackward, "silu_backward", -10, 10, 1, Kind::Approx},
    {BinaryOp::GeluErfBackward, "gelu_erf_backward", -6, 6, 1, Kind::Approx},
    {BinaryOp::GeluTanhBackward, "gelu_tanh_backward", -6, 6, 1, Kind::Approx},
};

TEST(OptimizedPointwise, BinaryMatchesReferenceOnLayoutsAndBroadcasts) {
  for (const BinaryCase& c : kBinaryCases)
    for (tt::DType dtype : kDtypes)
      for (int64_t n : kSizes) {
        const int64_t rows = n > 1000 ? 2 : 4;
        // Pow needs a positive base; comparisons get repeated values so equality occurs.
        const double a_lo = c.op == BinaryOp::Pow ? 0.1 : -3;
        tt::Tensor a = random({rows, n}, dtype, 1 + n, a_lo, 3);
        tt::Tensor b = random({rows, n}, dtype, 2 + n, c.b_lo, c.b_hi);
        if (is_comparison(c.op)) {
          a = run_unary(reference(), UnaryOp::Sign, a);
          b = run_unary(reference(), UnaryOp::Sign, b);
        }
        const Tolerance tol = tolerance(c.kind, dtype);
        const auto check = [&](const tt::Tensor& x, const tt::Tensor& y, const char* what) {
          EXPECT_TRUE(
              close(run_binary(optimized(), c.op, x, y, c.alpha), run_binary(reference(), c.op, x, y, c.alpha), tol))
              << c.name << " " << tt::dtype_name(dtype) << " n=" << n << " " << what;
        };
        for (Layout layout : layouts_for(n)) check(with_layout(a, layout), b, "layout");
        check(a, with_layout(b, Layout::Transposed), "transposed b");
        check(a, b.select(0, 1).select(0, n / 2), "scalar b");
        check(b.select(0, 0).select(0, 0), a, "scalar a");
        check(a, b.select(0, 0), "row broadcast [rows, n] op [n]");
        check(a, b.narrow(1, 0, 1), "column broadcast [rows, n] op [rows, 1]");
        check(b.narrow(1, 0, 1), a, "column broadcast [rows, 1] op [rows, n]");
      }
}

TEST(OptimizedPointwise, WhereFillAndCopyMatchReference) {
  for (tt::DType dtype : kDtypes)
    for (int64_t n : kSizes) {
      const tt::Tensor a = random({3, n}, dtype, 3 + n), b = random({3, n}, dtype, 4 + n);
      const tt::Tensor cond = run_binary(reference(), BinaryOp::Gt, random({3, n}, dtype, 5 + n), b);
      for (Layout layout : layouts_for(n)) {
        const auto where = [&](const kn::KernelTable& k, const tt::Tensor& c, const tt::Tensor& x,
                               const tt::Tensor& y) {
          tt::Tensor out = tt::empty({3, n}, dtype);
          k.where(out, c.expand({3, n}), x.expand({3, n}), y.expand({3, n}));
          return out;
        };
        const tt::Tensor x = with_layout(a, layout);
        EXPECT_TRUE(bitwise_equal(where(optimized(), cond, x, b), where(reference(), cond, x, b))) << n;
        EXPECT_TRUE(
            bitwise_equal(where(optimized(), cond, b.select(0, 1), x), where(reference(), cond, b.select(0, 1), x)))
            << "row-broadcast where, n=" << n;
        // copy into a contiguous and into a strided destination, converting dtypes too.
        for (tt::DType to : {tt::kFloat32, tt::kFloat64, tt::kBFloat16, tt::kFloat16, tt::kInt64, tt::kBool}) {
          tt::Tensor dst_opt = tt::empty({3, n}, to), dst_ref = tt::empty({3, n}, to);
          optimized().copy(dst_opt, x);
          reference().copy(dst_ref, x);
          EXPECT_TRUE(bitwise_equal(dst_opt, dst_ref)) << "copy to " << tt::dtype_name(to) << " n=" << n;
        }
        tt::Tensor wide_opt = tt::zeros({3, 2 * n}, dtype), wide_ref = tt::zeros({3, 2 * n}, dtype);
        optimized().copy(wide_opt.slice(1, 0, std::nullopt, 2), x);
        reference().copy(wide_ref.slice(1, 0, std::nullopt, 2), x);
        EXPECT_TRUE(bitwise_equal(wide_opt, wide_ref)) << "strided copy n=" << n;
        optimized().fill(wide_opt.slice(1, 1, std::nullopt, 2), -2.5);
        reference().fill(wide_ref.slice(1, 1, std::nullopt, 2), -2.5);
        EXPECT_TRUE(bitwise_equal(wide_opt, wide_ref)) << "strided fill n=" << n;
      }
    }
}

TEST(OptimizedPointwise, BatchedTransposeCopyMatchesReference) {
  for (tt::DType dtype : kDtypes) {
    const tt::Tensor x = random({3, 45, 70}, dtype, 9).transpose(1, 2);
    for (tt::DType to : {dtype, tt::kFloat16}) {
      tt::Tensor dst_opt = tt::empty(x.sizes(), to), dst_ref = tt::empty(x.sizes(), to);
      optimized().copy(dst_opt, x);
      reference().copy(dst_ref, x);
      EXPECT_TRUE(bitwise_equal(dst_opt, dst_ref)) << tt::dtype_name(to);
    }
  }
}

tt::Tensor run_reduce(const kn::KernelTable& k, ReduceOp op, const tt::Tensor& x, const tt::Shape& dims) {
  tt::Shape shape = x.sizes();
  for (int64_t d : dims) shape[d] = 1;
  if (dims.empty()) shape.assign(shape.size(), 1);
  tt::Tensor out = tt::empty(shape, x.dtype());
  k.reduce(op, out, x);
  return out;
}

void check_reductions(const tt::Tensor& x, const tt::Shape& dims, const std::string& what) {
  // Rounding bound for float lane sums: a share of the sum of magnitudes.
  const tt::Tensor abs_sum = run_reduce(reference(), ReduceOp::Sum, run_unary(reference(), UnaryOp::Abs, x), dims);
  const double scale = x.dtype() == tt::kFloat32 ? 1e-5 : 1e-13;
  const tt::Tensor bound = run_binary(reference(), BinaryOp::Mul, abs_sum, tt::scalar_tensor(scale, x.dtype()));
  EXPECT_TRUE(close(run_reduce(optimized(), ReduceOp::Sum, x, dims), run_reduce(reference(), ReduceOp::Sum, x, dims),
                    kExact, bound))
      << "sum " << what;
  for (ReduceOp op : {ReduceOp::Max, ReduceOp::Min})
    EXPECT_TRUE(bitwise_equal(run_reduce(optimized(), op, x, dims), run_reduce(reference(), op, x, dims)))
        << (op == ReduceOp::Max ? "max " : "min ") << what;
}

TEST(OptimizedReduce, SumMaxMinMatchReferenceOnRowsColumnsAndAll) {
  for (tt::DType dtype : kDtypes)
    for (int64_t n : kSizes) {
      const tt::Tensor dense = random({n > 1000 ? 9 : 33, n}, dtype, 6 + n);
      for (Layout layout : layouts_for(n)) {
        const tt::Tensor x = with_layout(dense, layout);
        const std::string what = std::string(tt::dtype_name(dtype)) + " n=" + std::to_string(n) +
                                 " layout=" + std::to_string(static_cast<int>(layout));
        check_reductions(x, {1}, "rows " + what);
        check_reductions(x, {0}, "columns " + what);
        check_reductions(x, {}, "all " + what);
      }
    }
}

TEST(OptimizedReduce, MiddleAndOuterDimsMatchReference) {
  for (tt::DType dtype : kDtypes) {
    const tt::Tensor x = random({6, 129, 17}, dtype, 11);
    check_reductions(x, {1}, "[K, R, K]");
    check_reductions(x, {0, 2}, "[R, K, R]");
    check_reductions(x, {0, 1}, "[R, K] over two dims");
    check_reductions(x.transpose(0, 2), {1}, "transposed middle");
    check_reductions(random({1, 5, 1}, dtype, 12), {1}, "size-1 dims");
  }
}

TEST(OptimizedReduce, NanWinsMaxMinAndArgReductions) {
  tt::Tensor x = random({4, 100}, tt::kFloat32, 13);
  tt::Tensor with_nan = tt::empty({4, 100}, tt::kFloat32);
  reference().copy(with_nan, x);
  with_nan.data_ptr<float>()[57] = std::numeric_limits<float>::quiet_NaN();
  with_nan.data_ptr<float>()[250] = std::numeric_limits<float>::quiet_NaN();
  for (const tt::Shape& dims : {tt::Shape{1}, tt::Shape{0}, tt::Shape{}}) check_reductions(with_nan, dims, "NaN");
  for (ReduceOp op : {ReduceOp::ArgMax, ReduceOp::ArgMin})
    for (int64_t dim : {0, 1}) {
      tt::Shape shape = {4, 100};
      shape[dim] = 1;
      tt::Tensor out_opt = tt::empty(shape, tt::kInt64), out_ref = tt::empty(shape, tt::kInt64);
      optimized().arg_reduce(op, out_opt, with_nan, dim);
      reference().arg_reduce(op, out_ref, with_nan, dim);
      EXPECT_TRUE(bitwise_equal(out_opt, out_ref)) << "dim " << dim;
    }
}

TEST(OptimizedReduce, ArgMaxArgMinMatchReference) {
  for (tt::DType dtype : kDtypes)
    for (int64_t n : kSizes) {
      // Few distinct values, so ties occur and the first index must win.
      const tt::Tensor dense = run_unary(reference(), UnaryOp::Sign, random({5, n}, dtype, 14 + n));
      for (Layout layout : layouts_for(n))
        for (ReduceOp op : {ReduceOp::ArgMax, ReduceOp::ArgMin})
          for (int64_t dim : {0, 1}) {
            const tt::Tensor x = with_layout(random({5, n}, dtype, 15 + n), layout);
            for (const tt::Tensor& input : {x, with_layout(dense, layout)}) {
              tt::Shape shape = {5, n};
              shape[dim] = 1;
              tt::Tensor out_opt = tt::empty(shape, tt::kInt64), out_ref = tt::empty(shape, tt::kInt64);
              optimized().arg_reduce(op, out_opt, input, dim);
              reference().arg_reduce(op, out_ref, input, dim);
              EXPECT_TRUE(bitwise_equal(out_opt, out_ref)) << "n=" << n << " dim=" << dim;
            }
          }
    }
}

Tolerance softmax_tolerance(tt::DType dtype) {
  return dtype == tt::kFloat32 ? tolerance(Kind::Approx, dtype) : Tolerance{1e-12, 1e-12};
}

// softmax (log_softmax with log) along dim, and its backward for output gradient g, against the
// reference kernels.
void expect_softmax_matches_reference(const tt::Tensor& x, const tt::Tensor& g, int64_t dim, bool log,
                                      const std::string& what) {
  const Tolerance tol = softmax_tolerance(x.dtype());
  tt::Tensor y_opt = tt::empty(x.sizes(), x.dtype()), y_ref = tt::empty(x.sizes(), x.dtype());
  optimized().softmax(y_opt, x, dim, log);
  reference().softmax(y_ref, x, dim, log);
  EXPECT_TRUE(close(y_opt, y_ref, tol)) << what;
  tt::Tensor gx_opt = tt::empty(x.sizes(), x.dtype()), gx_ref = tt::empty(x.sizes(), x.dtype());
  optimized().softmax_backward(gx_opt, g, y_ref, dim, log);
  reference().softmax_backward(gx_ref, g, y_ref, dim, log);
  EXPECT_TRUE(close(gx_opt, gx_ref, tol)) << "backward " << what;
}

TEST(OptimizedSoftmax, ForwardAndBackwardMatchReference) {
  for (tt::DType dtype : kDtypes) {
    const Tolerance tol = softmax_tolerance(dtype);
    for (int64_t n : kSizes) {
      const tt::Tensor dense = random({3, n}, dtype, 16 + n, -10, 10);
      const tt::Tensor grad = random({3, n}, dtype, 17 + n);
      for (Layout layout : layouts_for(n))
        for (int64_t dim : {0, 1})
          for (bool log : {false, true})
            expect_softmax_matches_reference(with_layout(dense, layout), with_layout(grad, layout), dim, log,
                                             std::string(log ? "log_softmax" : "softmax") + " n=" + std::to_string(n) +
                                                 " dim=" + std::to_string(dim) + " " + tt::dtype_name(dtype));
    }
    // A middle dim of a 3-D tensor (rows strided by the inner size).
    const tt::Tensor x3 = random({4, 33, 19}, dtype, 18, -10, 10);
    for (bool log : {false, true}) {
      tt::Tensor y_opt = tt::empty(x3.sizes(), dtype), y_ref = tt::empty(x3.sizes(), dtype);
      optimized().softmax(y_opt, x3, 1, log);
      reference().softmax(y_ref, x3, 1, log);
      EXPECT_TRUE(close(y_opt, y_ref, tol)) << "3-D dim 1";
    }
  }
}

TEST(OptimizedSoftmax, NanInARowMakesThatRowNan) {
  // The row maximum ignores NaN (a plain vector max); the NaN must still reach every output of its
  // row through exp, and leave the other rows alone.
  for (bool log : {false, true})
    for (int64_t at : {0, 17, 39}) {
      tt::Tensor x = random({3, 40}, tt::kFloat32, 24, -10, 10);
      std::vector<float> values = x.to_vector<float>();
      values[static_cast<size_t>(40 + at)] = std::numeric_limits<float>::quiet_NaN();
      x = tt::tensor(values, {3, 40});
      tt::Tensor y_opt = tt::empty({3, 40}, tt::kFloat32), y_ref = tt::empty({3, 40}, tt::kFloat32);
      optimized().softmax(y_opt, x, 1, log);
      reference().softmax(y_ref, x, 1, log);
      const std::vector<float> got = y_opt.to_vector<float>(), want = y_ref.to_vector<float>();
      for (size_t i = 0; i < got.size(); ++i) {
        if (i / 40 == 1)
          EXPECT_TRUE(std::isnan(got[i])) << "NaN at " << at << ", output " << i;
        else
          EXPECT_NEAR(got[i], want[i], 1e-5 * std::max(1.0f, std::fabs(want[i]))) << "output " << i;
      }
    }
}

TEST(OptimizedSoftmax, ShortRowsRunTransposedInTilesOfRows) {
  // Rows shorter than 16 go through the across-rows kernels a tile of 256 rows at a time: several
  // tiles, a partial last tile, and the shortest rows.
  for (tt::DType dtype : kDtypes)
    for (const tt::Shape& shape : {tt::Shape{1000, 10}, tt::Shape{300, 15}, tt::Shape{700, 1}, tt::Shape{2, 4, 3}}) {
      const tt::Tensor x = random(shape, dtype, 21, -10, 10);
      const tt::Tensor g = random(shape, dtype, 22);
      for (bool log : {false, true})
        expect_softmax_matches_reference(x, g, static_cast<int64_t>(shape.size()) - 1, log,
                                         std::string(log ? "log_softmax " : "softmax ") + tt::dtype_name(dtype) +
                                             " rows of " + std::to_string(shape.back()));
    }
}

class ThreadCountGuard {
 public:
  ThreadCountGuard() : previous_(tt::get_num_threads()) {}
  ~ThreadCountGuard() { tt::set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

TEST(OptimizedThreads, OneAndTwoThreadsAreBitwiseEqual) {
  ThreadCountGuard guard;
  const tt::Tensor x = random({1500, 1001}, tt::kFloat32, 19);
  const tt::Tensor y = random({1500, 1001}, tt::kFloat32, 20);
  const auto run_all = [&] {
    std::vector<tt::Tensor> results;
    for (const tt::Shape& dims : {tt::Shape{}, tt::Shape{0}, tt::Shape{1}})
      results.push_back(run_reduce(optimized(), ReduceOp::Sum, x, dims));
    results.push_back(run_reduce(optimized(), ReduceOp::Sum, x.t(), {0}));
    results.push_back(run_reduce(optimized(), ReduceOp::Max, x, {}));
    results.push_back(run_binary(optimized(), BinaryOp::Add, x, y));
    results.push_back(run_binary(optimized(), BinaryOp::GeluErfBackward, x, y));
    results.push_back(run_unary(optimized(), UnaryOp::GeluTanh, x));
    // Long rows, and rows of 10 (run transposed in tiles), each with its backward for seed g.
    const tt::Tensor short_rows = random({3000, 10}, tt::kFloat32, 23);
    for (const auto& [input, g] : {std::pair{x, y}, std::pair{short_rows, short_rows}})
      for (bool log : {false, true}) {
        tt::Tensor out = tt::empty(input.sizes(), tt::kFloat32);
        optimized().softmax(out, input, 1, log);
        results.push_back(out);
        tt::Tensor grad = tt::empty(input.sizes(), tt::kFloat32);
        optimized().softmax_backward(grad, g, out, 1, log);
        results.push_back(grad);
      }
    tt::Tensor transposed = tt::empty({1001, 1500}, tt::kFloat32);
    optimized().copy(transposed, x.t());
    results.push_back(transposed);
    return results;
  };
  tt::set_num_threads(1);
  const std::vector<tt::Tensor> one = run_all();
  tt::set_num_threads(2);
  const std::vector<tt::Tensor> two = run_all();
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(bitwise_equal(one[i], two[i])) << "result " << i;
}

std::vector<kn::CpuIsa> supported_isas() {
  std::vector<kn::CpuIsa> isas;
  for (kn::CpuIsa isa : {kn::CpuIsa::Scalar, kn::CpuIsa::Avx2, kn::CpuIsa::Avx512})
    if (kn::cpu_supports(isa)) isas.push_back(isa);
  return isas;
}

// The ISAs run the same loops; they may differ only where the AVX2 / AVX-512 builds contract a * b + c
// into an FMA, so each ISA must agree with the baseline build within the rounding tolerances.
TEST(OptimizedIsa, SpanKernelsAgreeAcrossIsas) {
  const int64_t n = 4099;
  const tt::Tensor xt = random({n}, tt::kFloat32, 21, -12, 12), yt = random({n}, tt::kFloat32, 22, 0.1, 5);
  const float* x = xt.data_ptr<float>();
  const float* y = yt.data_ptr<float>();
  const opt::SpanKernels<float>& base = opt::span_kernels(kn::CpuIsa::Scalar).f32;
  tt::Tensor expected = tt::empty({n}), actual = tt::empty({n});
  float* e = expected.data_ptr<float>();
  float* a = actual.data_ptr<float>();
  for (kn::CpuIsa isa : supported_isas()) {
    const opt::SpanKernels<float>& k = opt::span_kernels(isa).f32;
    for (const UnaryCase& c : kUnaryCases) {
      const float* in = c.lo >= 0 ? y : x;
      base.unary(c.op, e, in, n, c.p0, c.p1);
      k.unary(c.op, a, in, n, c.p0, c.p1);
      EXPECT_TRUE(close(actual, expected, tolerance(c.kind == Kind::Exact ? Kind::Exact : Kind::Approx, tt::kFloat32)))
          << kn::isa_name(isa) << " " << c.name;
    }
    for (const BinaryCase& c : kBinaryCases) {
      if (is_comparison(c.op)) continue;
      base.binary(c.op, e, y, 1, x, 1, n, c.alpha);
      k.binary(c.op, a, y, 1, x, 1, n, c.alpha);
      EXPECT_TRUE(close(actual, expected, tolerance(c.kind == Kind::Exact ? Kind::Exact : Kind::Approx, tt::kFloat32)))
          << kn::isa_name(isa) << " " << c.name;
    }
    EXPECT_EQ(base.sum(x, n), k.sum(x, n)) << kn::isa_name(isa);  // additions only: no contraction
    EXPECT_EQ(base.extreme(ReduceOp::Max, x, n), k.extreme(ReduceOp::Max, x, n)) << kn::isa_name(isa);
    base.softmax_rows(e, x, 1, n, true);
    k.softmax_rows(a, x, 1, n, true);
    EXPECT_TRUE(close(actual, expected, tolerance(Kind::Approx, tt::kFloat32))) << kn::isa_name(isa) << " log_softmax";
  }
}

// Error of the f32 polynomial transcendentals in units in the last place, against std:: in double.
double max_ulp_error(UnaryOp op, double lo, double hi, const std::function<double(double)>& exact) {
  const int64_t n = 200001;
  std::vector<float> x(n), y(n);
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(lo + (hi - lo) * static_cast<double>(i) / (n - 1));
  opt::span_kernels().f32.unary(op, y.data(), x.data(), n, 0, 0);
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double e = exact(x[i]);
    const float ef = static_cast<float>(e);
    if (ef == 0 || std::fabs(ef) < std::numeric_limits<float>::min()) continue;
    const double ulp = std::nextafter(std::fabs(ef), std::numeric_limits<float>::infinity()) - std::fabs(ef);
    worst = std::max(worst, std::fabs(y[i] - e) / ulp);
  }
  return worst;
}

TEST(OptimizedIsa, TranscendentalsAreWithinAFewUlp) {
  EXPECT_LE(max_ulp_error(UnaryOp::Exp, -87, 88.7, [](double v) { return std::exp(v); }), 2.0);
  EXPECT_LE(max_ulp_error(UnaryOp::Log, 1e-30, 10, [](double v) { return std::log(v); }), 2.0);
  EXPECT_LE(max_ulp_error(UnaryOp::Log, 0.5, 2, [](double v) { return std::log(v); }), 2.0);
  EXPECT_LE(max_ulp_error(UnaryOp::Tanh, -9, 9, [](double v) { return std::tanh(v); }), 3.0);
  EXPECT_LE(max_ulp_error(UnaryOp::Sigmoid, -80, 80, [](double v) { return 1 / (1 + std::exp(-v)); }), 3.0);
  // The erfc branch multiplies e^(-z^2), whose argument carries the rounding of z^2.
  EXPECT_LE(max_ulp_error(UnaryOp::GeluErf, -2, 8, [](double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); }),
            10.0);
}

}  // namespace
