// Training benchmarks: the project's models (tinytorch/models/models.h and their LibTorch twins in
// interop/torch_models.h) trained identically in TinyTorch and LibTorch. The LibTorch model is built
// from a fixed torch::manual_seed and its state_dict copied into the TinyTorch model, so both start
// from the same weights; both see the same batches (Fashion-MNIST images when the dataset is
// installed, else seeded synthetic images; the context says which).
//
//   <model>/step    one optimizer step on a fixed batch: zero_grad (set to none), forward,
//                   cross-entropy, backward, optimizer step
//   <model>/epoch   one pass of the framework's own DataLoader (in order, batches built on the
//                   calling thread) over the first `samples` training images, a step per batch
//   <opt>/optim     the optimizer's step() alone, over parameters shaped as the MLP's with fixed
//                   gradients
// The correctness check runs a few steps (or one epoch) per implementation and compares every
// loss with LibTorch's; the optimizer cases compare the parameters after three updates. The epoch
// cases' losses also go into the run context as loss curves (ttbench report plots them).
// FLOPs: conv and linear layers, counted by forward hooks on a one-sample pass; a step is taken as
// 3x the forward (the backward needs two products per forward product).
//
//   bench_train [--profile=quick|full] [--case=<model or optimizer>[,...]] [--threads=1,2] [--list]
#include <functional>
#include <map>

#include "common/suite.h"
#include "interop/torch_interop.h"
#include "interop/torch_models.h"
#include "tinytorch/data/dataloader.h"
#include "tinytorch/data/fashion_mnist.h"
#include "tinytorch/models/models.h"
#include "tinytorch/optim/optim.h"
#include "tinytorch/tinytorch.h"

