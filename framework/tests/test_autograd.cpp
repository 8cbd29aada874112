// The autograd engine against LibTorch: accumulation, explicit and implicit output gradients,
// grad modes, detach, retain_graph, shared subexpressions, broadcasting, hooks, retain_grad,
// in-place checks, and a proof by live-object counters that a graph is freed after backward.
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using tt_test::all_close;
using tt_test::throws_with;
using tt_test::to_torch;

// A float64 leaf and its LibTorch twin (same values), both requiring grad.
struct Leaf {
  tt::Tensor tt;
  at::Tensor at;
};

Leaf leaf(const tt::Shape& shape, uint64_t seed) {
  tt::Generator gen(seed);
  tt::Tensor t = tt::randn(shape, tt::kFloat64, &gen).requires_grad_();
  return {t, to_torch(t).requires_grad_()};
}

constexpr double kTol = 1e-12;

TEST(Autograd, LeafGradAccumulatesAcrossBackwardCalls) {
  Leaf x = leaf({3, 2}, 1);
  for (int call = 1; call <= 2; ++call) {
    (x.tt * x.tt).sum().backward();
    (x.at * x.at).sum().backward();
    EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol, "grad after call " + std::to_string(call)));
  }
  // Zeroing in place under no_grad, as an optimizer does, restarts accumulation.
  {
    tt::NoGradGuard no_grad;
    x.tt.grad().zero_();
  }
  x.at.grad().zero_();
  x.tt.sum().backward();
  x.at.sum().backward();
  EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol, "grad after zero_"));
}

TEST(Autograd, BackwardWithExplicitGradient) {
  Leaf x = leaf({2, 3}, 2), w = leaf({2, 3}, 3);
  const tt::Tensor v = tt::randn({2, 3}, tt::kFloat64);
  (x.tt * w.tt).exp().backward(v);
  (x.at * w.at).exp().backward(to_torch(v));
  EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol, "x"));
  EXPECT_TRUE(all_close(w.tt.grad(), w.at.grad(), kTol, kTol, "w"));
  EXPECT_TRUE(throws_with([&] { (x.tt * 2).backward(tt::ones({3, 2}, tt::kFloat64)); }, {"[3, 2]", "[2, 3]"}));
}

TEST(Autograd, ImplicitGradientNeedsOneElement) {
  Leaf x = leaf({2, 3}, 4);
  EXPECT_THROW((x.at * 2).backward(), c10::Error);
  EXPECT_TRUE(throws_with([&] { (x.tt * 2).backward(); }, {"backward", "one-element", "[2, 3]", "sum()"}));
  // One element of any rank is fine.
  (x.tt.sum({0, 1}, true) * 2).backward();
  EXPECT_TRUE(all_close(x.tt.grad(), torch::full({2, 3}, 2.0, torch::kDouble), 0, 0));
  EXPECT_TRUE(throws_with([&] { tt::ones({1}).backward(); }, {"does not require grad"}));
}

TEST(Autograd, NoGradGuardRecordsNothingAndNests) {
  Leaf x = leaf({3}, 5);
  EXPECT_TRUE(tt::GradMode::is_enabled());
  {
    tt::NoGradGuard no_grad;
    EXPECT_FALSE(tt::GradMode::is_enabled());
    tt::Tensor y = x.tt * 2 + x.tt.exp();
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    EXPECT_FALSE(x.tt.unsqueeze(0).requires_grad());  // views too
    {
      tt::EnableGradGuard enable;
      EXPECT_TRUE(tt::GradMode::is_enabled());
      tt::Tensor z = x.tt * 2;
      EXPECT_TRUE(z.requires_grad());
      EXPECT_NE(z.grad_fn(), nullptr);
      {
        tt::NoGradGuard inner;
        EXPECT_FALSE((x.tt * 2).requires_grad());
      }
      EXPECT_TRUE(tt::GradMode::is_enabled());
    }
    EXPECT_FALSE(tt::GradMode::is_enabled());
  }
  EXPECT_TRUE(tt::GradMode::is_enabled());
  EXPECT_TRUE((x.tt * 2).requires_grad());
}

