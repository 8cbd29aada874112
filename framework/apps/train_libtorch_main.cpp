// tinytorch-train-libtorch: tinytorch-train's loop in LibTorch, for wall-time and accuracy
// comparison. It takes the same options and runs the same recipe: the same initial weights
// (TinyTorch's, copied over), the same batches (TinyTorch's DataLoader, copied per batch), the same
// per-step rates and momenta (TinyTorch's scheduler, driving a shadow optimizer).
#include <chrono>
#include <cstdio>
#include <functional>

#include "interop/torch_models.h"
#include "tinytorch/models/models.h"
#include "tinytorch/train/progress_bar.h"
#include "train_setup.h"

namespace tt = tinytorch;
using tt::interop::from_torch;
using tt::interop::to_torch;

namespace {
struct TorchModel {
  std::shared_ptr<torch::nn::Module> module;
  std::function<at::Tensor(const at::Tensor&)> forward;
};

TorchModel make_torch_model(const std::string& name) {
  if (name == "mlp") {
    auto m = tt::interop::torch_mlp();
    return {m.ptr(), [m](const at::Tensor& x) mutable { return m->forward(x); }};
  }
  if (name == "cnn") {
    auto m = tt::interop::torch_cnn();
    return {m.ptr(), [m](const at::Tensor& x) mutable { return m->forward(x); }};
  }
  auto m = tt::interop::TorchSmallResNet();
  return {m.ptr(), [m](const at::Tensor& x) mutable { return m->forward(x); }};
}

std::unique_ptr<torch::optim::Optimizer> make_torch_optimizer(const tt::app::TrainConfig& c,
                                                              const std::vector<at::Tensor>& params) {
  namespace to = torch::optim;
  if (c.optimizer == "sgd")
    return std::make_unique<to::SGD>(
        params, to::SGDOptions(c.lr).momentum(c.momentum).nesterov(c.momentum > 0).weight_decay(c.weight_decay));
  if (c.optimizer == "adam")
    return std::make_unique<to::Adam>(params, to::AdamOptions(c.lr).weight_decay(c.weight_decay));
  if (c.optimizer == "adamw")
    return std::make_unique<to::AdamW>(params, to::AdamWOptions(c.lr).weight_decay(c.weight_decay));
  return std::make_unique<to::RMSprop>(params,
                                       to::RMSpropOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
}

// Copies the shadow optimizer's scheduled rate and momentum (or beta1) into LibTorch's.
void apply_schedule(const tt::optim::Optimizer& shadow, torch::optim::Optimizer& optimizer) {
  const tt::optim::GroupOptions& g = shadow.param_groups()[0].options;
  torch::optim::OptimizerOptions& o = optimizer.param_groups()[0].options();
  o.set_lr(g.at("lr"));
  if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&o)) sgd->momentum(g.at("momentum"));
  if (auto* rms = dynamic_cast<torch::optim::RMSpropOptions*>(&o)) rms->momentum(g.at("momentum"));
  if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&o)) adam->betas({g.at("beta1"), g.at("beta2")});
  if (auto* adamw = dynamic_cast<torch::optim::AdamWOptions*>(&o)) adamw->betas({g.at("beta1"), g.at("beta2")});
}