namespace {
namespace interop = tinytorch::interop;
namespace optim = tinytorch::optim;
using tt_bench::BenchCase;
using tt_bench::NamedTensor;

constexpr uint64_t kSeed = 7;
constexpr int64_t kSamples = 4096;  // images loaded for the step and epoch cases
constexpr int kCheckSteps = 3;

struct Data {
  tt::Tensor images;  // [kSamples, 1, 28, 28] float32 in [0, 1]
  tt::Tensor labels;  // [kSamples] int64
  std::string source;
};

const Data& data() {
  static const Data loaded = [] {
    try {
      tt::data::FashionMNIST dataset(tt::data::FashionMNIST::kDefaultRoot, true);
      tt::TensorList images, labels;
      for (int64_t i = 0; i < kSamples; ++i) {
        tt::data::Example example = dataset.get(i);
        images.push_back(example.data);
        labels.push_back(example.target);
      }
      return Data{
          tt::stack(images), tt::stack(labels),
          fmt::format("fashion-mnist: first {} training images of {}", kSamples, tt::data::FashionMNIST::kDefaultRoot)};
    } catch (const tt::Error& e) {
      tt::Generator gen(kSeed);
      return Data{tt::rand({kSamples, 1, 28, 28}, tt::kFloat32, &gen), tt::randint(0, 10, {kSamples}, tt::kInt64, &gen),
                  fmt::format("synthetic: seeded uniform images and labels (Fashion-MNIST unavailable: {})", e.what())};
    }
  }();
  return loaded;
}

// ---- models and optimizers, built alike in both frameworks ----

// A LibTorch model and its forward (torch::nn::AnyModule cannot hold a Sequential).
struct TorchModel {
  std::shared_ptr<torch::nn::Module> module;
  std::function<at::Tensor(const at::Tensor&)> forward;
};

TorchModel torch_model(const std::string& name) {
  torch::manual_seed(kSeed);
  if (name == "mlp" || name == "cnn") {
    torch::nn::Sequential seq = name == "mlp" ? interop::torch_mlp() : interop::torch_cnn();
    return {seq.ptr(), [seq](const at::Tensor& x) mutable { return seq->forward(x); }};
  }
  interop::TorchSmallResNet resnet;
  return {resnet.ptr(), [resnet](const at::Tensor& x) mutable { return resnet->forward(x); }};
}

std::shared_ptr<tt::nn::Module> tinytorch_model(const std::string& name) {
  auto model = tinytorch::models::make(name);
  interop::copy_weights(*torch_model(name).module, *model);
  return model;
}

// Hyper-parameters shared by both frameworks.
std::unique_ptr<optim::Optimizer> tinytorch_optimizer(const std::string& name, const tt::TensorList& params) {
  if (name == "sgd") return std::make_unique<optim::SGD>(params, optim::SGDOptions(0.01).momentum(0.9));
  if (name == "adam") return std::make_unique<optim::Adam>(params, optim::AdamOptions(1e-3));
  if (name == "adamw") return std::make_unique<optim::AdamW>(params, optim::AdamWOptions(1e-3).weight_decay(1e-2));
  if (name == "rmsprop") return std::make_unique<optim::RMSprop>(params, optim::RMSpropOptions(1e-3));
  return std::make_unique<optim::Adagrad>(params, optim::AdagradOptions(1e-2));
}

std::unique_ptr<torch::optim::Optimizer> torch_optimizer(const std::string& name,
                                                         const std::vector<at::Tensor>& params) {
  namespace topt = torch::optim;
  if (name == "sgd") return std::make_unique<topt::SGD>(params, topt::SGDOptions(0.01).momentum(0.9));
  if (name == "adam") return std::make_unique<topt::Adam>(params, topt::AdamOptions(1e-3));
  if (name == "adamw") return std::make_unique<topt::AdamW>(params, topt::AdamWOptions(1e-3).weight_decay(1e-2));
  if (name == "rmsprop") return std::make_unique<topt::RMSprop>(params, topt::RMSpropOptions(1e-3));
  return std::make_unique<topt::Adagrad>(params, topt::AdagradOptions(1e-2));
}

// Forward FLOPs of one sample through the conv and linear layers.
double forward_flops_per_sample(const std::string& name) {
  auto model = tinytorch::models::make(name);
  double flops = 0;
  std::vector<tt::nn::HookHandle> hooks;
  for (const auto& [path, module] : model->named_modules()) {
    const bool conv = dynamic_cast<tt::nn::Conv2d*>(module) != nullptr;
    if (!conv && dynamic_cast<tt::nn::Linear*>(module) == nullptr) continue;
    hooks.push_back(
        module->register_forward_hook([&flops](tt::nn::Module& m, const tt::Tensor&, const tt::Tensor& out) {
          const tt::Tensor weight = m.named_parameters(false).at("weight");
          flops += 2.0 * static_cast<double>(out.numel()) * static_cast<double>(weight.numel() / weight.size(0));
          return tt::Tensor();
        }));
  }
  tt::NoGradGuard no_grad;
  (*model)(tt::zeros({1, 1, 28, 28}));
  for (auto& hook : hooks) hook.remove();
  return flops;
}

at::Tensor as_tensor(const std::vector<double>& values) { return torch::tensor(values, torch::kDouble); }

// ---- model step and epoch ----

struct TrainSpec {
  std::string model, optimizer;
  int64_t batch = 0;
  int64_t samples = 0;  // epoch cases: images per epoch; 0 for step cases
};

class TinyTorchTrainRunner final : public tt_bench::Runner {
 public:
  explicit TinyTorchTrainRunner(const TrainSpec& spec)
      : model_(tinytorch_model(spec.model)), optimizer_(tinytorch_optimizer(spec.optimizer, model_->parameters())) {
    model_->train();
    if (spec.samples == 0) {
      x_ = data().images.narrow(0, 0, spec.batch).contiguous();
      y_ = data().labels.narrow(0, 0, spec.batch).contiguous();
      return;
    }
    auto dataset = std::make_shared<tt::data::TensorDataset>(data().images.narrow(0, 0, spec.samples),
                                                             data().labels.narrow(0, 0, spec.samples));
    tt::data::DataLoaderOptions options;
    options.batch_size = spec.batch;
    loader_ = std::make_unique<tt::data::DataLoader>(dataset, options);
  }

  void step() override { run(nullptr); }

  std::vector<NamedTensor> check_results() override {
    std::vector<double> losses;
    for (int i = 0; i < (loader_ ? 1 : kCheckSteps); ++i) run(&losses);
    return {{"losses", as_tensor(losses)}};
  }

 private:
  void run(std::vector<double>* losses) {
    if (!loader_) return train_batch(x_, y_, losses);
    for (tt::data::Batch& batch : *loader_) train_batch(batch.data, batch.target, losses);
  }
  void train_batch(const tt::Tensor& x, const tt::Tensor& y, std::vector<double>* losses) {
    optimizer_->zero_grad(true);
    const tt::Tensor loss = tt::cross_entropy((*model_)(x), y);
    loss.backward();
    optimizer_->step();
    if (losses) losses->push_back(loss.item());
  }

