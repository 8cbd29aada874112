// Command line, data, optimizer/schedule construction and metrics output for the training programs.
#include "train_setup.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "tinytorch/models/models.h"

namespace tinytorch::app {
namespace {
// The first `count` examples of a dataset.
class Prefix : public data::Dataset {
 public:
  Prefix(std::shared_ptr<data::Dataset> base, int64_t count) : base_(std::move(base)), count_(count) {}
  int64_t size() const override { return count_; }
  data::Example get(int64_t index) const override { return base_->get(index); }
  void set_epoch(int64_t epoch) override { base_->set_epoch(epoch); }

 private:
  std::shared_ptr<data::Dataset> base_;
  int64_t count_;
};
}  // namespace

nlohmann::json TrainConfig::to_json() const {
  return {{"model", model},
          {"optimizer", optimizer},
          {"lr", lr},
          {"momentum", momentum},
          {"weight_decay", weight_decay},
          {"schedule", schedule},
          {"batch_size", batch_size},
          {"epochs", epochs},
          {"seed", seed},
          {"threads", threads},
          {"backend", backend},
          {"workers", workers},
          {"augment", augment},
          {"limit", limit},
          {"data_dir", data_dir}};
}

std::optional<int> parse_command_line(int argc, char** argv, const std::string& description, TrainConfig& config) {
  CLI::App app(description);
  app.add_option("--model", config.model, "Model to train")
      ->check(CLI::IsMember(models::names()))
      ->capture_default_str();
  app.add_option("--optimizer", config.optimizer, "Optimizer")
      ->check(CLI::IsMember({"sgd", "adam", "adamw", "rmsprop"}))
      ->capture_default_str();
  app.add_option("--lr", config.lr, "Learning rate (default: 0.05 for sgd, 1e-3 otherwise)")
      ->check(CLI::PositiveNumber);
  app.add_option("--momentum", config.momentum, "Momentum of sgd and rmsprop")->capture_default_str();
  app.add_option("--weight-decay", config.weight_decay, "Weight decay")->capture_default_str();
  app.add_option("--schedule", config.schedule, "Learning-rate schedule, stepped every iteration")
      ->check(CLI::IsMember({"none", "step", "cosine", "onecycle", "warmup"}))
      ->capture_default_str();
  app.add_option("--batch-size", config.batch_size, "Training batch size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--epochs", config.epochs, "Epochs")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--seed", config.seed, "Seed of the weights, shuffling and augmentation")->capture_default_str();
  app.add_option("--threads", config.threads, "Compute threads (0: the framework's default)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--backend", config.backend, "TinyTorch kernel backend (reference, optimized)");
  app.add_option("--workers", config.workers, "DataLoader worker threads")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--augment", config.augment, "Random crop (padding 2) and horizontal flip of training images");
  app.add_option("--limit", config.limit, "Train on the first N examples only (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--data-dir", config.data_dir, "Directory holding the Fashion-MNIST IDX files")->capture_default_str();
  app.add_option("--metrics", config.metrics, "Write per-step and per-epoch metrics here as JSON lines");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (config.lr == 0) config.lr = default_lr(config.optimizer);
  return std::nullopt;
}

double default_lr(const std::string& optimizer) { return optimizer == "sgd" ? 0.05 : 1e-3; }

std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& c, const TensorList& params) {
  if (c.optimizer == "sgd")
    return std::make_unique<optim::SGD>(
        params, optim::SGDOptions(c.lr).momentum(c.momentum).nesterov(c.momentum > 0).weight_decay(c.weight_decay));
  if (c.optimizer == "adam")
    return std::make_unique<optim::Adam>(params, optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
  if (c.optimizer == "adamw")
    return std::make_unique<optim::AdamW>(params, optim::AdamWOptions(c.lr).weight_decay(c.weight_decay));
  TT_CHECK(c.optimizer == "rmsprop", "make_optimizer: unknown optimizer \"{}\"; use sgd, adam, adamw or rmsprop",
           c.optimizer);
  return std::make_unique<optim::RMSprop>(
      params, optim::RMSpropOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
}

std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& c, optim::Optimizer& optimizer,
                                                   int64_t steps_per_epoch) {
  const int64_t total = steps_per_epoch * c.epochs;
  if (c.schedule == "step") return std::make_unique<optim::StepLR>(optimizer, std::max<int64_t>(1, total / 3), 0.1);
  if (c.schedule == "cosine") return std::make_unique<optim::CosineAnnealingLR>(optimizer, total);
  if (c.schedule == "onecycle") return std::make_unique<optim::OneCycleLR>(optimizer, c.lr, total);
  if (c.schedule == "warmup") return std::make_unique<optim::LinearLR>(optimizer, 0.1, 1.0, steps_per_epoch);
  TT_CHECK(c.schedule == "none", "make_scheduler: unknown schedule \"{}\"", c.schedule);
  return nullptr;
}

FashionData load_fashion_mnist(const TrainConfig& c) {
  auto normalize = std::make_shared<data::Normalize>(std::vector<double>{0.2860}, std::vector<double>{0.3530});
  std::shared_ptr<data::Dataset> train = std::make_shared<data::FashionMNIST>(c.data_dir, true);
  if (c.limit > 0 && c.limit < train->size()) train = std::make_shared<Prefix>(train, c.limit);
  std::shared_ptr<data::Transform> train_transform = normalize;
  if (c.augment) {
    train_transform = std::make_shared<data::Compose>(std::vector<std::shared_ptr<data::Transform>>{
        std::make_shared<data::RandomCrop>(28, 2), std::make_shared<data::RandomHorizontalFlip>(), normalize});
  }
  FashionData out;
  out.train = std::make_shared<data::TransformDataset>(train, train_transform, c.seed);
  out.test =
      std::make_shared<data::TransformDataset>(std::make_shared<data::FashionMNIST>(c.data_dir, false), normalize);
  return out;
}

MetricsFile::MetricsFile(const std::string& path) {
  if (path.empty()) return;
  out_.open(path, std::ios::trunc);
  TT_CHECK(out_.is_open(), "--metrics: cannot open '{}' for writing; check the directory exists", path);
}

void MetricsFile::write(const nlohmann::json& record) {
  if (out_.is_open()) out_ << record.dump() << '\n';
}

namespace {
// Only the training loader shuffles (with the run's seed); the test order is fixed.
data::DataLoaderOptions loader_options(const TrainConfig& config, int64_t batch_size, bool shuffle) {
  data::DataLoaderOptions options;
  options.batch_size = batch_size;
  options.shuffle = shuffle;
  if (shuffle) options.seed = config.seed;
  options.num_workers = config.workers;
  return options;
}
}  // namespace

FashionLoaders::FashionLoaders(const TrainConfig& config, const FashionData& data)
    : train(data.train, loader_options(config, config.batch_size, true)),
      test(data.test, loader_options(config, 1000, false)) {}

void report_final(MetricsFile& metrics, double test_accuracy, double test_loss, int64_t epochs, double seconds) {
  metrics.write({{"type", "final"},
                 {"test_accuracy", test_accuracy},
                 {"test_loss", test_loss},
                 {"epochs", epochs},
                 {"total_seconds", seconds}});
  std::printf("final test accuracy %.4f (test loss %.4f) after %ld epochs in %.1f s\n", test_accuracy, test_loss,
              static_cast<long>(epochs), seconds);
}

}  // namespace tinytorch::app
