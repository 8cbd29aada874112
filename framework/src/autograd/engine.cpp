// The backward engine: finds every node reachable from the roots, counts how many gradients each
// must wait for, and runs nodes in dependency order (latest-created first among the ready ones),
// summing gradients that meet at a node. Saved tensors are released as each node finishes unless
// retain_graph is set, which is what lets a training step's graph be freed right after backward.
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/function.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch::autograd {
namespace {
std::atomic<uint64_t> g_next_sequence_nr{0};

// A node built by record(): the op's backward closure plus what is needed to hand each input a
// gradient of its own shape and dtype.
class FunctionNode final : public Node {
 public:
  FunctionNode(const char* name, std::vector<std::shared_ptr<Node>> next, BackwardFn backward,
               std::vector<std::pair<Shape, DType>> input_meta, Needs needs, RecomputeFn recompute,
               uint64_t output_version)
      : Node(name, std::move(next)),
        backward_(std::move(backward)),
        recompute_(std::move(recompute)),
        input_meta_(std::move(input_meta)),
        needs_(std::move(needs)),
        output_version_(output_version) {}

  TensorList apply(const Tensor& grad_output) override {
    TT_CHECK(backward_ != nullptr,
             "backward: trying to backward through {} a second time, after its saved tensors were freed; pass "
             "retain_graph=true to the first backward() call",
             name());
    TensorList grads = backward_(grad_output, needs_);
    TT_CHECK(grads.size() == input_meta_.size(), "{}: backward returned {} gradients for {} inputs", name(),
             grads.size(), input_meta_.size());
    for (size_t i = 0; i < grads.size(); ++i) {
      if (!grads[i].defined() || !needs_[i]) {
        grads[i] = Tensor();
        continue;
      }
      const auto& [shape, dtype] = input_meta_[i];
      if (grads[i].sizes() != shape) grads[i] = sum_to(grads[i], shape);
      if (grads[i].dtype() != dtype) grads[i] = grads[i].to(dtype);
    }
    return grads;
  }

  void release_saved() override {
    backward_ = nullptr;
    recompute_ = nullptr;
  }

  Tensor recompute_output(const Tensor& add_to, bool then_relu) override {
    TT_CHECK(backward_ != nullptr,
             "backward: recomputing a saved activation needs the saved tensors of {}, which were already freed; "
             "pass retain_graph=true to the first backward() call",
             name());
    if (!recompute_) return Tensor();
    NoGradGuard no_grad;
    return recompute_(add_to, then_relu);
  }

  // Whether `tensor` (this node's output) is still the value recompute_ rebuilds.
  bool recomputes(const Tensor& tensor) const { return recompute_ && tensor.storage()->version() == output_version_; }

 private:
  BackwardFn backward_;
  RecomputeFn recompute_;
  std::vector<std::pair<Shape, DType>> input_meta_;
  Needs needs_;
  uint64_t output_version_;
};

Tensor run_hooks(const std::vector<GradHook>& hooks, Tensor grad) {
  for (const auto& hook : hooks) {
    Tensor replaced = hook(grad);
    if (replaced.defined()) grad = replaced;
  }
  return grad;
}

struct LaterFirst {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence_nr() < b->sequence_nr();
  }
};
}  // namespace

Node::Node(std::string name, std::vector<std::shared_ptr<Node>> next)
    : name_(std::move(name)), next_(std::move(next)), sequence_nr_(g_next_sequence_nr.fetch_add(1)) {}

Node::~Node() = default;

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : Node("AccumulateGrad", {}), leaf_(std::move(leaf)) {}

TensorList AccumulateGrad::apply(const Tensor& grad_output) {
  Tensor grad = run_hooks(leaf_->leaf_hooks, grad_output);
  if (!leaf_->grad) {
    // Take ownership of a gradient nobody else references (the engine moves it in, so the only
    // handles are grad_output and `grad`); copy one the user or a saved tensor may still hold.
    const bool exclusive = grad.impl_ptr().use_count() == 2 && grad.storage().use_count() == 1;
    leaf_->grad = (exclusive && grad.is_contiguous()) ? grad.detach().impl_ptr() : grad.clone().impl_ptr();
  } else {
    Tensor(leaf_->grad).add_(grad);
  }
  return {};
}

std::shared_ptr<Node> gradient_edge(const Tensor& tensor) {
  if (!tensor.defined() || !tensor.requires_grad()) return nullptr;
  TensorImpl* impl = tensor.impl();
  if (impl->grad_fn) return impl->grad_fn;
  std::shared_ptr<Node> accumulator = impl->grad_accumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(tensor.impl_ptr());
    impl->grad_accumulator = accumulator;
  }
  return accumulator;
}

std::shared_ptr<Node> recompute_source(const Tensor& tensor) {
  if (!tensor.defined()) return nullptr;
  const std::shared_ptr<Node>& node = tensor.impl()->grad_fn;
  const auto* function = dynamic_cast<const FunctionNode*>(node.get());
  return function && function->recomputes(tensor) ? node : nullptr;
}