  std::shared_ptr<tt::nn::Module> model_;
  std::unique_ptr<optim::Optimizer> optimizer_;
  tt::Tensor x_, y_;
  std::unique_ptr<tt::data::DataLoader> loader_;
};

// Example i is (data[i], target[i]), as TinyTorch's TensorDataset.
class TorchPairDataset : public torch::data::datasets::Dataset<TorchPairDataset> {
 public:
  TorchPairDataset(at::Tensor data, at::Tensor target) : data_(std::move(data)), target_(std::move(target)) {}
  torch::data::Example<> get(size_t index) override {
    const auto i = static_cast<int64_t>(index);
    return {data_[i], target_[i]};
  }
  torch::optional<size_t> size() const override { return static_cast<size_t>(data_.size(0)); }

 private:
  at::Tensor data_, target_;
};

auto make_torch_loader(const TrainSpec& spec) {
  auto dataset = TorchPairDataset(interop::to_torch(data().images.narrow(0, 0, spec.samples)),
                                  interop::to_torch(data().labels.narrow(0, 0, spec.samples)))
                     .map(torch::data::transforms::Stack<>());
  return torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(dataset), torch::data::DataLoaderOptions(spec.batch).workers(0));
}
using TorchLoader = decltype(make_torch_loader(TrainSpec{}));

class LibTorchTrainRunner final : public tt_bench::Runner {
 public:
  explicit LibTorchTrainRunner(const TrainSpec& spec) : model_(torch_model(spec.model)) {
    model_.module->train();
    optimizer_ = torch_optimizer(spec.optimizer, model_.module->parameters());
    if (spec.samples == 0) {
      x_ = interop::to_torch(data().images.narrow(0, 0, spec.batch));
      y_ = interop::to_torch(data().labels.narrow(0, 0, spec.batch));
      return;
    }
    loader_ = make_torch_loader(spec);
  }

  void step() override { run(nullptr); }

  std::vector<NamedTensor> check_results() override {
    std::vector<double> losses;
    for (int i = 0; i < (loader_ ? 1 : kCheckSteps); ++i) run(&losses);
    return {{"losses", as_tensor(losses)}};
  }

 private:
  void run(std::vector<double>* losses) {
    if (!loader_) return train_batch(x_, y_, losses);
    for (auto& batch : *loader_) train_batch(batch.data, batch.target, losses);
  }
  void train_batch(const at::Tensor& x, const at::Tensor& y, std::vector<double>* losses) {
    for (at::Tensor& p : model_.module->parameters()) p.mutable_grad().reset();  // zero_grad(set_to_none)
    const at::Tensor loss = torch::nn::functional::cross_entropy(model_.forward(x), y);
    loss.backward();
    optimizer_->step();
    if (losses) losses->push_back(loss.item<double>());
  }

  TorchModel model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  at::Tensor x_, y_;
  TorchLoader loader_;
};

// ---- optimizer step alone ----

// Parameters shaped as the MLP's, with seeded values and fixed gradients.
std::pair<tt::TensorList, tt::TensorList> optimizer_inputs() {
  tt::Generator gen(kSeed);
  tt::TensorList params, grads;
  for (const tt::Tensor& p : tinytorch::models::mlp()->parameters()) {
    params.push_back(tt::randn(p.sizes(), tt::kFloat32, &gen));
    grads.push_back(tt::randn(p.sizes(), tt::kFloat32, &gen));
  }
  return {params, grads};
}

class TinyTorchOptimizerRunner final : public tt_bench::Runner {
 public:
  explicit TinyTorchOptimizerRunner(const std::string& name) {
    auto [params, grads] = optimizer_inputs();
    for (size_t i = 0; i < params.size(); ++i) {
      params[i].requires_grad_(true);
      params[i].set_grad(grads[i]);
    }
    params_ = params;
    optimizer_ = tinytorch_optimizer(name, params_);
  }
  void step() override { optimizer_->step(); }
  std::vector<NamedTensor> check_results() override {
    for (int i = 0; i < kCheckSteps; ++i) optimizer_->step();
    std::vector<NamedTensor> results;
    for (size_t i = 0; i < params_.size(); ++i)
      results.emplace_back("parameter " + std::to_string(i), interop::to_torch(params_[i]));
    return results;
  }

 private:
  tt::TensorList params_;
  std::unique_ptr<optim::Optimizer> optimizer_;
};

