// Differential training against LibTorch: the MLP, the 2-conv CNN and the small residual CNN with
// BatchNorm are built in both frameworks with identical initial weights (LibTorch's, copied over by
// state_dict) and trained for 50 steps on identical batches with each optimizer, each paired with a
// scheduler: SGD (momentum, Nesterov, weight decay) + cosine annealing, Adam + OneCycle (which also
// cycles beta1), AdamW + linear warm-up, RMSprop + StepLR. TinyTorch runs through train::train_epoch
// with a 2-worker DataLoader; LibTorch replays the loader's batch plan with the per-step rates (and
// beta1) TinyTorch's scheduler produced (the schedulers themselves are checked against PyTorch's
// formulas in test_optim.cpp). The CNN and ResNet see small synthetic images (12x12 and 8x8) so the
// file stays fast; the 28x28 CNN is checked by the first-batch test.
//
// Tolerance in f32: every step's loss within rel 1e-4 (plus 1e-6 absolute, for losses near zero)
// and every parameter and buffer tensor within a relative L2 error of 1e-4. The frameworks sum in
// different orders (GEMM, convolution, batch statistics), so f32 results differ by rounding, which
// training amplifies: on a ReLU kink or a near-cancelling gradient whose sign RMSprop's or Adam's
// first steps turn into a full-size update (the same ResNet at half width drifts to 1e-2 with
// AdamW). The f32 runs therefore use a learnable task, moderate rates and RMSprop with eps 1e-6:
// at the default 1e-8, an element whose gradient is within f32 rounding of zero gets a full-size
// update whose sign the summation order picks (reordering only the sums of the strided
// convolutions' input gradient moved the ResNet run from 2e-7 to 7e-4, BatchNorm biases drifting
// most, while the first-batch gradients of either order are as close to an f64 LibTorch run as
// LibTorch's own f32 gradients are). The f64 runs (the MLP with every optimizer, and ResNet with
// RMSprop + momentum, a recipe whose f32 run drifts to ~5e-2) agree to 1e-9, which shows the f32
// gaps are rounding, not formulas.
#include <algorithm>
#include <functional>
#include <numeric>

#include "interop/torch_models.h"
#include "support/torch_bridge.h"
#include "tinytorch/data/data.h"
#include "tinytorch/models/models.h"
#include "tinytorch/optim/optim.h"
#include "tinytorch/train/loop.h"

