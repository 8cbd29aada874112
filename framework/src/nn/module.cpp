// nn::Module: registration, traversal with dotted names, state dicts, hooks and dtype conversion.
// Backward hooks use the same trick as PyTorch's full backward hooks: the module's input and output
// pass through identity nodes, whose gradient pre-hooks see exactly the gradients of this module's
// input and output (not the sums a tensor shared with other consumers would receive).
#include "tinytorch/nn/module.h"

#include <algorithm>
#include <ostream>
#include <unordered_set>

#include "autograd/function.h"
#include "tinytorch/grad_mode.h"

namespace tinytorch::nn {

namespace detail {
template <class Hook>
using HookList = std::vector<std::pair<uint64_t, Hook>>;

struct HookLists {
  uint64_t next_id = 1;
  HookList<ForwardPreHook> pre;
  HookList<ForwardHook> forward;
  HookList<BackwardHook> backward;
};
}  // namespace detail

namespace {
template <class Hook>
void erase_id(detail::HookList<Hook>& list, uint64_t id) {
  list.erase(std::remove_if(list.begin(), list.end(), [id](const auto& entry) { return entry.first == id; }),
             list.end());
}

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& key : keys) out += (out.empty() ? "\"" : ", \"") + key + "\"";
  return "[" + out + "]";
}

// Repoints `target`'s impl at `data`, so every handle sharing the impl sees the new dtype and values
// while its autograd identity (leaf, requires_grad, hooks) is kept: PyTorch's `param.data = ...`.
void assign_data(const Tensor& target, const Tensor& data) {
  TensorImpl* impl = target.impl();
  impl->storage = data.storage();
  impl->sizes = data.sizes();
  impl->strides = data.strides();
  impl->offset = data.storage_offset();
  impl->dtype = data.dtype();
}

// A new tensor aliasing x whose grad_fn is an identity node; hooks on it see only this use's gradient.
Tensor identity_node(const Tensor& x) {
  Tensor alias = x.detach();
  autograd::record("BackwardHookFunction", alias, {x},
                   [](const Tensor& g, const autograd::Needs&) { return TensorList{g}; });
  return alias;
}
}  // namespace

void TensorDict::insert(const std::string& key, const Tensor& value) {
  auto found = index_.find(key);
  if (found != index_.end()) {
    items_[found->second].second = value;
    return;
  }
  index_.emplace(key, items_.size());
  items_.emplace_back(key, value);
}

const Tensor& TensorDict::at(const std::string& key) const {
  auto found = index_.find(key);
  TT_CHECK(found != index_.end(), "TensorDict: no key \"{}\"; the keys are {}", key, quoted_list(keys()));
  return items_[found->second].second;
}

Tensor& TensorDict::at(const std::string& key) {
  return const_cast<Tensor&>(static_cast<const TensorDict&>(*this).at(key));
}

std::vector<std::string> TensorDict::keys() const {
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& item : items_) out.push_back(item.first);
  return out;
}

TensorList TensorDict::values() const {
  TensorList out;
  out.reserve(items_.size());
  for (const auto& item : items_) out.push_back(item.second);
  return out;
}

void HookHandle::remove() {
  auto lists = lists_.lock();
  if (!lists) return;
  erase_id(lists->pre, id_);
  erase_id(lists->forward, id_);
  erase_id(lists->backward, id_);
}

Module::Module(std::string name) : name_(std::move(name)), hooks_(std::make_shared<detail::HookLists>()) {}

Module::~Module() = default;

Tensor Module::forward(const Tensor&) {
  throw Error(
      fmt::format("{}: forward(input) is not implemented; override forward() in the module (losses take "
                  "(input, target))",
                  name_));
}

