// tinytorch-train: trains the MLP, CNN or small ResNet on Fashion-MNIST with TinyTorch, showing a
// progress bar on stderr, writing per-step and per-epoch metrics as JSON lines, and printing the
// final test accuracy. Example:
//   tinytorch-train --model cnn --optimizer adam --schedule onecycle --epochs 10 --metrics cnn.jsonl
#include <chrono>
#include <cstdio>

#include "tinytorch/backend.h"
#include "tinytorch/models/models.h"
#include "tinytorch/threading.h"
#include "tinytorch/train/loop.h"
#include "tinytorch/train/progress_bar.h"
#include "train_setup.h"

namespace tt = tinytorch;

namespace {
int run(const tt::app::TrainConfig& config) {
  if (!config.backend.empty()) tt::set_backend(config.backend);
  if (config.threads > 0) tt::set_num_threads(static_cast<int>(config.threads));
  tt::manual_seed(config.seed);

  const tt::app::FashionData data = tt::app::load_fashion_mnist(config);
  tt::app::FashionLoaders loaders(config, data);
  tt::data::DataLoader& train_loader = loaders.train;
  tt::data::DataLoader& test_loader = loaders.test;

  auto model = tt::models::make(config.model);
  auto optimizer = tt::app::make_optimizer(config, model->parameters());
  auto scheduler = tt::app::make_scheduler(config, *optimizer, train_loader.size());

  tt::app::MetricsFile metrics(config.metrics);
  nlohmann::json header = config.to_json();
  header["type"] = "config";
  header["framework"] = "tinytorch";
  header["backend"] = tt::backend_name();
  header["threads"] = tt::get_num_threads();
  header["train_examples"] = data.train->size();
  metrics.write(header);
  std::fprintf(stderr, "tinytorch-train: %s, %s lr %g, schedule %s, batch %ld, %ld epochs, backend %s, %d threads\n",
               config.model.c_str(), config.optimizer.c_str(), config.lr, config.schedule.c_str(),
               static_cast<long>(config.batch_size), static_cast<long>(config.epochs), tt::backend_name().c_str(),
               tt::get_num_threads());

  const auto start = std::chrono::steady_clock::now();
  tt::train::EpochResult test;
  for (int64_t epoch = 0; epoch < config.epochs; ++epoch) {
    tt::train::ProgressBar bar(train_loader.size(), fmt::format("epoch {}/{}", epoch + 1, config.epochs));
    double running = 0;
    const tt::train::EpochResult train = tt::train::train_epoch(
        *model, train_loader, *optimizer, scheduler.get(), epoch, [&](const tt::train::StepInfo& s) {
          running += (s.loss - running) / static_cast<double>(s.step + 1);  // mean so far
          bar.update(s.step + 1, running);
          metrics.write({{"type", "step"},
                         {"epoch", s.epoch},
                         {"step", s.step},
                         {"global_step", s.epoch * s.steps_in_epoch + s.step},
                         {"loss", s.loss},
                         {"accuracy", s.accuracy},
                         {"lr", s.lr}});
        });
    bar.finish();
    test = tt::train::evaluate(*model, test_loader);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.write({{"type", "epoch"},
                   {"epoch", epoch},
                   {"train_loss", train.loss},
                   {"train_accuracy", train.accuracy},
                   {"test_loss", test.loss},
                   {"test_accuracy", test.accuracy},
                   {"epoch_seconds", train.seconds},
                   {"eval_seconds", test.seconds},
                   {"samples_per_second", static_cast<double>(train.samples) / train.seconds},
                   {"elapsed_seconds", elapsed}});
    metrics.flush();
    std::fprintf(stderr, "epoch %ld: train loss %.4f acc %.4f | test loss %.4f acc %.4f | %.1f s\n",
                 static_cast<long>(epoch + 1), train.loss, train.accuracy, test.loss, test.accuracy, train.seconds);
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  tt::app::report_final(metrics, test.accuracy, test.loss, config.epochs, total);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  tt::app::TrainConfig config;
  if (auto code = tt::app::parse_command_line(argc, argv, "Train a model on Fashion-MNIST with TinyTorch", config))
    return *code;
  try {
    return run(config);
  } catch (const tt::Error& e) {
    std::fprintf(stderr, "tinytorch-train: %s\n", e.what());
    return 1;
  }
}
