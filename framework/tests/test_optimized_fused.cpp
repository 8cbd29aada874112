// The optimized fused kernels (layer_norm, batch_norm, cross_entropy, optimizer updates) against the
// reference backend, through the ops and optimizers that call them: outputs, input/weight/bias
// gradients, running statistics and parameters after a few optimizer steps, on odd shapes (rows 1,
// 3, 17, 129; features 1, 5, 63, 1000), f32 and f64; results for 1 and 2 threads must be bitwise
// equal. The AVX-512 and baseline builds of the kernel bodies must agree bitwise too (both are
// compiled without FMA contraction, and vector sqrt and division round exactly).
//
// Tolerances: f64 |got - want| <= 1e-10 + 1e-10 |want| (both sum in double, in different orders).
// f32: the reference computes each element in double and rounds once, the optimized kernels work
// in float (and a polynomial exp for cross_entropy), so a few float roundings differ: 2e-5 relative
// plus 2e-5 times the largest magnitude of the tensor (gradients are differences of similar terms).
#include <cstring>

#include "kernels/optimized/cpu_features.h"
#include "kernels/optimized/fused_kernels.h"
#include "support/op_harness.h"
#include "tinytorch/optim/optim.h"

namespace {
using namespace tt_test;
using Op = std::function<tt::Tensor(const TL&)>;

const std::vector<int64_t> kRows{1, 3, 17, 129};
const std::vector<int64_t> kFeatures{1, 5, 63, 1000};

class ThreadCountGuard {
 public:
  ThreadCountGuard() : previous_(tt::get_num_threads()) {}
  ~ThreadCountGuard() { tt::set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

::testing::AssertionResult close(const tt::Tensor& got, const tt::Tensor& want, const std::string& what) {
  if (got.defined() != want.defined()) return ::testing::AssertionFailure() << what << ": one result is undefined";
  if (!got.defined()) return ::testing::AssertionSuccess();
  const at::Tensor expected = to_torch(want);
  if (got.dtype() == tt::kFloat64) return all_close(got, expected, 1e-10, 1e-10, what);
  const double scale = expected.numel() == 0 ? 1.0 : std::max(1.0, expected.abs().max().item<double>());
  return all_close(got, expected, 2e-5, 2e-5 * scale, what);
}

::testing::AssertionResult bitwise_equal(const tt::Tensor& a, const tt::Tensor& b, const std::string& what) {
  if (a.defined() != b.defined()) return ::testing::AssertionFailure() << what << ": one result is undefined";
  if (!a.defined()) return ::testing::AssertionSuccess();
  const tt::Tensor x = a.contiguous(), y = b.contiguous();
  const size_t bytes = static_cast<size_t>(x.numel()) * tt::element_size(x.dtype());
  if (x.sizes() == y.sizes() && x.dtype() == y.dtype() && std::memcmp(x.raw_data(), y.raw_data(), bytes) == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << what << ": results differ in some bits";
}

// An op's output, the gradients of its leaves and any tensors it updates in place (running stats).
struct Result {
  std::vector<tt::Tensor> values;
};

// Runs op under `backend` and `threads` on fresh copies of `data` (leaves with requires_grad where
// `grad` says so), then backpropagates a seeded upstream gradient.
Result run(const std::string& backend, int threads, const std::vector<tt::Tensor>& data, const std::vector<bool>& grad,
           const Op& op) {
  tt::BackendGuard guard(backend);
  ThreadCountGuard thread_guard;
  tt::set_num_threads(threads);
  TL args;
  for (size_t i = 0; i < data.size(); ++i) {
    tt::Tensor copy = data[i].defined() ? data[i].clone() : tt::Tensor();
    if (copy.defined() && grad[i]) copy.requires_grad_();
    args.push_back(copy);
  }
  Result r;
  tt::Tensor out = op(args);
  tt::Generator gen(99);
  if (out.requires_grad()) out.backward(tt::randn(out.sizes(), out.dtype(), &gen));
  r.values.push_back(out.detach());
  for (size_t i = 0; i < args.size(); ++i) r.values.push_back(args[i].defined() ? args[i].grad() : tt::Tensor());
  for (size_t i = 0; i < args.size(); ++i) r.values.push_back(grad[i] ? tt::Tensor() : args[i]);  // updated buffers
  return r;
}

// Optimized (1 and 2 threads) against reference for one op and its inputs.
void expect_matches_reference(const std::string& name, const std::vector<tt::Tensor>& data,
                              const std::vector<bool>& grad, const Op& op) {
  const Result want = run("reference", 1, data, grad, op);
  const Result one = run("optimized", 1, data, grad, op);
  const Result two = run("optimized", 2, data, grad, op);
  for (size_t i = 0; i < want.values.size(); ++i) {
    const std::string what = name + " value " + std::to_string(i);
    EXPECT_TRUE(close(one.values[i], want.values[i], what));
    EXPECT_TRUE(bitwise_equal(one.values[i], two.values[i], what));
  }
}

std::string label(const std::string& op, const tt::Shape& shape, tt::DType dtype) {
  return op + " " + tt::shape_str(shape) + " " + tt::dtype_name(dtype);
}

TEST(OptimizedFused, LayerNorm) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (int64_t rows : kRows)
      for (int64_t cols : kFeatures) {
        tt::Generator gen(1);
        const tt::Tensor x = tt::randn({rows, cols}, dtype, &gen) * 3.0 + 1.0;
        const tt::Tensor w = tt::randn({cols}, dtype, &gen), b = tt::randn({cols}, dtype, &gen);
        expect_matches_reference(label("layer_norm", {rows, cols}, dtype), {x, w, b}, {true, true, true},
                                 [cols](const TL& a) { return tt::layer_norm(a[0], {cols}, a[1], a[2]); });
        expect_matches_reference(label("layer_norm(no affine)", {rows, cols}, dtype), {x}, {true},
                                 [cols](const TL& a) { return tt::layer_norm(a[0], {cols}); });
      }
}

// More rows than 32 row blocks of 32: the backward's weight and bias sums then run over blocks of
// several 32-row groups (and a shorter last block).
TEST(OptimizedFused, LayerNormManyRows) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    const int64_t rows = 2100, cols = 33;
    tt::Generator gen(2);
    const tt::Tensor x = tt::randn({rows, cols}, dtype, &gen) * 3.0 + 1.0;
    const tt::Tensor w = tt::randn({cols}, dtype, &gen), b = tt::randn({cols}, dtype, &gen);
    expect_matches_reference(label("layer_norm", {rows, cols}, dtype), {x, w, b}, {true, true, true},
                             [cols](const TL& a) { return tt::layer_norm(a[0], {cols}, a[1], a[2]); });
    expect_matches_reference(label("layer_norm(weight and bias only)", {rows, cols}, dtype), {x, w, b},
                             {false, true, true},
                             [cols](const TL& a) { return tt::layer_norm(a[0], {cols}, a[1], a[2]); });
  }
}

TEST(OptimizedFused, BatchNormTrainingAndEval) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (int64_t rows : kRows)
      for (int64_t features : kFeatures) {
        // [N, 3, S] (per-channel planes) and [N, C] (BatchNorm1d: one value per sample and channel).
        for (const tt::Shape& shape : {tt::Shape{rows, 3, features}, tt::Shape{rows, features}}) {
          const int64_t channels = shape[1];
          tt::Generator gen(2);
          const tt::Tensor x = tt::randn(shape, dtype, &gen) * 2.0 - 0.5;
          const tt::Tensor mean = tt::randn({channels}, dtype, &gen), var = tt::rand({channels}, dtype, &gen) + 0.5;
          const tt::Tensor w = tt::randn({channels}, dtype, &gen), b = tt::randn({channels}, dtype, &gen);
          if (x.numel() / channels > 1)
            expect_matches_reference(
                label("batch_norm(train)", shape, dtype), {x, w, b, mean, var}, {true, true, true, false, false},
                [](const TL& a) { return tt::batch_norm(a[0], a[3], a[4], a[1], a[2], true, 0.1, 1e-5); });
          expect_matches_reference(
              label("batch_norm(eval)", shape, dtype), {x, w, b, mean, var}, {true, true, true, false, false},
              [](const TL& a) { return tt::batch_norm(a[0], a[3], a[4], a[1], a[2], false, 0.1, 1e-5); });
        }
      }
}

