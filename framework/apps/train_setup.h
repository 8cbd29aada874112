// Shared by tinytorch-train and its LibTorch twin: the command line, the data, the optimizer and
// schedule built from it, and the JSON-lines metrics file. The twin drives LibTorch's optimizer
// with the rates this schedule computes, so both programs run the same recipe.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tinytorch/data/data.h"
#include "tinytorch/optim/optim.h"

namespace tinytorch::app {

struct TrainConfig {
  std::string model = "mlp";
  std::string optimizer = "adam";
  double lr = 0;  // 0: the optimizer's usual rate (default_lr)
  double momentum = 0.9;
  double weight_decay = 0;
  std::string schedule = "none";
  int64_t batch_size = 64;
  int64_t epochs = 10;
  uint64_t seed = 0;
  int64_t threads = 0;  // 0: the framework's default
  std::string backend;  // empty: TinyTorch's default (TINYTORCH_BACKEND or the fastest)
  int64_t workers = 2;
  bool augment = false;
  int64_t limit = 0;  // use only the first `limit` training examples (0: all)
  std::string data_dir = data::FashionMNIST::kDefaultRoot;
  std::string metrics;  // JSON-lines output path (empty: none)

  nlohmann::json to_json() const;
};

// Parses the command line into `config`. Returns an exit code when the program should stop now
// (--help, a bad option), otherwise nullopt.
std::optional<int> parse_command_line(int argc, char** argv, const std::string& description, TrainConfig& config);

double default_lr(const std::string& optimizer);
std::unique_ptr<optim::Optimizer> make_optimizer(const TrainConfig& config, const TensorList& params);
// The schedule runs per iteration: step decays 10x every third of the run, cosine anneals over all
// steps, onecycle peaks at lr, warmup rises linearly from lr/10 over the first epoch. nullptr: none.
std::unique_ptr<optim::LRScheduler> make_scheduler(const TrainConfig& config, optim::Optimizer& optimizer,
                                                   int64_t steps_per_epoch);

struct FashionData {
  std::shared_ptr<data::Dataset> train, test;
};
// Normalised Fashion-MNIST (mean 0.2860, std 0.3530); with augment the training images also get a
// random 28x28 crop of the 2-pixel padded image and a horizontal flip.
FashionData load_fashion_mnist(const TrainConfig& config);

// The training loader (shuffled with the run's seed) and the test loader (batches of 1000), both
// with config.workers threads.
struct FashionLoaders {
  FashionLoaders(const TrainConfig& config, const FashionData& data);
  data::DataLoader train, test;
};

// Appends one JSON object per line; does nothing when constructed with an empty path.
class MetricsFile {
 public:
  explicit MetricsFile(const std::string& path);
  void write(const nlohmann::json& record);
  void flush() {
    if (out_.is_open()) out_.flush();
  }

 private:
  std::ofstream out_;
};

// Writes the "final" metrics record and prints the final test accuracy.
void report_final(MetricsFile& metrics, double test_accuracy, double test_loss, int64_t epochs, double seconds);

}  // namespace tinytorch::app
