// The optimized backend recomputes batch_norm outputs, and relus and sums of them, in backward
// instead of keeping them alive (KernelTable::batch_norm_apply, autograd::recompute_source).
// Checked here: batch_norm_apply reproduces the forward's output bit for bit on every ISA (and adds
// it like a separate sum would, and applies relu like relu would); residual blocks give bitwise the same outputs and
// gradients as the same backend keeping its activations, at 1 and 2 threads; the activation bytes freed; an output
// changed in place before it was used is kept, not recomputed; and retain_graph. Also `std::move(a) + b`, which writes
// the sum into a's buffer only when nothing else can read it.
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/optimized/cpu_features.h"
#include "kernels/optimized/fused_kernels.h"
#include "support/expect_error.h"
#include "support/op_harness.h"
#include "tinytorch/memory.h"
#include "tinytorch/nn/residual.h"

namespace {
namespace kn = tinytorch::kernels;
namespace opt = tinytorch::kernels::optimized;
using tt_test::throws_with;

bool bitwise_equal(const tt::Tensor& a, const tt::Tensor& b) {
  const tt::Tensor x = a.contiguous(), y = b.contiguous();
  return x.sizes() == y.sizes() && x.dtype() == y.dtype() &&
         std::memcmp(x.storage()->data(), y.storage()->data(), x.numel() * x.element_size()) == 0;
}

// The optimized backend without batch_norm_apply: it keeps every activation it saves.
const std::string& keeping_backend() {
  static const std::string name = [] {
    kn::KernelTable table = [] {
      tt::BackendGuard guard("optimized");
      return kn::active_kernels();
    }();
    table.name = "optimized-keeping";
    table.batch_norm_apply = nullptr;
    kn::register_backend(table);
    return table.name;
  }();
  return name;
}

template <class T>
void check_apply_matches_forward(const opt::FusedBodies<T>& bodies, const std::string& what) {
  tt::Generator gen(5);
  const tt::DType dtype = std::is_same_v<T, float> ? tt::kFloat32 : tt::kFloat64;
  for (const tt::Shape& shape : {tt::Shape{1, 1, 1}, tt::Shape{3, 5, 17}, tt::Shape{2, 3, 129}, tt::Shape{4, 2, 63}})
    for (bool training : {true, false})
      for (bool affine : {true, false}) {
        const int64_t channels = shape[1];
        const tt::Tensor x = tt::randn(shape, dtype, &gen) * 3 + 1;
        const tt::Tensor weight = affine ? tt::randn({channels}, dtype, &gen) : tt::Tensor();
        const tt::Tensor bias = affine ? tt::randn({channels}, dtype, &gen) : tt::Tensor();
        const tt::Tensor running_mean = tt::randn({channels}, dtype, &gen);
        const tt::Tensor running_var = tt::rand({channels}, dtype, &gen) + 0.5;
        const tt::Tensor out = tt::empty(shape, dtype), mean = tt::empty({channels}, dtype),
                         invstd = tt::empty({channels}, dtype);
        opt::BatchNormArgs<T> a{};
        a.x = x.data_ptr<T>();
        a.weight = affine ? weight.data_ptr<T>() : nullptr;
        a.bias = affine ? bias.data_ptr<T>() : nullptr;
        a.out = out.data_ptr<T>();
        a.save_mean = mean.data_ptr<T>();
        a.save_invstd = invstd.data_ptr<T>();
        a.running_mean = running_mean.data_ptr<T>();
        a.running_var = running_var.data_ptr<T>();
        a.batch = shape[0];
        a.channels = channels;
        a.spatial = shape[2];
        a.training = training;
        a.momentum = 0.1;
        a.eps = 1e-5;
        bodies.batch_norm(a, 0, channels);

        const std::string where =
            what + " " + tt::shape_str(shape) + (training ? " training" : " eval") + (affine ? " affine" : "");
        const tt::Tensor addend = tt::randn(shape, dtype, &gen);
        for (bool accumulate : {false, true})
          for (bool relu : {false, true}) {
            const tt::Tensor again = accumulate ? addend.clone() : tt::empty(shape, dtype);
            a.out = again.data_ptr<T>();
            a.accumulate = accumulate;
            a.relu = relu;
            bodies.batch_norm_apply(a, 0, channels);
            const tt::Tensor sum = accumulate ? addend + out : out;
            EXPECT_TRUE(bitwise_equal(again, relu ? tt::relu(sum) : sum))
                << where << (accumulate ? " accumulate" : "") << (relu ? " relu" : "");
          }
      }
}

TEST(BatchNormApply, RecomputesTheForwardBitForBitOnEveryIsa) {
  check_apply_matches_forward(opt::fused_bodies_baseline<float>(), "baseline f32");
  check_apply_matches_forward(opt::fused_bodies_baseline<double>(), "baseline f64");
  if (!kn::cpu_supports(kn::CpuIsa::Avx512)) GTEST_SKIP() << "no AVX-512 here: only the baseline bodies ran";
  check_apply_matches_forward(opt::fused_bodies_avx512<float>(), "avx512 f32");
  check_apply_matches_forward(opt::fused_bodies_avx512<double>(), "avx512 f64");
}

struct StepResult {
  tt::Tensor out;
  tt::TensorList grads;
};

// Two residual blocks (one with a strided 1x1 shortcut) on a seeded batch: forward and backward
// under `backend` with `threads` threads. The same seed gives the same weights every call.
StepResult residual_step(const std::string& backend, int threads, tt::DType dtype) {
  const int previous_threads = tt::get_num_threads();
  tt::set_num_threads(threads);
  tt::BackendGuard guard(backend);
  tt::manual_seed(11);
  tt::nn::BasicBlock down(3, 8, 2), same(8, 8, 1);
  down.to(dtype);
  same.to(dtype);
  tt::Generator gen(12);
  const tt::Tensor x = tt::randn({3, 3, 9, 11}, dtype, &gen);
  StepResult r;
  r.out = same(down(x));
  r.out.backward(tt::randn(r.out.sizes(), dtype, &gen));
  for (const auto* block : {&down, &same})
    for (const tt::Tensor& p : block->parameters()) r.grads.push_back(p.grad());
  tt::set_num_threads(previous_threads);
  return r;
}

TEST(Recompute, ResidualBlocksMatchKeepingTheActivationsBitForBit) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (int threads : {1, 2}) {
      const StepResult got = residual_step("optimized", threads, dtype);
      const StepResult want = residual_step(keeping_backend(), threads, dtype);
      const std::string what = std::string(tt::dtype_name(dtype)) + " threads " + std::to_string(threads);
      EXPECT_TRUE(bitwise_equal(got.out, want.out)) << what;
      ASSERT_EQ(got.grads.size(), want.grads.size());
      for (size_t i = 0; i < got.grads.size(); ++i)
        EXPECT_TRUE(bitwise_equal(got.grads[i], want.grads[i])) << what << " parameter " << i;
    }
}