TEST(OptimizedFused, CrossEntropy) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (int64_t rows : kRows)
      for (int64_t classes : kFeatures)
        for (double smoothing : {0.0, 0.1}) {
          tt::Generator gen(3);
          const tt::Tensor logits = tt::randn({rows, classes}, dtype, &gen) * 4.0;
          // Every third target from the second on is ignored.
          std::vector<int64_t> classes_of = tt::randint(0, classes, {rows}, tt::kInt64, &gen).to_vector<int64_t>();
          for (size_t i = 1; i < classes_of.size(); i += 3) classes_of[i] = -100;
          const tt::Tensor target = tt::tensor(classes_of, {rows});
          for (tt::Reduction r : {tt::Reduction::Mean, tt::Reduction::None})
            expect_matches_reference(
                label("cross_entropy", {rows, classes}, dtype) + " smoothing " + std::to_string(smoothing),
                {logits, target}, {true, false}, [smoothing, r](const TL& a) {
                  return tt::cross_entropy(a[0], a[1], {-100, smoothing, r});
                });
        }
}

TEST(OptimizedFused, CrossEntropyWithTrailingDims) {
  tt::Generator gen(4);
  const tt::Tensor logits = tt::randn({3, 5, 4, 2}, tt::kFloat32, &gen);
  const tt::Tensor target = tt::randint(0, 5, {3, 4, 2}, tt::kInt64, &gen);
  expect_matches_reference("cross_entropy [3, 5, 4, 2]", {logits, target}, {true, false},
                           [](const TL& a) { return tt::cross_entropy(a[0], a[1]); });
}

