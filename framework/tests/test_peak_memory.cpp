// Peak memory of the first training step of the suites' models (the bench_train cases: MLP and
// residual CNN with SGD + momentum, CNN with Adam; batch 32), from the allocator's statistics and
// above the state before the step, as bench_train reports it. The suites skip the reference
// backend's timing on the convolutional cases, so its peaks are measured here. The optimized
// backend keeps relu masks and pooling taps as bits and recomputes batch-norm activations (see
// test_saved_state, test_recompute), so its CNN and residual-CNN peaks must stay within 0.7x the
// reference's. The MLP's peak is its gradients plus SGD's momentum buffers in every backend.
#include <gtest/gtest.h>

#include <cstdio>

#include "tinytorch/models/models.h"
#include "tinytorch/optim/optim.h"
#include "tinytorch/tinytorch.h"

namespace {
namespace tt = tinytorch;

int64_t first_step_peak(const std::string& backend, const std::string& model_name) {
  tt::BackendGuard guard(backend);
  tt::manual_seed(1);
  std::shared_ptr<tt::nn::Module> model = tt::models::make(model_name);
  model->train();
  std::unique_ptr<tt::optim::Optimizer> optimizer;
  if (model_name == "cnn")
    optimizer = std::make_unique<tt::optim::Adam>(model->parameters(), tt::optim::AdamOptions(1e-3));
  else
    optimizer = std::make_unique<tt::optim::SGD>(model->parameters(), tt::optim::SGDOptions(0.01).momentum(0.9));
  tt::Generator gen(2);
  const tt::Tensor images = tt::randn({32, 1, 28, 28}, tt::kFloat32, &gen);
  const tt::Tensor labels = tt::randint(0, 10, {32}, tt::kInt64, &gen);
  const int64_t before = tt::memory::stats().current_bytes;
  tt::memory::reset_peak();
  optimizer->zero_grad(true);
  tt::cross_entropy((*model)(images), labels).backward();
  optimizer->step();
  const int64_t peak = tt::memory::stats().peak_bytes - before;
  std::printf("%s %s: first-step peak %.3f MB\n", model_name.c_str(), backend.c_str(), peak / 1e6);
  return peak;
}

TEST(PeakMemory, ConvolutionalModelsKeepAtMost70PercentOfTheReference) {
  for (const char* model : {"cnn", "resnet"}) {
    const double reference = static_cast<double>(first_step_peak("reference", model));
    const double optimized = static_cast<double>(first_step_peak("optimized", model));
    std::printf("%s: optimized / reference = %.3f\n", model, optimized / reference);
    EXPECT_LE(optimized, 0.7 * reference) << model;
  }
}

TEST(PeakMemory, TheMlpPeakIsItsGradientsAndMomentumInBothBackends) {
  int64_t state_bytes = 0;
  for (const tt::Tensor& p : tt::models::make("mlp")->parameters()) state_bytes += 2 * p.numel() * 4;
  for (const char* backend : {"reference", "optimized"}) {
    const int64_t peak = first_step_peak(backend, "mlp");
    EXPECT_GE(peak, state_bytes) << backend;
    EXPECT_LE(peak, state_bytes * 105 / 100) << backend;
  }
}

}  // namespace