// Bytes alive after conv -> batch_norm -> relu -> conv, beyond the output.
int64_t bytes_kept(const std::string& backend) {
  tt::BackendGuard guard(backend);
  tt::Generator gen(3);
  const tt::Tensor x = tt::randn({4, 3, 10, 10}, tt::kFloat32, &gen);
  const tt::Tensor w1 = tt::randn({6, 3, 3, 3}, tt::kFloat32, &gen).requires_grad_();
  const tt::Tensor w2 = tt::randn({5, 6, 3, 3}, tt::kFloat32, &gen).requires_grad_();
  const tt::Tensor gamma = tt::ones({6}).requires_grad_(), beta = tt::zeros({6}).requires_grad_();
  const int64_t before = tt::memory::stats().current_bytes;
  const tt::Tensor y =
      tt::conv2d(tt::relu(tt::batch_norm(tt::conv2d(x, w1, {}, {1, 1}, {1, 1}), {}, {}, gamma, beta, true)), w2, {},
                 {1, 1}, {1, 1});
  return tt::memory::stats().current_bytes - before - y.numel() * 4;
}

TEST(Recompute, TheReluOutputAConvolutionSavesIsNotKept) {
  const int64_t relu_out_bytes = 4 * 6 * 10 * 10 * 4;
  EXPECT_EQ(bytes_kept(keeping_backend()) - bytes_kept("optimized"), relu_out_bytes);
}