namespace {
namespace topt = tt::optim;
using tt::interop::copy_weights;

constexpr int64_t kSteps = 50;

struct Twins {
  std::shared_ptr<tt::nn::Module> tt;
  std::shared_ptr<torch::nn::Module> torch;
  std::function<at::Tensor(const at::Tensor&)> torch_forward;
  int64_t image_size;
  int64_t batch_size;
};

Twins make_twins(const std::string& name, tt::DType dtype) {
  torch::manual_seed(0);
  Twins t;
  if (name == "mlp") {
    auto m = tt::interop::torch_mlp();
    t = {tt::models::mlp(), m.ptr(), [m](const at::Tensor& x) mutable { return m->forward(x); }, 28, 8};
  } else if (name == "cnn") {
    auto m = tt::interop::torch_cnn(1, 12);
    t = {tt::models::cnn(1, 12), m.ptr(), [m](const at::Tensor& x) mutable { return m->forward(x); }, 12, 4};
  } else {
    // Smaller synthetic images: the adaptive pool makes the size free.
    auto m = tt::interop::TorchSmallResNet();
    t = {std::make_shared<tt::models::SmallResNet>(), m.ptr(),
         [m](const at::Tensor& x) mutable { return m->forward(x); }, 8, 4};
  }
  if (dtype == tt::kFloat64) {
    t.torch->to(torch::kFloat64);
    t.tt->to(tt::kFloat64);
  }
  copy_weights(*t.torch, *t.tt);
  return t;
}

struct OptimPair {
  std::string name;
  std::function<std::unique_ptr<topt::Optimizer>(const tt::TensorList&)> tinytorch;
  std::function<std::unique_ptr<topt::LRScheduler>(topt::Optimizer&)> scheduler;
  std::function<std::unique_ptr<torch::optim::Optimizer>(const std::vector<at::Tensor>&)> libtorch;
};

// rmsprop_momentum/alpha/eps: the f32 runs use RMSprop without momentum at alpha 0.9 and eps 1e-6;
// see the header.
std::vector<OptimPair> optimizer_pairs(double rmsprop_momentum = 0.0, double rmsprop_alpha = 0.9,
                                       double rmsprop_eps = 1e-6) {
  namespace to = torch::optim;
  const double rm = rmsprop_momentum, ra = rmsprop_alpha, re = rmsprop_eps;
  return {
      {"SGD+cosine",
       [](const tt::TensorList& p) {
         return std::make_unique<topt::SGD>(p, topt::SGDOptions(0.01).momentum(0.9).nesterov(true).weight_decay(5e-4));
       },
       [](topt::Optimizer& o) { return std::make_unique<topt::CosineAnnealingLR>(o, kSteps, 1e-3); },
       [](const std::vector<at::Tensor>& p) {
         return std::make_unique<to::SGD>(p, to::SGDOptions(0.01).momentum(0.9).nesterov(true).weight_decay(5e-4));
       }},
      {"Adam+onecycle",
       [](const tt::TensorList& p) {
         return std::make_unique<topt::Adam>(p, topt::AdamOptions(1e-3).weight_decay(1e-4));
       },
       [](topt::Optimizer& o) { return std::make_unique<topt::OneCycleLR>(o, 1e-3, kSteps); },
       [](const std::vector<at::Tensor>& p) {
         return std::make_unique<to::Adam>(p, to::AdamOptions(1e-3).weight_decay(1e-4));
       }},
      {"AdamW+warmup",
       [](const tt::TensorList& p) { return std::make_unique<topt::AdamW>(p, topt::AdamWOptions(1e-3)); },
       [](topt::Optimizer& o) { return std::make_unique<topt::LinearLR>(o, 0.1, 1.0, 10); },
       [](const std::vector<at::Tensor>& p) { return std::make_unique<to::AdamW>(p, to::AdamWOptions(1e-3)); }},
      {"RMSprop+step",
       [rm, ra, re](const tt::TensorList& p) {
         return std::make_unique<topt::RMSprop>(p, topt::RMSpropOptions(1e-4).momentum(rm).alpha(ra).eps(re));
       },
       [](topt::Optimizer& o) { return std::make_unique<topt::StepLR>(o, 20, 0.5); },
       [rm, ra, re](const std::vector<at::Tensor>& p) {
         return std::make_unique<to::RMSprop>(p, to::RMSpropOptions(1e-4).momentum(rm).alpha(ra).eps(re));
       }},
  };
}

// Hyper-parameters a step ran with: the rate and, when OneCycle cycles it, Adam's beta1.
struct StepOptions {
  double lr, beta1;
};
StepOptions current_options(const topt::Optimizer& o) {
  const topt::GroupOptions& g = o.param_groups()[0].options;
  return {g.at("lr"), g.count("beta1") ? g.at("beta1") : 0.0};
}

// Trains both twins and checks losses (rel rtol, abs rtol / 100) and final tensors (rel L2 rtol).
void train_and_compare(const std::string& model_name, const OptimPair& pair, tt::DType dtype, double rtol) {
  SCOPED_TRACE(model_name + " " + pair.name + " " + tt::dtype_name(dtype));
  Twins twins = make_twins(model_name, dtype);
  const int64_t batches_per_epoch = kSteps / 2;
  const int64_t n = twins.batch_size * batches_per_epoch;
  // A learnable task: each class has a fixed random template, and an image is its class's template
  // plus 1.5 times as much noise. (Random labels or a too-high rate make training chaotic, and chaotic runs
  // amplify f32 rounding until no tolerance holds.)
  torch::manual_seed(1);
  const auto options = torch::dtype(tt_test::to_torch_dtype(dtype));
  const at::Tensor labels = torch::randint(0, 10, {n}, torch::kInt64);
  const at::Tensor templates = torch::randn({10, 1, twins.image_size, twins.image_size}, options);
  const at::Tensor images =
      templates.index_select(0, labels) + 1.5 * torch::randn({n, 1, twins.image_size, twins.image_size}, options);
  auto dataset = std::make_shared<tt::data::TensorDataset>(tt_test::from_torch(images), tt_test::from_torch(labels));
  tt::data::DataLoaderOptions loader_options;
  loader_options.batch_size = twins.batch_size;
  loader_options.shuffle = true;
  loader_options.seed = 3;
  loader_options.num_workers = 2;
  tt::data::DataLoader loader(dataset, loader_options);

  // TinyTorch: two epochs through the library's training loop, recording what each step used.
  auto optimizer = pair.tinytorch(twins.tt->parameters());
  auto scheduler = pair.scheduler(*optimizer);
  std::vector<double> tt_losses;
  std::vector<StepOptions> used{current_options(*optimizer)};
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    tt::train::train_epoch(*twins.tt, loader, *optimizer, scheduler.get(), epoch, [&](const tt::train::StepInfo& info) {
      EXPECT_EQ(info.lr, used.back().lr);
      tt_losses.push_back(info.loss);
      used.push_back(current_options(*optimizer));
    });
  }
  ASSERT_EQ(static_cast<int64_t>(tt_losses.size()), kSteps);

