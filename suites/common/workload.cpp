// Runners of op workloads in TinyTorch and LibTorch (see workload.h).
#include "common/workload.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <optional>

#include "interop/torch_interop.h"

namespace tt_bench {
namespace {
using tinytorch::interop::to_torch;

bool is_float(InputKind kind) { return kind == InputKind::Float || kind == InputKind::Positive; }

// The output shape, found once per workload on throwaway inputs (so no runner's state, such as
// batch_norm's running statistics, is touched).
using ShapeCache = std::shared_ptr<std::optional<tt::Shape>>;
const tt::Shape& output_shape(const Workload& w, const ShapeCache& cache) {
  if (!cache->has_value()) {
    std::vector<at::Tensor> inputs;
    for (const tt::Tensor& t : make_inputs(w)) inputs.push_back(to_torch(t));
    torch::NoGradGuard no_grad;
    const at::Tensor out = w.libtorch(inputs);
    *cache = tt::Shape(out.sizes().begin(), out.sizes().end());
  }
  return **cache;
}

// The fixed upstream gradient of fwdbwd cases.
tt::Tensor make_upstream(const Workload& w, const ShapeCache& cache) {
  tt::Generator gen(w.seed + 1);
  return tt::randn(output_shape(w, cache), tt::kFloat32, &gen);
}

class TinyTorchOpRunner final : public Runner {
 public:
  TinyTorchOpRunner(const Workload& w, bool backward, const ShapeCache& shape)
      : w_(w), backward_(backward), inputs_(make_inputs(w)) {
    if (!backward_) return;
    for (size_t i = 0; i < inputs_.size(); ++i)
      if (w_.inputs[i].requires_grad) inputs_[i].requires_grad_(true);
    upstream_ = make_upstream(w, shape);
  }

  void step() override {
    if (!backward_) {
      tt::NoGradGuard no_grad;
      benchmark::DoNotOptimize(w_.tinytorch(inputs_));
      return;
    }
    tt::EnableGradGuard grad;
    for (tt::Tensor& input : inputs_)
      if (input.requires_grad()) input.set_grad(tt::Tensor());
    w_.tinytorch(inputs_).backward(upstream_);
  }

  std::vector<NamedTensor> check_results() override {
    std::vector<NamedTensor> results;
    if (backward_) {
      tt::EnableGradGuard grad;
      const tt::Tensor out = w_.tinytorch(inputs_);
      out.backward(upstream_);
      results.emplace_back("output", to_torch(out));
    } else {
      tt::NoGradGuard no_grad;
      results.emplace_back("output", to_torch(w_.tinytorch(inputs_)));
    }
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (backward_ && w_.inputs[i].requires_grad) {
        const tt::Tensor grad = inputs_[i].grad();
        results.emplace_back("grad of input " + std::to_string(i), grad.defined() ? to_torch(grad) : at::Tensor());
      } else if (is_float(w_.inputs[i].kind)) {
        results.emplace_back("input " + std::to_string(i) + " after the call", to_torch(inputs_[i]));
      }
    }
    return results;
  }

 private:
  const Workload& w_;
  bool backward_;
  tt::TensorList inputs_;
  tt::Tensor upstream_;
};

class LibTorchOpRunner final : public Runner {
 public:
  LibTorchOpRunner(const Workload& w, bool backward, const ShapeCache& shape) : w_(w), backward_(backward) {
    for (const tt::Tensor& t : make_inputs(w)) inputs_.push_back(to_torch(t));
    if (!backward_) return;
    for (size_t i = 0; i < inputs_.size(); ++i)
      if (w_.inputs[i].requires_grad) inputs_[i].requires_grad_(true);
    upstream_ = to_torch(make_upstream(w, shape));
  }

  void step() override {
    if (!backward_) {
      torch::NoGradGuard no_grad;
      benchmark::DoNotOptimize(w_.libtorch(inputs_));
      return;
    }
    torch::AutoGradMode grad(true);
    for (at::Tensor& input : inputs_)
      if (input.requires_grad()) input.mutable_grad().reset();
    w_.libtorch(inputs_).backward(upstream_);
  }

  std::vector<NamedTensor> check_results() override {
    std::vector<NamedTensor> results;
    if (backward_) {
      torch::AutoGradMode grad(true);
      const at::Tensor out = w_.libtorch(inputs_);
      out.backward(upstream_);
      results.emplace_back("output", out.detach());
    } else {
      torch::NoGradGuard no_grad;
      results.emplace_back("output", w_.libtorch(inputs_));
    }
    for (size_t i = 0; i < inputs_.size(); ++i) {
      if (backward_ && w_.inputs[i].requires_grad)
        results.emplace_back("grad of input " + std::to_string(i), inputs_[i].grad());
      else if (is_float(w_.inputs[i].kind))
        results.emplace_back("input " + std::to_string(i) + " after the call", inputs_[i].detach().clone());
    }
    return results;
  }

 private:
  const Workload& w_;
  bool backward_;
  std::vector<at::Tensor> inputs_;
  at::Tensor upstream_;
};
}  // namespace

tt::TensorList make_inputs(const Workload& w) {
  tt::Generator gen(w.seed);
  tt::TensorList inputs;
  for (const InputSpec& spec : w.inputs) {
    switch (spec.kind) {
      case InputKind::Float: inputs.push_back(tt::randn(spec.shape, tt::kFloat32, &gen)); break;
      case InputKind::Positive: inputs.push_back(tt::rand(spec.shape, tt::kFloat32, &gen) + 0.5); break;
      case InputKind::Index: inputs.push_back(tt::randint(0, spec.high, spec.shape, tt::kInt64, &gen)); break;
      case InputKind::Bool: inputs.push_back(tt::lt(tt::rand(spec.shape, tt::kFloat32, &gen), 0.5)); break;
    }
  }
  return inputs;
}

std::vector<BenchCase> expand(const std::string& suite, const Workload& w) {
  // The cases keep the workload alive: the runners refer to its lambdas.
  auto shared = std::make_shared<Workload>(w);
  auto shape = std::make_shared<std::optional<tt::Shape>>();
  std::vector<BenchCase> cases;
  for (bool backward : {false, true}) {
    if (backward && !w.has_backward) continue;
    BenchCase c;
    c.suite = suite;
    c.op = w.op;
    c.mode = backward ? "fwdbwd" : "fwd";
    c.params = w.params;
    const double factor = backward ? 1 + w.backward_factor : 1;
    c.flops = w.flops * factor;
    c.bytes = w.bytes * factor;
    c.items = w.items;
    c.quick = w.quick;
    c.rtol = w.rtol;
    c.atol = w.atol;
    c.make = [shared, shape, backward](const std::string& impl) -> std::unique_ptr<Runner> {
      if (impl == "libtorch") return std::make_unique<LibTorchOpRunner>(*shared, backward, shape);
      return std::make_unique<TinyTorchOpRunner>(*shared, backward, shape);
    };
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace tt_bench