TEST(Autograd, DetachSharesStorageAndCutsTheGraph) {
  Leaf x = leaf({4}, 6);
  tt::Tensor y = x.tt * x.tt;
  tt::Tensor d = y.detach();
  EXPECT_EQ(d.storage(), y.storage());
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.grad_fn(), nullptr);
  EXPECT_TRUE(d.is_leaf());
  // Only the direct use of x contributes: d/dx (stop_grad(x^2) * x) = x^2.
  (d * x.tt).sum().backward();
  at::Tensor ay = x.at * x.at;
  (ay.detach() * x.at).sum().backward();
  EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol));
  // Writes to the detached tensor show in the original.
  d.fill_(3);
  EXPECT_EQ(y.to_vector<double>(), std::vector<double>(4, 3.0));
  // detach_ turns a graph node into a leaf in place.
  tt::Tensor z = x.tt * 2;
  z.detach_();
  EXPECT_FALSE(z.requires_grad());
  EXPECT_EQ(z.grad_fn(), nullptr);
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  Leaf x = leaf({3}, 7);
  tt::Tensor y = (x.tt * x.tt).exp().sum();
  y.backward(tt::Tensor(), /*retain_graph=*/true);
  const std::vector<double> first = x.tt.grad().to_vector<double>();
  y.backward();
  at::Tensor ay = (x.at * x.at).exp().sum();
  ay.backward({}, /*retain_graph=*/true);
  ay.backward();
  EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol));
  const std::vector<double> second = x.tt.grad().to_vector<double>();
  for (size_t i = 0; i < first.size(); ++i) EXPECT_DOUBLE_EQ(second[i], 2 * first[i]);
  // The last call freed the graph.
  EXPECT_TRUE(throws_with([&] { y.backward(); }, {"second time", "retain_graph"}));
  EXPECT_THROW(ay.backward(), c10::Error);
}

TEST(Autograd, SecondBackwardWithoutRetainGraphThrows) {
  Leaf x = leaf({3}, 8);
  tt::Tensor y = (x.tt * x.tt).sum();
  y.backward();
  EXPECT_TRUE(throws_with([&] { y.backward(); }, {"backward", "retain_graph=true"}));
  at::Tensor ay = (x.at * x.at).sum();
  ay.backward();
  EXPECT_THROW(ay.backward(), c10::Error);
}

TEST(Autograd, SharedSubexpressionsAccumulate) {
  Leaf x = leaf({2, 3}, 9);
  // x reaches the output along four paths; a is used twice.
  tt::Tensor a = x.tt.tanh();
  ((x.tt.exp() * a + x.tt * x.tt) * a).sum().backward();
  at::Tensor aa = x.at.tanh();
  ((x.at.exp() * aa + x.at * x.at) * aa).sum().backward();
  EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol));
  // The same leaf as both operands of one op.
  Leaf y = leaf({3}, 10);
  (y.tt * y.tt).sum().backward();
  (y.at * y.at).sum().backward();
  EXPECT_TRUE(all_close(y.tt.grad(), y.at.grad(), kTol, kTol));
}

TEST(Autograd, BroadcastGradientsReduceToInputShapes) {
  Leaf a = leaf({3, 1}, 11), b = leaf({4}, 12), c = leaf({2, 1, 4}, 13), s = leaf({}, 14);
  ((a.tt * b.tt + c.tt) * s.tt).sigmoid().sum().backward();
  ((a.at * b.at + c.at) * s.at).sigmoid().sum().backward();
  EXPECT_TRUE(all_close(a.tt.grad(), a.at.grad(), kTol, kTol, "a"));
  EXPECT_TRUE(all_close(b.tt.grad(), b.at.grad(), kTol, kTol, "b"));
  EXPECT_TRUE(all_close(c.tt.grad(), c.at.grad(), kTol, kTol, "c"));
  EXPECT_TRUE(all_close(s.tt.grad(), s.at.grad(), kTol, kTol, "scalar"));
}

