// nn::Module: the base of every layer and model. It owns named parameters (leaf tensors that
// require grad), buffers (state such as BatchNorm's running statistics) and submodules, all in
// registration order, and derives from them what PyTorch's Module does: dotted names, state dicts,
// train/eval switching, hooks and dtype conversion. Names follow PyTorch's, so a TinyTorch model
// and the equivalent torch.nn model have identical state_dict keys.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tinytorch/tensor.h"

namespace tinytorch::nn {

// Insertion-ordered name -> tensor map (PyTorch's OrderedDict): what named_parameters(),
// named_buffers() and state_dict() return and load_state_dict() takes.
class TensorDict {
 public:
  using Item = std::pair<std::string, Tensor>;

  // Adds the key at the end, or replaces the value of an existing key in place.
  void insert(const std::string& key, const Tensor& value);
  bool contains(const std::string& key) const { return index_.count(key) != 0; }
  // Throws naming the key and the keys present when it is missing.
  const Tensor& at(const std::string& key) const;
  Tensor& at(const std::string& key);
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::vector<std::string> keys() const;
  TensorList values() const;
  std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  std::vector<Item>::const_iterator end() const { return items_.end(); }

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> index_;
};

class Module;

// Hooks return a replacement tensor, or an undefined Tensor() to keep the one they were given.
// Pre-hook: sees (and may replace) the input before forward().
using ForwardPreHook = std::function<Tensor(Module& module, const Tensor& input)>;
// Forward hook: sees the input and (may replace) the output after forward().
using ForwardHook = std::function<Tensor(Module& module, const Tensor& input, const Tensor& output)>;
// Backward hook, as register_full_backward_hook for a one-input, one-output module: called during
// backward with the gradient of the module's input (undefined when the input needs none) and of its
// output; may return a replacement gradient for the input.
using BackwardHook = std::function<Tensor(Module& module, const Tensor& grad_input, const Tensor& grad_output)>;

namespace detail {
struct HookLists;
}

// Returned by the register_*_hook methods. remove() unregisters the hook; it is harmless to call it
// twice or after the module is gone. Dropping the handle does not remove the hook.
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(std::weak_ptr<detail::HookLists> lists, uint64_t id) : lists_(std::move(lists)), id_(id) {}
  void remove();

 private:
  std::weak_ptr<detail::HookLists> lists_;
  uint64_t id_ = 0;
};

class Module {
 public:
  explicit Module(std::string name = "Module");
  virtual ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The type name used in error messages and printing ("Linear").
  const std::string& name() const { return name_; }

  // The computation. The base version throws: a module used with operator()(x) must override it.
  virtual Tensor forward(const Tensor& input);
  // Runs the forward pre-hooks, forward(), the forward hooks, and wires the backward hooks into the
  // graph. A module with backward hooks must outlive the backward pass of the graphs it built.
  Tensor operator()(const Tensor& input);

  // Registration; names must be non-empty, free of '.', and unique among this module's
  // parameters, buffers and children. Each returns the registered handle (sharing its data), so
  // layers write `weight = register_parameter("weight", tt::empty({out, in}));`.
  // A parameter must be a floating-point leaf; it is made to require grad unless requires_grad is false.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  // A non-persistent buffer is converted by to() but left out of state_dict().
  Tensor register_buffer(const std::string& name, Tensor tensor, bool persistent = true);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // Dotted names ("layer1.0.conv1.weight") in registration order: this module's own entries first,
  // then each child's, depth first. A tensor registered under two names is listed once.
  TensorDict named_parameters(bool recurse = true) const;
  TensorList parameters(bool recurse = true) const;
  TensorDict named_buffers(bool recurse = true) const;
  TensorList buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& named_children() const { return children_; }
  // This module (named "") and every descendant, depth first; the pointers do not own and stay valid
  // while this module lives.
  std::vector<std::pair<std::string, Module*>> named_modules() const;
  // Calls fn on every descendant (children first) and then on this module, as torch's apply().
  void apply(const std::function<void(Module&)>& fn);

  // Sets training mode here and in every descendant; eval() is train(false).
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Clears every parameter's gradient. set_to_none (the default, as PyTorch 2) drops the gradient
  // tensors; otherwise existing gradients are zeroed in place.
  void zero_grad(bool set_to_none = true);

  // Parameters and persistent buffers under their dotted names, module by module: each module's
  // parameters, then its buffers, then its children's entries, as torch's state_dict(). The values
  // share data with the module (clone them to snapshot).
  TensorDict state_dict() const;
  struct LoadResult {
    std::vector<std::string> missing_keys;
    std::vector<std::string> unexpected_keys;
  };
  // Copies values into the module's tensors (converting dtype as needed) without touching autograd
  // state. Throws one Error listing every missing key, unexpected key (both only when strict) and
  // shape mismatch (always), before anything is copied.
  LoadResult load_state_dict(const TensorDict& state, bool strict = true);

  HookHandle register_forward_pre_hook(ForwardPreHook hook);
  HookHandle register_forward_hook(ForwardHook hook);
  HookHandle register_full_backward_hook(BackwardHook hook);

  // Converts floating-point parameters, buffers and gradients to `dtype` in place: every existing
  // handle (an optimizer's, a layer's `weight` member) sees the new data, and parameters stay leaves
  // that require grad, as torch's module.to(dtype). Integer buffers are kept.
  Module& to(DType dtype);

  // PyTorch-style multi-line description: "Linear(in_features=4, out_features=2, bias=true)".
  std::string to_string() const;
  // The text between the parentheses of this module's own line; layers override it.
  virtual std::string extra_repr() const { return ""; }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name, const char* what) const;
  void collect(const std::string& prefix, bool recurse, bool params, bool buffers, bool persistent_only,
               TensorDict& out) const;
  void collect_modules(const std::string& prefix, std::vector<std::pair<std::string, Module*>>& out) const;
  void describe(std::string& out, int indent) const;

  std::string name_;
  bool training_ = true;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::string> non_persistent_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::shared_ptr<detail::HookLists> hooks_;
};

std::ostream& operator<<(std::ostream& os, const Module& module);

}  // namespace tinytorch::nn