  // LibTorch: the same batches, with the rates (and beta1) TinyTorch's scheduler set.
  auto torch_optimizer = pair.libtorch(twins.torch->parameters());
  twins.torch->train();
  std::vector<double> torch_losses;
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    for (const std::vector<int64_t>& indices : loader.batch_indices(epoch)) {
      const StepOptions& step = used[torch_losses.size()];
      auto& group = torch_optimizer->param_groups()[0];
      group.options().set_lr(step.lr);
      if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&group.options()); adam && pair.name == "Adam+onecycle")
        adam->betas({step.beta1, std::get<1>(adam->betas())});
      const at::Tensor index = torch::tensor(indices, torch::kInt64);
      torch_optimizer->zero_grad();
      const at::Tensor loss = torch::nn::functional::cross_entropy(twins.torch_forward(images.index_select(0, index)),
                                                                   labels.index_select(0, index));
      loss.backward();
      torch_optimizer->step();
      torch_losses.push_back(loss.item<double>());
    }
  }

  double worst_loss = 0;
  for (int64_t s = 0; s < kSteps; ++s) {
    const double diff = std::abs(tt_losses[s] - torch_losses[s]);
    worst_loss = std::max(worst_loss, diff / std::abs(torch_losses[s]));
    EXPECT_LE(diff, rtol * std::abs(torch_losses[s]) + rtol / 100)
        << "loss of step " << s << ": TinyTorch " << tt_losses[s] << ", LibTorch " << torch_losses[s];
  }
  auto mean = [](auto first, auto last) { return std::accumulate(first, last, 0.0) / std::distance(first, last); };
  EXPECT_LT(mean(torch_losses.end() - 10, torch_losses.end()), mean(torch_losses.begin(), torch_losses.begin() + 10))
      << "the run did not train, which would make the comparison weak";
  const tt::nn::TensorDict expected = tt::interop::torch_state_dict(*twins.torch);
  const tt::nn::TensorDict actual = twins.tt->state_dict();
  std::vector<std::string> actual_keys = actual.keys(), expected_keys = expected.keys();
  std::sort(actual_keys.begin(), actual_keys.end());
  std::sort(expected_keys.begin(), expected_keys.end());
  ASSERT_EQ(actual_keys, expected_keys);
  double worst_param = 0;
  for (const auto& [key, value] : expected) {
    const at::Tensor mine = tt_test::to_torch(actual.at(key)).to(torch::kFloat64);
    const at::Tensor theirs = tt_test::to_torch(value).to(torch::kFloat64);
    const double scale = std::max(theirs.norm().item<double>(), 1e-12);
    const double rel = (mine - theirs).norm().item<double>() / scale;
    worst_param = std::max(worst_param, rel);
    EXPECT_LE(rel, rtol) << key << " after training: relative L2 error " << rel;
  }
  std::printf("  %-7s %-14s %-8s worst loss rel diff %.2e, worst parameter rel L2 diff %.2e\n", model_name.c_str(),
              pair.name.c_str(), tt::dtype_name(dtype), worst_loss, worst_param);
}

// One forward and backward on one batch: the loss and every parameter gradient agree before any
// training can amplify rounding differences (the first thing to look at when a run below fails).
TEST(TrainingDiff, FirstBatchLossAndGradientsMatch) {
  for (const std::string name : {"mlp", "cnn", "resnet"}) {
    SCOPED_TRACE(name);
    Twins twins = make_twins(name, tt::kFloat32);
    torch::manual_seed(2);
    const at::Tensor images = torch::randn({twins.batch_size, 1, twins.image_size, twins.image_size});
    const at::Tensor labels = torch::randint(0, 10, {twins.batch_size}, torch::kInt64);
    twins.tt->train();
    const tt::Tensor loss = tt::cross_entropy((*twins.tt)(tt_test::from_torch(images)), tt_test::from_torch(labels));
    loss.backward();
    const at::Tensor expected = torch::nn::functional::cross_entropy(twins.torch_forward(images), labels);
    expected.backward();
    EXPECT_TRUE(tt_test::all_close(loss, expected, 1e-5, 1e-6, "loss"));
    const auto theirs = twins.torch->named_parameters();
    for (const auto& [key, param] : twins.tt->named_parameters())
      EXPECT_TRUE(tt_test::all_close(param.grad(), theirs[key].grad(), 1e-4, 1e-6, key + " gradient"));
  }
}

TEST(TrainingDiff, MlpMatchesLibTorchWithEveryOptimizer) {
  for (const OptimPair& pair : optimizer_pairs()) train_and_compare("mlp", pair, tt::kFloat32, 1e-4);
}

TEST(TrainingDiff, CnnMatchesLibTorchWithEveryOptimizer) {
  for (const OptimPair& pair : optimizer_pairs()) train_and_compare("cnn", pair, tt::kFloat32, 1e-4);
}

TEST(TrainingDiff, ResidualCnnWithBatchNormMatchesLibTorchWithEveryOptimizer) {
  for (const OptimPair& pair : optimizer_pairs()) train_and_compare("resnet", pair, tt::kFloat32, 1e-4);
}

TEST(TrainingDiff, MlpInDoubleAgreesToRounding) {
  for (const OptimPair& pair : optimizer_pairs(0.5, 0.99, 1e-8)) train_and_compare("mlp", pair, tt::kFloat64, 1e-9);
}

TEST(TrainingDiff, ResidualCnnWithRmspropMomentumInDoubleAgreesToRounding) {
  train_and_compare("resnet", optimizer_pairs(0.5, 0.99, 1e-8).back(), tt::kFloat64, 1e-9);
}

}  // namespace