// Parameters of the fused optimizer kernels' sizes, updated by `make` for a few steps.
using MakeOptimizer = std::function<std::unique_ptr<tt::optim::Optimizer>(const tt::TensorList&)>;

std::vector<tt::Tensor> optimize(const std::string& backend, int threads, tt::DType dtype, const MakeOptimizer& make) {
  tt::BackendGuard guard(backend);
  ThreadCountGuard thread_guard;
  tt::set_num_threads(threads);
  tt::Generator gen(5);
  tt::TensorList params;
  // 40000 elements spread over more than one chunk with 2 threads.
  for (int64_t n : {1, 3, 17, 129, 1000, 40000}) params.push_back(tt::randn({n}, dtype, &gen).requires_grad_());
  auto optimizer = make(params);
  for (int step = 0; step < 4; ++step) {
    for (tt::Tensor& p : params) p.set_grad(tt::randn(p.sizes(), dtype, &gen) + p.detach() * 0.5);
    optimizer->step();
  }
  std::vector<tt::Tensor> result;
  for (const tt::Tensor& p : params) result.push_back(p.detach());
  for (const tt::Tensor& p : params)
    for (const auto& [key, buffer] : optimizer->state(p).buffers) result.push_back(buffer);
  return result;
}

void expect_optimizer_matches(const std::string& name, const MakeOptimizer& make) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    const auto want = optimize("reference", 1, dtype, make);
    const auto one = optimize("optimized", 1, dtype, make);
    const auto two = optimize("optimized", 2, dtype, make);
    ASSERT_EQ(want.size(), one.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const std::string what = name + " " + tt::dtype_name(dtype) + " tensor " + std::to_string(i);
      EXPECT_TRUE(close(one[i], want[i], what));
      EXPECT_TRUE(bitwise_equal(one[i], two[i], what));
    }
  }
}

template <class Optim, class Options>
MakeOptimizer maker(Options options) {
  return [options](const tt::TensorList& params) { return std::make_unique<Optim>(params, options); };
}

TEST(OptimizedFused, Sgd) {
  namespace o = tt::optim;
  expect_optimizer_matches("sgd", maker<o::SGD>(o::SGDOptions(0.1)));
  expect_optimizer_matches("sgd momentum", maker<o::SGD>(o::SGDOptions(0.1).momentum(0.9).dampening(0.1)));
  expect_optimizer_matches("sgd nesterov",
                           maker<o::SGD>(o::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.01)));
}

TEST(OptimizedFused, AdamAndAdamW) {
  namespace o = tt::optim;
  expect_optimizer_matches("adam", maker<o::Adam>(o::AdamOptions(0.01)));
  expect_optimizer_matches("adam amsgrad wd", maker<o::Adam>(o::AdamOptions(0.01).amsgrad(true).weight_decay(0.1)));
  expect_optimizer_matches("adamw", maker<o::AdamW>(o::AdamWOptions(0.01).weight_decay(0.1)));
  expect_optimizer_matches("adamw amsgrad", maker<o::AdamW>(o::AdamWOptions(0.01).amsgrad(true)));
}