TEST(Autograd, HooksReplaceGradients) {
  Leaf x = leaf({3}, 15);
  x.tt.register_hook([](const tt::Tensor& g) { return g * 2; });
  x.at.register_hook([](const at::Tensor& g) { return g * 2; });
  tt::Tensor h = x.tt * 3;
  at::Tensor ah = x.at * 3;
  tt::Tensor seen;
  h.register_hook([&](const tt::Tensor& g) {
    seen = g.clone();
    return g * 10;
  });
  ah.register_hook([](const at::Tensor& g) { return g * 10; });
  h.register_hook([](const tt::Tensor&) { return tt::Tensor(); });  // an observer: keeps the gradient
  (h * h).sum().backward();
  (ah * ah).sum().backward();
  EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol));
  EXPECT_TRUE(all_close(seen, (2 * ah).detach(), kTol, kTol, "gradient seen by the hook"));
  EXPECT_TRUE(throws_with([] { tt::ones({2}).register_hook([](const tt::Tensor& g) { return g; }); },
                          {"register_hook", "requires_grad_"}));
}

TEST(Autograd, RetainGradOnNonLeaf) {
  Leaf x = leaf({2, 2}, 16);
  tt::Tensor h = x.tt.exp();
  tt::Tensor other = x.tt * 2;
  h.retain_grad();
  at::Tensor ah = x.at.exp();
  ah.retain_grad();
  tt::Tensor y = (h * h * other).sum();
  at::Tensor ay = (ah * ah * (x.at * 2)).sum();
  y.backward(tt::Tensor(), true);
  ay.backward({}, true);
  EXPECT_TRUE(all_close(h.grad(), ah.grad(), kTol, kTol, "retained grad"));
  EXPECT_FALSE(other.grad().defined());  // not retained
  // Retained gradients accumulate like leaf gradients.
  y.backward();
  ay.backward();
  EXPECT_TRUE(all_close(h.grad(), ah.grad(), kTol, kTol, "retained grad after two calls"));
  EXPECT_TRUE(all_close(x.tt.grad(), x.at.grad(), kTol, kTol, "leaf"));
}

TEST(Autograd, ModifyingASavedTensorFailsAtBackward) {
  Leaf w = leaf({3}, 17);
  tt::Tensor a = tt::randn({3}, tt::kFloat64);
  tt::Tensor y = (a * w.tt).sum();  // mul saves a for w's gradient
  a.mul_(2);
  EXPECT_TRUE(throws_with([&] { y.backward(); }, {"backward", "in-place", "[3]"}));
  at::Tensor aa = torch::randn({3}, torch::kDouble);
  at::Tensor ay = (aa * w.at).sum();
  aa.mul_(2);
  EXPECT_THROW(ay.backward(), c10::Error);

  // An op's saved output, modified under no_grad.
  tt::Tensor e = w.tt.exp();
  tt::Tensor z = (e * 3).sum();
  {
    tt::NoGradGuard no_grad;
    e.add_(tt::ones({3}, tt::kFloat64));
  }
  EXPECT_TRUE(throws_with([&] { z.backward(); }, {"in-place"}));
}

TEST(Autograd, InPlaceOnLeafRequiringGradIsRejected) {
  Leaf x = leaf({3}, 18);
  EXPECT_TRUE(throws_with([&] { x.tt.add_(tt::ones({3}, tt::kFloat64)); }, {"add_", "[3]", "NoGradGuard"}));
  EXPECT_TRUE(throws_with([&] { x.tt.mul_(2); }, {"mul_", "requires grad"}));
  EXPECT_TRUE(throws_with([&] { x.tt.fill_(0); }, {"fill_"}));
  EXPECT_TRUE(throws_with([&] { x.tt.zero_(); }, {"in place"}));
  EXPECT_TRUE(throws_with([&] { x.tt.copy_(tt::zeros({3}, tt::kFloat64)); }, {"copy_"}));
  EXPECT_THROW(x.at.add_(1), c10::Error);
  tt::NoGradGuard no_grad;
  x.tt.mul_(2);  // allowed: the optimizer's path
}