int run(const tt::app::TrainConfig& config) {
  if (config.threads > 0) torch::set_num_threads(static_cast<int>(config.threads));
  tt::manual_seed(config.seed);

  const tt::app::FashionData data = tt::app::load_fashion_mnist(config);
  tt::app::FashionLoaders loaders(config, data);
  tt::data::DataLoader& train_loader = loaders.train;
  tt::data::DataLoader& test_loader = loaders.test;

  auto tt_model = tt::models::make(config.model);
  TorchModel model = make_torch_model(config.model);
  tt::interop::copy_weights(*tt_model, *model.module);
  auto optimizer = make_torch_optimizer(config, model.module->parameters());
  auto shadow = tt::app::make_optimizer(config, tt_model->parameters());
  auto scheduler = tt::app::make_scheduler(config, *shadow, train_loader.size());

  tt::app::MetricsFile metrics(config.metrics);
  nlohmann::json header = config.to_json();
  header["type"] = "config";
  header["framework"] = "libtorch";
  header["threads"] = torch::get_num_threads();
  metrics.write(header);
  std::fprintf(stderr, "tinytorch-train-libtorch: %s, %s lr %g, schedule %s, batch %ld, %ld epochs, %d threads\n",
               config.model.c_str(), config.optimizer.c_str(), config.lr, config.schedule.c_str(),
               static_cast<long>(config.batch_size), static_cast<long>(config.epochs), torch::get_num_threads());

  const auto start = std::chrono::steady_clock::now();
  double test_accuracy = 0, test_loss = 0;
  for (int64_t epoch = 0; epoch < config.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    tt::train::ProgressBar bar(train_loader.size(), fmt::format("epoch {}/{}", epoch + 1, config.epochs));
    model.module->train();
    double loss_sum = 0, running = 0;
    int64_t correct = 0, samples = 0, step = 0;
    for (tt::data::Batch& batch : train_loader) {
      const at::Tensor x = to_torch(batch.data), y = to_torch(batch.target);
      apply_schedule(*shadow, *optimizer);
      const double lr = shadow->param_groups()[0].get("lr");
      optimizer->zero_grad();
      const at::Tensor logits = model.forward(x);
      const at::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
      loss.backward();
      optimizer->step();
      if (scheduler) scheduler->step();
      const double value = loss.item<double>();
      const int64_t batch_correct = logits.argmax(1).eq(y).sum().item<int64_t>();
      loss_sum += value * static_cast<double>(y.size(0));
      correct += batch_correct;
      samples += y.size(0);
      running += (value - running) / static_cast<double>(step + 1);  // mean so far
      bar.update(step + 1, running);
      metrics.write({{"type", "step"},
                     {"epoch", epoch},
                     {"step", step},
                     {"global_step", epoch * train_loader.size() + step},
                     {"loss", value},
                     {"accuracy", static_cast<double>(batch_correct) / static_cast<double>(y.size(0))},
                     {"lr", lr}});
      ++step;
    }
    bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();

    model.module->eval();
    torch::NoGradGuard no_grad;
    double eval_loss = 0;
    int64_t eval_correct = 0, eval_samples = 0;
    for (tt::data::Batch& batch : test_loader) {
      const at::Tensor x = to_torch(batch.data), y = to_torch(batch.target);
      const at::Tensor logits = model.forward(x);
      eval_loss += torch::nn::functional::cross_entropy(
                       logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
      eval_correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      eval_samples += y.size(0);
    }
    test_loss = eval_loss / static_cast<double>(eval_samples);
    test_accuracy = static_cast<double>(eval_correct) / static_cast<double>(eval_samples);
    const double train_loss = loss_sum / static_cast<double>(samples);
    const double train_accuracy = static_cast<double>(correct) / static_cast<double>(samples);
    metrics.write(
        {{"type", "epoch"},
         {"epoch", epoch},
         {"train_loss", train_loss},
         {"train_accuracy", train_accuracy},
         {"test_loss", test_loss},
         {"test_accuracy", test_accuracy},
         {"epoch_seconds", seconds},
         {"samples_per_second", static_cast<double>(samples) / seconds},
         {"elapsed_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}});
    metrics.flush();
    std::fprintf(stderr, "epoch %ld: train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.1f s\n",
                 static_cast<long>(epoch + 1), train_loss, train_accuracy, test_loss, test_accuracy, seconds);
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  tt::app::report_final(metrics, test_accuracy, test_loss, config.epochs, total);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  tt::app::TrainConfig config;
  if (auto code = tt::app::parse_command_line(argc, argv, "Train a model on Fashion-MNIST with LibTorch", config))
    return *code;
  try {
    return run(config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tinytorch-train-libtorch: %s\n", e.what());
    return 1;
  }
}