SavedTensor::SavedTensor(const Tensor& tensor) {
  if (!tensor.defined()) return;
  producer_ = recompute_source(tensor);
  if (producer_) return;
  tensor_ = tensor.detach();
  version_ = tensor.storage()->version();
}

Tensor SavedTensor::get() const {
  if (producer_) {
    Tensor value = producer_->recompute_output();
    TT_CHECK(value.defined(), "backward: {} could not recompute a saved activation", producer_->name());
    return value;
  }
  TT_CHECK(!tensor_.defined() || tensor_.storage()->version() == version_,
           "backward: a tensor of shape {} saved for the gradient was modified by an in-place operation after it "
           "was saved; use an out-of-place op (e.g. x = x * 2 instead of x.mul_(2))",
           shape_str(tensor_.sizes()));
  return tensor_;
}

bool needs_grad(const TensorList& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const auto& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

bool needs_grad(std::initializer_list<Tensor> inputs) { return needs_grad(TensorList(inputs)); }

void record(const char* name, const Tensor& out, const TensorList& inputs, BackwardFn backward, RecomputeFn recompute) {
  if (!needs_grad(inputs)) return;
  std::vector<std::shared_ptr<Node>> next;
  std::vector<std::pair<Shape, DType>> meta;
  std::vector<bool> flags;
  for (const auto& input : inputs) {
    next.push_back(gradient_edge(input));
    flags.push_back(next.back() != nullptr);
    meta.emplace_back(input.defined() ? input.sizes() : Shape{}, input.defined() ? input.dtype() : kFloat32);
  }
  const uint64_t output_version = recompute ? out.storage()->version() : 0;
  out.impl()->grad_fn = std::make_shared<FunctionNode>(name, std::move(next), std::move(backward), std::move(meta),
                                                       Needs(flags), std::move(recompute), output_version);
  out.impl()->requires_grad = true;
}

void backward(const TensorList& roots, const TensorList& grad_outputs, bool retain_graph) {
  TT_CHECK(roots.size() == grad_outputs.size(), "backward: got {} tensors but {} gradients", roots.size(),
           grad_outputs.size());
  NoGradGuard no_grad;
  std::unordered_map<Node*, Tensor> pending;  // gradient summed so far for each node's output
  std::vector<std::shared_ptr<Node>> starts;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    TT_CHECK(root.requires_grad(),
             "backward: tensor {} of shape {} does not require grad and has no grad_fn; call requires_grad_() on the "
             "leaf inputs before computing it",
             i, shape_str(root.sizes()));
    Tensor grad = grad_outputs[i];
    if (!grad.defined()) {
      TT_CHECK(root.numel() == 1,
               "backward: gradient can be implied only for one-element outputs, but the output has shape {}; pass a "
               "gradient of that shape (e.g. tt::ones_like(out)) or reduce the output first (e.g. out.sum())",
               shape_str(root.sizes()));
      grad = ones_like(root);
    }
    TT_CHECK(grad.sizes() == root.sizes(), "backward: gradient of shape {} does not match the output's shape {}",
             shape_str(grad.sizes()), shape_str(root.sizes()));
    std::shared_ptr<Node> node = gradient_edge(root);
    Tensor& slot = pending[node.get()];
    slot = slot.defined() ? slot + grad : grad;
    starts.push_back(node);
  }

  // Count, for every reachable node, how many edges will deliver a gradient to it.
  std::unordered_map<Node*, int> dependencies;
  std::unordered_set<Node*> seen;
  std::vector<Node*> stack;
  for (const auto& s : starts)
    if (seen.insert(s.get()).second) stack.push_back(s.get());
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const auto& next : node->next_functions()) {
      if (!next) continue;
      ++dependencies[next.get()];
      if (seen.insert(next.get()).second) stack.push_back(next.get());
    }
  }

  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, LaterFirst> ready;
  std::unordered_set<Node*> queued;
  for (const auto& s : starts)
    if (dependencies[s.get()] == 0 && queued.insert(s.get()).second) ready.push(s);

  while (!ready.empty()) {
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    auto it = pending.find(node.get());
    Tensor grad;
    if (it != pending.end()) {
      grad = std::move(it->second);
      pending.erase(it);
    }
    TensorList input_grads;
    if (grad.defined()) input_grads = node->apply(run_hooks(node->pre_hooks, std::move(grad)));
    if (!retain_graph) node->release_saved();
    const auto& next = node->next_functions();
    for (size_t j = 0; j < next.size(); ++j) {
      if (!next[j]) continue;
      if (j < input_grads.size() && input_grads[j].defined()) {
        Tensor& slot = pending[next[j].get()];
        slot = slot.defined() ? slot + input_grads[j] : input_grads[j];
      }
      if (--dependencies[next[j].get()] == 0) ready.push(next[j]);
    }
  }
}

}  // namespace tinytorch::autograd