Tensor Module::operator()(const Tensor& input) {
  // Snapshots: a hook that removes itself (or another) must not disturb this call.
  const auto pre_hooks = hooks_->pre;
  const auto forward_hooks = hooks_->forward;
  const auto backward_hooks = hooks_->backward;

  Tensor x = input;
  for (const auto& entry : pre_hooks) {
    Tensor replaced = entry.second(*this, x);
    if (replaced.defined()) x = replaced;
  }
  const bool wire_backward = !backward_hooks.empty() && GradMode::is_enabled();
  const bool track_input = wire_backward && x.defined() && x.requires_grad();
  if (track_input) x = identity_node(x);

  Tensor out = forward(x);
  for (const auto& entry : forward_hooks) {
    Tensor replaced = entry.second(*this, x, out);
    if (replaced.defined()) out = replaced;
  }
  if (!wire_backward || !out.defined() || !out.requires_grad()) return out;

  // The output's gradient arrives first; the input's (if tracked) later, and the hooks run then.
  auto grad_output = std::make_shared<Tensor>();
  out = identity_node(out);
  out.register_hook([this, grad_output, backward_hooks, track_input](const Tensor& g) {
    *grad_output = g;
    if (!track_input)
      for (const auto& entry : backward_hooks) entry.second(*this, Tensor(), g);
    return Tensor();
  });
  if (track_input)
    x.register_hook([this, grad_output, backward_hooks](const Tensor& g) {
      Tensor grad_input = g;
      for (const auto& entry : backward_hooks) {
        Tensor replaced = entry.second(*this, grad_input, *grad_output);
        if (replaced.defined()) grad_input = replaced;
      }
      return grad_input;
    });
  return out;
}

void Module::check_new_name(const std::string& name, const char* what) const {
  TT_CHECK(!name.empty() && name.find('.') == std::string::npos,
           "{}: {} name \"{}\" is invalid; use a non-empty name without '.'", name_, what, name);
  auto taken = [&](const auto& entries) {
    return std::any_of(entries.begin(), entries.end(), [&](const auto& entry) { return entry.first == name; });
  };
  TT_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_),
           "{}: cannot register {} \"{}\": the name is already used by a parameter, buffer or submodule; pick "
           "another name",
           name_, what, name);
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name(name, "parameter");
  TT_CHECK(tensor.defined(), "{}: parameter \"{}\" is undefined; create it first (e.g. tt::empty)", name_, name);
  TT_CHECK(tensor.is_leaf(),
           "{}: parameter \"{}\" must be a leaf tensor but is the output of {}; register tensor.detach() instead",
           name_, name, tensor.grad_fn()->name());
  TT_CHECK(is_floating(tensor.dtype()),
           "{}: parameter \"{}\" must be floating point, got {}; register it as a buffer or convert with "
           ".to(tt::kFloat32)",
           name_, name, dtype_name(tensor.dtype()));
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor, bool persistent) {
  check_new_name(name, "buffer");
  TT_CHECK(tensor.defined(), "{}: buffer \"{}\" is undefined; create it first (e.g. tt::zeros)", name_, name);
  buffers_.emplace_back(name, tensor);
  if (!persistent) non_persistent_.push_back(name);
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "submodule");
  TT_CHECK(module != nullptr, "{}: submodule \"{}\" is null; create it with std::make_shared first", name_, name);
  TT_CHECK(module.get() != this, "{}: a module cannot be registered as its own submodule (\"{}\")", name_, name);
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse, bool params, bool buffers, bool persistent_only,
                     TensorDict& out) const {
  if (params)
    for (const auto& [name, tensor] : parameters_) out.insert(join(prefix, name), tensor);
  if (buffers)
    for (const auto& [name, tensor] : buffers_) {
      const bool persistent = std::find(non_persistent_.begin(), non_persistent_.end(), name) == non_persistent_.end();
      if (persistent || !persistent_only) out.insert(join(prefix, name), tensor);
    }
  if (recurse)
    for (const auto& [name, child] : children_)
      child->collect(join(prefix, name), true, params, buffers, persistent_only, out);
}

namespace {
// Drops later entries whose tensor was already listed under an earlier name.
TensorDict unique_tensors(const TensorDict& all) {
  TensorDict out;
  std::unordered_set<const TensorImpl*> seen;
  for (const auto& [name, tensor] : all)
    if (seen.insert(tensor.impl()).second) out.insert(name, tensor);
  return out;
}
}  // namespace

TensorDict Module::named_parameters(bool recurse) const {
  TensorDict all;
  collect("", recurse, true, false, false, all);
  return unique_tensors(all);
}

TensorList Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

TensorDict Module::named_buffers(bool recurse) const {
  TensorDict all;
  collect("", recurse, false, true, false, all);
  return unique_tensors(all);
}

TensorList Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> out;
  for (const auto& entry : children_) out.push_back(entry.second);
  return out;
}