TEST(Autograd, RequiresGradRules) {
  EXPECT_TRUE(throws_with([] { tt::ones({2}, tt::kInt64).requires_grad_(); }, {"requires_grad_", "int64"}));
  EXPECT_TRUE(throws_with([] { tt::ones({2}, tt::kBool).requires_grad_(); }, {"bool"}));
  EXPECT_THROW(torch::ones({2}, torch::kLong).requires_grad_(), c10::Error);
  tt::ones({2}, tt::kInt64).requires_grad_(false);  // turning it off is always fine
  Leaf x = leaf({2}, 19);
  EXPECT_TRUE(throws_with([&] { (x.tt * 2).requires_grad_(false); }, {"leaf", "detach"}));
  // Integer results of float inputs do not require grad.
  EXPECT_FALSE(tt::argmax(x.tt).requires_grad());
  EXPECT_FALSE(tt::gt(x.tt, 0).requires_grad());
}

// A two-layer perceptron's loss from parameters and a fresh input, built inside a scope.
struct Mlp {
  tt::Tensor w1 = tt::randn({4, 8}).requires_grad_();
  tt::Tensor b1 = tt::randn({8}).requires_grad_();
  tt::Tensor w2 = tt::randn({8, 2}).requires_grad_();
  tt::Tensor loss(const tt::Tensor& x) const { return tt::matmul(tt::relu(tt::matmul(x, w1) + b1), w2).sum(); }
  bool has_grads() const { return w1.grad().defined() && b1.grad().defined() && w2.grad().defined(); }
};

TEST(Autograd, GraphIsFreedAfterBackward) {
  Mlp mlp;
  const int64_t tensors = tt::memory::live_tensors(), storages = tt::memory::live_storages();
  {
    tt::Tensor x = tt::randn({5, 4});
    tt::Tensor loss = mlp.loss(x);
    EXPECT_GT(tt::memory::live_tensors(), tensors + 6);  // the graph holds its saved tensors
    loss.backward();
    // Saved tensors go as soon as backward ends, though the loss (and its nodes) still lives:
    // only x, loss and the three gradients remain.
    EXPECT_EQ(tt::memory::live_tensors(), tensors + 5);
    EXPECT_EQ(tt::memory::live_storages(), storages + 5);
  }
  EXPECT_TRUE(mlp.has_grads());
  EXPECT_EQ(tt::memory::live_tensors(), tensors + 3);
  EXPECT_EQ(tt::memory::live_storages(), storages + 3);
  // A second step reuses the gradient tensors.
  {
    tt::Tensor loss = mlp.loss(tt::randn({5, 4}));
    loss.backward();
  }
  EXPECT_EQ(tt::memory::live_tensors(), tensors + 3);
  EXPECT_EQ(tt::memory::live_storages(), storages + 3);
}

TEST(Autograd, RetainedGraphIsFreedWithTheLoss) {
  Mlp mlp;
  const int64_t tensors = tt::memory::live_tensors(), storages = tt::memory::live_storages();
  {
    tt::Tensor loss = mlp.loss(tt::randn({5, 4}));
    loss.backward(tt::Tensor(), /*retain_graph=*/true);
    loss.backward(tt::Tensor(), /*retain_graph=*/true);
    EXPECT_GT(tt::memory::live_tensors(), tensors + 6);  // still held for another backward
  }
  EXPECT_TRUE(mlp.has_grads());
  EXPECT_EQ(tt::memory::live_tensors(), tensors + 3);
  EXPECT_EQ(tt::memory::live_storages(), storages + 3);
}

TEST(Autograd, HooksAndRetainGradDoNotLeak) {
  Mlp mlp;
  const int64_t tensors = tt::memory::live_tensors();
  {
    tt::Tensor hidden = tt::matmul(tt::randn({5, 4}), mlp.w1);
    hidden.retain_grad();
    hidden.register_hook([](const tt::Tensor& g) { return g * 1.0; });
    (hidden * hidden).sum().backward();
    EXPECT_TRUE(hidden.grad().defined());
  }
  EXPECT_EQ(tt::memory::live_tensors(), tensors + 1);  // w1's gradient
}

}  // namespace
