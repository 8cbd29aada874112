// The training-loop helpers and the progress bar: train_epoch's bookkeeping (per-step callback,
// mean loss and accuracy, scheduler stepping), evaluate() against LibTorch on the same weights
// (and that it restores the training mode and records no graph), the model factory, and the
// progress line's fields.
#include <gmock/gmock.h>

#include "interop/torch_models.h"
#include "support/expect_error.h"
#include "support/torch_bridge.h"
#include "tinytorch/data/data.h"
#include "tinytorch/models/models.h"
#include "tinytorch/optim/optim.h"
#include "tinytorch/train/loop.h"
#include "tinytorch/train/progress_bar.h"

namespace {
using ::testing::HasSubstr;

std::shared_ptr<tt::data::TensorDataset> random_images(int64_t n, uint64_t seed, at::Tensor* images = nullptr,
                                                       at::Tensor* labels = nullptr) {
  torch::manual_seed(seed);
  const at::Tensor x = torch::randn({n, 1, 28, 28});
  const at::Tensor y = torch::randint(0, 10, {n}, torch::kInt64);
  if (images) *images = x;
  if (labels) *labels = y;
  return std::make_shared<tt::data::TensorDataset>(tt_test::from_torch(x), tt_test::from_torch(y));
}

TEST(TrainEpoch, ReportsEveryStepAndStepsTheScheduler) {
  auto model = tt::models::mlp();
  tt::optim::SGD sgd(model->parameters(), tt::optim::SGDOptions(0.1));
  tt::optim::StepLR scheduler(sgd, 2, 0.5);
  tt::data::DataLoaderOptions options;
  options.batch_size = 16;
  tt::data::DataLoader loader(random_images(40, 0), options);  // batches of 16, 16, 8
  std::vector<tt::train::StepInfo> steps;
  const tt::train::EpochResult result = tt::train::train_epoch(
      *model, loader, sgd, &scheduler, 3, [&](const tt::train::StepInfo& s) { steps.push_back(s); });
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(result.steps, 3);
  EXPECT_EQ(result.samples, 40);
  EXPECT_EQ(steps[2].batch_size, 8);
  EXPECT_EQ(steps[1].epoch, 3);
  EXPECT_EQ(steps[1].steps_in_epoch, 3);
  EXPECT_EQ(steps[0].lr, 0.1);
  EXPECT_EQ(steps[2].lr, 0.05);  // the scheduler stepped after each batch
  const double mean = (steps[0].loss * 16 + steps[1].loss * 16 + steps[2].loss * 8) / 40;
  EXPECT_NEAR(result.loss, mean, 1e-12);
  EXPECT_TRUE(model->is_training());
  for (const tt::Tensor& p : model->parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(Evaluate, MatchesLibTorchAndRestoresTrainingMode) {
  auto model = std::make_shared<tt::models::SmallResNet>();
  torch::manual_seed(4);
  tt::interop::TorchSmallResNet twin;
  {
    // Non-trivial running statistics, so that eval mode (which uses them) is visible.
    torch::NoGradGuard no_grad;
    twin->train();
    twin->forward(torch::randn({6, 1, 28, 28}) * 2 + 1);
  }
  tt::interop::copy_weights(*twin, *model);
  at::Tensor images, labels;
  tt::data::DataLoaderOptions options;
  options.batch_size = 7;
  tt::data::DataLoader loader(random_images(20, 5, &images, &labels), options);

  model->train();
  const tt::train::EpochResult result = tt::train::evaluate(*model, loader);
  EXPECT_TRUE(model->is_training());
  twin->eval();
  torch::NoGradGuard no_grad;
  const at::Tensor logits = twin->forward(images);
  const double loss = torch::nn::functional::cross_entropy(logits, labels).item<double>();
  const double accuracy = logits.argmax(1).eq(labels).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(result.loss, loss, 1e-5 * loss);
  EXPECT_EQ(result.accuracy, accuracy);
  EXPECT_EQ(result.samples, 20);
  for (const tt::Tensor& p : model->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(Models, FactoryBuildsEachModelAndNamesTheChoices) {
  for (const std::string& name : tt::models::names()) {
    auto model = tt::models::make(name);
    const tt::Tensor out = (*model)(tt::randn({2, 1, 28, 28}));
    EXPECT_EQ(out.sizes(), (tt::Shape{2, 10})) << name;
  }
  EXPECT_TRUE(tt_test::throws_with([] { tt::models::make("vgg"); }, {"unknown model \"vgg\"", "mlp, cnn, resnet"}));
  // Parameter counts as torch's twins (and the layer sizes): 784-256-128-10 and 3136 -> 128.
  EXPECT_EQ(tt::models::mlp()->named_parameters().at("1.weight").sizes(), (tt::Shape{256, 784}));
  EXPECT_EQ(tt::models::cnn()->named_parameters().at("7.weight").sizes(), (tt::Shape{128, 3136}));
}

TEST(ProgressBar, LineShowsCountRateLossAndEta) {
  const std::string mid = tt::train::ProgressBar::format("epoch 2/10", 25, 100, 5.0, 0.41234);
  EXPECT_THAT(mid, HasSubstr("epoch 2/10"));
  EXPECT_THAT(mid, HasSubstr("25/100"));
  EXPECT_THAT(mid, HasSubstr("[======>"));
  EXPECT_THAT(mid, HasSubstr("5.0 it/s"));
  EXPECT_THAT(mid, HasSubstr("loss 0.4123"));
  EXPECT_THAT(mid, HasSubstr("ETA 0:15"));  // 75 left at 5 it/s
  const std::string done = tt::train::ProgressBar::format("x", 100, 100, 3725.0, 0.1);
  EXPECT_THAT(done, HasSubstr("[========================]"));
  EXPECT_THAT(done, HasSubstr("done 1:02:05"));
}

}  // namespace
