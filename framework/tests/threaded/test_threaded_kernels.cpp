// Thread-safety and determinism of the optimized backend, without LibTorch so that it can run under
// ThreadSanitizer (tools/test.sh builds it a second time with -fsanitize=thread). Each workload runs
// on the optimized backend with 1 and 2 threads (results must be bitwise equal) and on the
// reference backend (results must agree within the stated tolerance). Sizes are large enough that
// every kernel's parallel_for really splits its work across both threads.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "tinytorch/data/dataloader.h"
#include "tinytorch/optim/adam.h"
#include "tinytorch/optim/sgd.h"
#include "tinytorch/tinytorch.h"

namespace {
namespace tt = tinytorch;

// A workload returns every tensor it wants compared (outputs and gradients), in f32.
using Workload = std::function<std::vector<tt::Tensor>()>;

std::vector<std::vector<float>> run(const Workload& workload, const std::string& backend, int threads) {
  tt::BackendGuard guard(backend);
  const int previous = tt::get_num_threads();
  tt::set_num_threads(threads);
  std::vector<std::vector<float>> values;
  for (const tt::Tensor& t : workload()) values.push_back(t.contiguous().to_vector<float>());
  tt::set_num_threads(previous);
  return values;
}

// Relative tolerance of the optimized kernels against the reference loops in f32: they sum in a
// different (blocked, vectorized) order.
constexpr double kRelTolerance = 2e-4;

void check_workload(const Workload& workload) {
  const auto one = run(workload, "optimized", 1);
  const auto two = run(workload, "optimized", 2);
  const auto reference = run(workload, "reference", 1);
  ASSERT_EQ(one.size(), two.size());
  for (size_t t = 0; t < one.size(); ++t) {
    ASSERT_EQ(one[t].size(), two[t].size());
    double scale = 0;
    for (float v : reference[t]) scale = std::max(scale, static_cast<double>(std::fabs(v)));
    for (size_t i = 0; i < one[t].size(); ++i) {
      ASSERT_EQ(one[t][i], two[t][i]) << "tensor " << t << " element " << i << ": 1 vs 2 threads differ";
      ASSERT_NEAR(one[t][i], reference[t][i], kRelTolerance * std::max(1.0, scale))
          << "tensor " << t << " element " << i << ": optimized vs reference";
    }
  }
}

tt::Tensor leaf(const tt::Shape& shape, uint64_t seed) {
  tt::Generator gen(seed);
  return tt::randn(shape, tt::kFloat32, &gen).requires_grad_(true);
}

TEST(ThreadedKernels, MatmulForwardAndBackward) {
  check_workload([] {
    tt::Tensor a = leaf({150, 260}, 1), b = leaf({260, 170}, 2);
    tt::matmul(a, b).sum().backward();
    return std::vector<tt::Tensor>{tt::matmul(a, b), a.grad(), b.grad()};
  });
}

// A batch of 16 spreads images over threads, sums the weight gradient in several slots and gets its
// input gradient as a convolution; the strided batch of 2 splits columns (also of its input
// gradient's stride phases) and its one weight-gradient slot by rows; 3 input channels take col2im;
// relu packs its mask in word-aligned chunks per thread, max pooling its taps per plane.
TEST(ThreadedKernels, Conv2dAndPoolingForwardAndBackward) {
  check_workload([] {
    tt::Tensor x = leaf({16, 8, 23, 23}, 3), w = leaf({24, 8, 3, 3}, 4), b = leaf({24}, 5);
    tt::Tensor small = leaf({2, 8, 23, 23}, 20);
    tt::Tensor few = leaf({4, 3, 23, 23}, 21), w_few = leaf({8, 3, 3, 3}, 22);
    tt::Tensor y = tt::conv2d(x, w, b, {1, 1}, {1, 1});
    tt::Tensor strided = tt::conv2d(small, w, b, {2, 2}, {1, 1});
    tt::Tensor few_out = tt::conv2d(few, w_few, tt::Tensor(), {2, 2}, {1, 1});
    tt::Tensor pooled = tt::max_pool2d(tt::relu(y), {2, 2}) + tt::avg_pool2d(y, {2, 2});
    ((pooled * pooled).sum() + (strided * strided).sum() + (few_out * few_out).sum()).backward();
    return std::vector<tt::Tensor>{pooled,     strided,  few_out,  x.grad(),    small.grad(),
                                   few.grad(), w.grad(), b.grad(), w_few.grad()};
  });
}

TEST(ThreadedKernels, PointwiseAndReductions) {
  check_workload([] {
    tt::Tensor x = leaf({300, 410}, 6), row = leaf({410}, 7);
    tt::Tensor y = tt::gelu(x * row + 0.5) + tt::exp(tt::tanh(x)) - tt::sigmoid(x);
    tt::Tensor loss = y.sum() + y.mean({0}).sum() + tt::max(y, 1).first.sum();
    loss.backward();
    return std::vector<tt::Tensor>{y, y.sum({1}), x.grad(), row.grad()};
  });
}

TEST(ThreadedKernels, SoftmaxNormalizationAndLoss) {
  check_workload([] {
    tt::Tensor x = leaf({513, 300}, 8), gamma = leaf({300}, 9), beta = leaf({300}, 10);
    tt::Generator gen(11);
    tt::Tensor target = tt::randint(0, 300, {513}, tt::kInt64, &gen);
    tt::Tensor normed = tt::layer_norm(x, {300}, gamma, beta);
    tt::Tensor loss = tt::cross_entropy(normed, target) + tt::softmax(normed, 1).max();
    // Rows of 10 (a classifier head) run transposed in tiles of rows.
    tt::Tensor head = leaf({1200, 10}, 12);
    tt::Tensor head_target = tt::randint(0, 10, {1200}, tt::kInt64, &gen);
    loss = loss + tt::cross_entropy(head, head_target) + tt::log_softmax(head, 1).sum() * 1e-3;
    loss.backward();
    return std::vector<tt::Tensor>{normed, loss, x.grad(), gamma.grad(), beta.grad(), head.grad()};
  });
}

// batch_norm forward and backward, and the optimized backend's recomputation of batch-norm, relu
// and residual-sum outputs in backward (batch_norm_apply with accumulate and relu).
TEST(ThreadedKernels, ResidualBlockWithRecomputedActivations) {
  check_workload([] {
    tt::Tensor x = leaf({4, 8, 12, 12}, 20), w1 = leaf({8, 8, 3, 3}, 21), w2 = leaf({8, 8, 3, 3}, 22);
    tt::Tensor gamma = leaf({8}, 23), beta = leaf({8}, 24), w3 = leaf({5, 8, 3, 3}, 25);
    auto bn = [&](const tt::Tensor& t) { return tt::batch_norm(t, {}, {}, gamma, beta, true); };
    tt::Tensor inner = tt::relu(bn(tt::conv2d(x, w1, {}, {1, 1}, {1, 1})));
    tt::Tensor block = tt::relu(bn(tt::conv2d(inner, w2, {}, {1, 1}, {1, 1})) + bn(x));
    tt::Tensor y = tt::conv2d(block, w3);
    y.sum().backward();
    return std::vector<tt::Tensor>{y, x.grad(), w1.grad(), w2.grad(), w3.grad(), gamma.grad(), beta.grad()};
  });
}

TEST(ThreadedKernels, IndexSelectAndEmbeddingWithRepeatedIndices) {
  check_workload([] {
    tt::Tensor x = leaf({7, 9, 5}, 15), table = leaf({50, 300}, 16);
    tt::Generator gen(17);
    tt::Tensor rows = tt::randint(0, 50, {4000}, tt::kInt64, &gen);  // many repeats: accumulation order matters
    tt::Tensor picks = tt::randint(0, 7, {11}, tt::kInt64, &gen);    // valid along dims 0 and 1
    tt::Tensor looked_up = tt::embedding(table, rows);
    tt::Tensor selected = tt::index_select(x, 1, picks) + tt::index_select(x, 0, picks.narrow(0, 0, 3)).sum();
    (looked_up * looked_up).sum().backward();
    (selected * selected).sum().backward();
    return std::vector<tt::Tensor>{looked_up, selected, table.grad(), x.grad()};
  });
}

// The weight is large enough (600 k elements) for its update to be split over the threads.
TEST(ThreadedKernels, OptimizerSteps) {
  check_workload([] {
    tt::Tensor w = leaf({600, 1000}, 12), v = leaf({1000}, 13);
    tt::optim::Adam adam({w}, tt::optim::AdamOptions(1e-2).weight_decay(0.1));
    tt::optim::SGD sgd({v}, tt::optim::SGDOptions(1e-2).momentum(0.9).nesterov(true));
    for (int step = 0; step < 3; ++step) {
      adam.zero_grad();
      sgd.zero_grad();
      (tt::matmul(w, v) * tt::matmul(w, v)).sum().backward();
      adam.step();
      sgd.step();
    }
    return std::vector<tt::Tensor>{w.detach(), v.detach()};
  });
}

TEST(ThreadedKernels, DataLoaderWorkersDeliverTheSameBatches) {
  tt::Generator gen(14);
  auto dataset = std::make_shared<tt::data::TensorDataset>(tt::randn({97, 3}, tt::kFloat32, &gen), tt::arange(97));
  auto epoch_targets = [&](int64_t workers, int64_t stop_after) {
    tt::data::DataLoaderOptions options;
    options.batch_size = 8;
    options.shuffle = true;
    options.seed = 5;
    options.num_workers = workers;
    tt::data::DataLoader loader(dataset, options);
    std::vector<int64_t> seen;
    int64_t batches = 0;
    for (tt::data::Batch& batch : loader) {
      for (int64_t t : batch.target.to_vector<int64_t>()) seen.push_back(t);
      if (++batches == stop_after) break;  // leaving mid-epoch must stop the workers cleanly
    }
    return seen;
  };
  EXPECT_EQ(epoch_targets(0, -1), epoch_targets(3, -1));
  EXPECT_EQ(epoch_targets(0, 4), epoch_targets(3, 4));
}

}  // namespace