TEST(OptimizedFused, RmspropAndAdagrad) {
  namespace o = tt::optim;
  expect_optimizer_matches("rmsprop", maker<o::RMSprop>(o::RMSpropOptions(0.01)));
  expect_optimizer_matches("rmsprop centered momentum",
                           maker<o::RMSprop>(o::RMSpropOptions(0.01).centered(true).momentum(0.9).weight_decay(0.1)));
  expect_optimizer_matches("adagrad", maker<o::Adagrad>(o::AdagradOptions(0.1).lr_decay(0.01).weight_decay(0.1)));
}

// The baseline (SSE2) build of the bodies, used on CPUs without AVX-512, against the AVX-512 build.
TEST(OptimizedFused, BaselineBodiesMatchAvx512Bodies) {
  namespace k = tt::kernels;
  if (!k::cpu_supports(k::CpuIsa::Avx512)) GTEST_SKIP() << "CPU lacks AVX-512";
  tt::Generator gen(6);
  const int64_t rows = 17, cols = 1000;
  const tt::Tensor x = tt::randn({rows, cols}, tt::kFloat32, &gen) * 4.0;
  const tt::Tensor target = tt::randint(0, cols, {rows}, tt::kInt64, &gen);
  const tt::Tensor short_target = tt::randint(0, 10, {rows}, tt::kInt64, &gen);
  std::vector<tt::Tensor> outs;
  for (const auto* bodies :
       {&k::optimized::fused_bodies_baseline<float>(), &k::optimized::fused_bodies_avx512<float>()}) {
    tt::Tensor y = tt::empty({rows, cols}), mean = tt::empty({rows}), rstd = tt::empty({rows});
    k::optimized::LayerNormArgs<float> ln{};
    ln.x = x.data_ptr<float>();
    ln.out = y.data_ptr<float>();
    ln.mean = mean.data_ptr<float>();
    ln.rstd = rstd.data_ptr<float>();
    ln.rows = rows;
    ln.cols = cols;
    ln.eps = 1e-5;
    bodies->layer_norm(ln, 0, rows);
    tt::Tensor loss = tt::empty({rows}), lse = tt::empty({rows});
    k::optimized::CrossEntropyArgs<float> ce{};
    ce.logits = x.data_ptr<float>();
    ce.target = target.data_ptr<int64_t>();
    ce.loss = loss.data_ptr<float>();
    ce.lse = lse.data_ptr<float>();
    ce.classes = cols;
    ce.ignore_index = -100;
    bodies->cross_entropy(ce, 0, rows);
    // A 10-class head takes the short-row path (rows transposed into vector lanes).
    tt::Tensor short_loss = tt::empty({rows}), short_lse = tt::empty({rows}), short_grad = tt::empty({rows, 10});
    const tt::Tensor short_logits = x.narrow(1, 0, 10).contiguous(), grad_loss = tt::ones({rows});
    ce.logits = short_logits.data_ptr<float>();
    ce.target = short_target.data_ptr<int64_t>();
    ce.loss = short_loss.data_ptr<float>();
    ce.lse = short_lse.data_ptr<float>();
    ce.grad_loss = grad_loss.data_ptr<float>();
    ce.grad_logits = short_grad.data_ptr<float>();
    ce.classes = 10;
    bodies->cross_entropy(ce, 0, rows);
    bodies->cross_entropy_backward(ce, 0, rows);
    tt::Tensor p = x.clone(), m = tt::zeros({rows, cols}), v = tt::zeros({rows, cols});
    k::AdamUpdate u;
    u.lr = 0.01;
    u.beta1 = 0.9;
    u.beta2 = 0.999;
    u.eps = 1e-8;
    const tt::Tensor g = x * 0.5;
    bodies->adam({p.data_ptr<float>(), g.data_ptr<float>(), m.data_ptr<float>(), v.data_ptr<float>(), nullptr}, u, 0,
                 p.numel());
    for (const tt::Tensor& t : {y, mean, rstd, loss, lse, short_loss, short_lse, short_grad, p, m, v})
      outs.push_back(t);
  }
  for (size_t i = 0; i < outs.size() / 2; ++i)
    EXPECT_TRUE(bitwise_equal(outs[i], outs[i + outs.size() / 2], "baseline vs avx512 tensor " + std::to_string(i)));
}

}  // namespace