TEST(Recompute, AnOutputChangedInPlaceBeforeUseIsKeptNotRecomputed) {
  auto grad_of_weight = [](const std::string& backend) {
    tt::BackendGuard guard(backend);
    tt::Generator gen(8);
    const tt::Tensor x = tt::randn({2, 3, 5, 5}, tt::kFloat64, &gen).requires_grad_();
    const tt::Tensor w = tt::randn({4, 3, 3, 3}, tt::kFloat64, &gen).requires_grad_();
    tt::Tensor normalized = tt::batch_norm(x, {}, {}, {}, {}, true);
    {
      tt::NoGradGuard no_grad;
      normalized.mul_(2.0);
    }
    tt::conv2d(tt::relu(normalized), w).sum().backward();
    return w.grad();
  };
  EXPECT_TRUE(bitwise_equal(grad_of_weight("optimized"), grad_of_weight(keeping_backend())));
}

TEST(Recompute, RetainGraphAllowsASecondBackwardAndWithoutItTheErrorSaysSo) {
  tt::BackendGuard guard("optimized");
  tt::manual_seed(2);
  tt::nn::BasicBlock block(2, 2, 1);
  tt::Generator gen(4);
  const tt::Tensor loss = block(tt::randn({2, 2, 4, 4}, tt::kFloat32, &gen)).sum();
  loss.backward({}, true);
  const tt::TensorList first = [&] {
    tt::TensorList grads;
    for (const tt::Tensor& p : block.parameters()) grads.push_back(p.grad().clone());
    return grads;
  }();
  loss.backward();
  const tt::TensorList params = block.parameters();
  for (size_t i = 0; i < params.size(); ++i) EXPECT_TRUE(bitwise_equal(params[i].grad(), first[i] * 2)) << i;
  EXPECT_TRUE(throws_with([&] { loss.backward(); }, {"backward", "retain_graph=true"}));
}

TEST(RvalueAdd, ReusesABufferNothingElseHoldsAndOnlyThat) {
  tt::Generator gen(6);
  const tt::Tensor x = tt::randn({5, 7}, tt::kFloat64, &gen).requires_grad_();
  const tt::Tensor b = tt::randn({5, 7}, tt::kFloat64, &gen);

  tt::Tensor doubled = x * 2;  // mul keeps x, not its output
  const void* doubled_buffer = doubled.storage()->data();
  const tt::Tensor sum = std::move(doubled) + b;
  EXPECT_FALSE(doubled.defined());
  EXPECT_EQ(sum.storage()->data(), doubled_buffer);

  tt::Tensor exponent = tt::exp(x);  // exp keeps its output for the backward
  const void* exponent_buffer = exponent.storage()->data();
  const tt::Tensor other = std::move(exponent) + b;
  EXPECT_NE(other.storage()->data(), exponent_buffer);

  tt::Tensor viewed = x * 3;
  const tt::Tensor row = viewed[0];  // a view shares the buffer
  const tt::Tensor widened = std::move(viewed) + b;
  EXPECT_NE(widened.storage()->data(), row.storage()->data());

  (sum + other + widened).sum().backward();
  const tt::Tensor want = tt::exp(x.detach()) + 5;
  EXPECT_LT((x.grad() - want).abs().max().item(), 1e-12);
  EXPECT_NEAR(row.sum().item(), (x.detach()[0] * 3).sum().item(), 1e-12);
}

}  // namespace