void Module::collect_modules(const std::string& prefix, std::vector<std::pair<std::string, Module*>>& out) const {
  const bool seen = std::any_of(out.begin(), out.end(), [this](const auto& entry) { return entry.second == this; });
  if (seen) return;
  out.emplace_back(prefix, const_cast<Module*>(this));
  for (const auto& [name, child] : children_) child->collect_modules(join(prefix, name), out);
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() const {
  std::vector<std::pair<std::string, Module*>> out;
  collect_modules("", out);
  return out;
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (const auto& entry : children_) entry.second->apply(fn);
  fn(*this);
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& entry : children_) entry.second->train(on);
}

void Module::zero_grad(bool set_to_none) {
  for (const Tensor& param : parameters()) {
    Tensor grad = param.grad();
    if (!grad.defined()) continue;
    if (set_to_none) {
      Tensor(param).set_grad(Tensor());
    } else {
      NoGradGuard no_grad;
      grad.zero_();
    }
  }
}

TensorDict Module::state_dict() const {
  TensorDict out;
  collect("", true, true, true, true, out);
  return out;
}

Module::LoadResult Module::load_state_dict(const TensorDict& state, bool strict) {
  const TensorDict own = state_dict();
  LoadResult result;
  std::string mismatches;
  for (const auto& [key, tensor] : own) {
    if (!state.contains(key)) {
      result.missing_keys.push_back(key);
      continue;
    }
    const Tensor& given = state.at(key);
    if (!given.defined() || given.sizes() != tensor.sizes())
      mismatches += fmt::format("{}\"{}\" expects {} but got {}", mismatches.empty() ? "" : ", ", key,
                                shape_str(tensor.sizes()), given.defined() ? shape_str(given.sizes()) : "undefined");
  }
  for (const auto& [key, tensor] : state)
    if (!own.contains(key)) result.unexpected_keys.push_back(key);

  std::vector<std::string> problems;
  if (strict && !result.missing_keys.empty()) problems.push_back("missing keys " + quoted_list(result.missing_keys));
  if (strict && !result.unexpected_keys.empty())
    problems.push_back("unexpected keys " + quoted_list(result.unexpected_keys));
  if (!mismatches.empty()) problems.push_back("shape mismatches [" + mismatches + "]");
  if (!problems.empty()) {
    std::string listed;
    for (const auto& problem : problems) listed += (listed.empty() ? "" : "; ") + problem;
    throw Error(
        fmt::format("load_state_dict: error(s) loading the state dict into {}: {}; load a checkpoint saved from "
                    "the same architecture{}",
                    name_, listed, strict ? " (strict=false skips missing and unexpected keys)" : ""));
  }

  NoGradGuard no_grad;
  for (const auto& [key, tensor] : own)
    if (state.contains(key)) Tensor(tensor).copy_(state.at(key));
  return result;
}

HookHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  const uint64_t id = hooks_->next_id++;
  hooks_->pre.emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

HookHandle Module::register_forward_hook(ForwardHook hook) {
  const uint64_t id = hooks_->next_id++;
  hooks_->forward.emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

HookHandle Module::register_full_backward_hook(BackwardHook hook) {
  const uint64_t id = hooks_->next_id++;
  hooks_->backward.emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

Module& Module::to(DType dtype) {
  TT_CHECK(is_floating(dtype) && is_compute_type(dtype),
           "{}: to({}) is not supported; modules convert to float32 or float64", name_, dtype_name(dtype));
  NoGradGuard no_grad;
  TensorDict all;
  collect("", true, true, true, false, all);
  for (const auto& entry : unique_tensors(all)) {
    const Tensor& tensor = entry.second;
    if (!is_floating(tensor.dtype()) || tensor.dtype() == dtype) continue;
    assign_data(tensor, tensor.detach().to(dtype));
    Tensor grad = tensor.grad();
    if (grad.defined()) Tensor(tensor).set_grad(grad.to(dtype));
  }
  return *this;
}

void Module::describe(std::string& out, int indent) const {
  out += name_ + "(" + extra_repr();
  if (children_.empty()) {
    out += ")";
    return;
  }
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  for (const auto& [name, child] : children_) {
    out += "\n" + pad + "(" + name + "): ";
    child->describe(out, indent + 2);
  }
  out += "\n" + std::string(static_cast<size_t>(indent), ' ') + ")";
}

std::string Module::to_string() const {
  std::string out;
  describe(out, 0);
  return out;
}

std::ostream& operator<<(std::ostream& os, const Module& module) { return os << module.to_string(); }

}  // namespace tinytorch::nn