class LibTorchOptimizerRunner final : public tt_bench::Runner {
 public:
  explicit LibTorchOptimizerRunner(const std::string& name) {
    auto [params, grads] = optimizer_inputs();
    for (size_t i = 0; i < params.size(); ++i) {
      params_.push_back(interop::to_torch(params[i]).requires_grad_(true));
      params_.back().mutable_grad() = interop::to_torch(grads[i]);
    }
    optimizer_ = torch_optimizer(name, params_);
  }
  void step() override { optimizer_->step(); }
  std::vector<NamedTensor> check_results() override {
    for (int i = 0; i < kCheckSteps; ++i) optimizer_->step();
    std::vector<NamedTensor> results;
    for (size_t i = 0; i < params_.size(); ++i)
      results.emplace_back("parameter " + std::to_string(i), params_[i].detach().clone());
    return results;
  }

 private:
  std::vector<at::Tensor> params_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

// ---- cases ----

BenchCase train_case(const TrainSpec& spec, bool quick) {
  const double step_flops = 3 * forward_flops_per_sample(spec.model) * spec.batch;
  double param_bytes = 0;
  for (const tt::Tensor& p : tinytorch::models::make(spec.model)->parameters()) param_bytes += 4.0 * p.numel();
  const int64_t steps = spec.samples == 0 ? 1 : spec.samples / spec.batch + (spec.samples % spec.batch != 0);
  BenchCase c;
  c.suite = "train";
  c.op = spec.model;
  c.mode = spec.samples == 0 ? "step" : "epoch";
  c.params = (spec.samples == 0 ? "" : "samples=" + std::to_string(spec.samples) + ",") +
             "batch=" + std::to_string(spec.batch) + ",optimizer=" + spec.optimizer;
  c.flops = step_flops * static_cast<double>(steps);
  // Per step: weights read, gradients written and read, weights updated, plus the input batch.
  c.bytes = static_cast<double>(steps) * (4 * param_bytes + 4.0 * spec.batch * 28 * 28);
  c.items = spec.samples == 0 ? spec.batch : spec.samples;
  c.quick = quick;
  c.rtol = 1e-4;
  c.atol = 1e-5;
  c.make = [spec](const std::string& impl) -> std::unique_ptr<tt_bench::Runner> {
    if (impl == "libtorch") return std::make_unique<LibTorchTrainRunner>(spec);
    return std::make_unique<TinyTorchTrainRunner>(spec);
  };
  return c;
}

BenchCase optimizer_case(const std::string& name, bool quick) {
  // FLOPs and fp32 tensors read or written per parameter element by each update rule.
  const std::map<std::string, std::pair<double, double>> cost = {
      {"sgd", {4, 5}}, {"adam", {14, 7}}, {"adamw", {16, 7}}, {"rmsprop", {8, 5}}, {"adagrad", {6, 5}}};
  double numel = 0;
  for (const tt::Tensor& p : tinytorch::models::mlp()->parameters()) numel += static_cast<double>(p.numel());
  BenchCase c;
  c.suite = "train";
  c.op = name;
  c.mode = "optim";
  c.params = "params=mlp,numel=" + std::to_string(static_cast<int64_t>(numel));
  c.flops = cost.at(name).first * numel;
  c.bytes = cost.at(name).second * 4 * numel;
  c.items = numel;
  c.quick = quick;
  c.rtol = 1e-5;
  c.atol = 1e-6;
  c.make = [name](const std::string& impl) -> std::unique_ptr<tt_bench::Runner> {
    if (impl == "libtorch") return std::make_unique<LibTorchOptimizerRunner>(name);
    return std::make_unique<TinyTorchOptimizerRunner>(name);
  };
  return c;
}

std::vector<BenchCase> cases() {
  return {
      train_case({"mlp", "sgd", 64}, true),
      train_case({"mlp", "sgd", 128}, false),
      train_case({"cnn", "adam", 32}, true),
      train_case({"cnn", "adam", 64}, false),
      train_case({"resnet", "sgd", 32}, false),
      train_case({"mlp", "sgd", 128, kSamples}, true),
      train_case({"cnn", "adam", 32, 1024}, true),
      optimizer_case("sgd", true),
      optimizer_case("adam", true),
      optimizer_case("adamw", false),
      optimizer_case("rmsprop", false),
      optimizer_case("adagrad", false),
  };
}
}  // namespace

int main(int argc, char** argv) {
  return tt_bench::run_suite("train", cases(), argc, argv, {{"dataset_source", data().source}});
}
