// Optimizer base: group bookkeeping, the step loop, zero_grad and the state dict with its checks.
#include "tinytorch/optim/optimizer.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "tinytorch/grad_mode.h"

namespace tinytorch::optim {
namespace {
std::vector<std::string> keys_of(const GroupOptions& options) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : options) keys.push_back(key);
  return keys;
}

// Names in `have` missing from `want` and the reverse, for "missing ... unexpected ..." messages.
std::pair<std::vector<std::string>, std::vector<std::string>> key_difference(const std::set<std::string>& want,
                                                                             const std::set<std::string>& have) {
  std::vector<std::string> missing, unexpected;
  std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::back_inserter(missing));
  std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::back_inserter(unexpected));
  return {missing, unexpected};
}

ParamState clone_state(const ParamState& state) {
  ParamState copy;
  copy.step = state.step;
  for (const auto& [key, buffer] : state.buffers) copy.buffers[key] = buffer.detach().clone();
  return copy;
}
}  // namespace

double ParamGroup::get(const std::string& key) const {
  auto it = options.find(key);
  TT_CHECK(it != options.end(), "ParamGroup: option '{}' is not set; the group has {}", key,
           fmt::join(keys_of(options), ", "));
  return it->second;
}

void Optimizer::step() {
  NoGradGuard no_grad;
  for (const ParamGroup& group : param_groups_) {
    for (const Tensor& param : group.params) {
      const Tensor grad = param.grad();
      if (!grad.defined()) continue;
      ParamState& state = state_[param.impl()];
      ++state.step;
      update(param, grad, state, group);
    }
  }
}

void Optimizer::zero_grad(bool set_to_none) {
  for (ParamGroup& group : param_groups_) {
    for (Tensor& param : group.params) {
      if (set_to_none) {
        param.set_grad(Tensor());
      } else if (Tensor grad = param.grad(); grad.defined()) {
        grad.zero_();
      }
    }
  }
}

void Optimizer::add_param_group(ParamGroup group) {
  TT_CHECK(!group.params.empty(), "{}: a parameter group needs at least one parameter, got an empty list", name_);
  for (size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& param = group.params[i];
    TT_CHECK(param.defined(), "{}: parameter {} of the group is an undefined tensor", name_, i);
    TT_CHECK(param.dtype() == kFloat32 || param.dtype() == kFloat64,
             "{}: parameter {} has dtype {}; only float32 and float64 parameters can be optimized", name_, i,
             dtype_name(param.dtype()));
    TT_CHECK(param.is_leaf(),
             "{}: parameter {} of shape {} is not a leaf tensor; pass the parameter itself, not a result computed "
             "from it (x.detach().requires_grad_() makes a new leaf)",
             name_, i, shape_str(param.sizes()));
    for (size_t j = 0; j < i; ++j)
      TT_CHECK(!group.params[j].is_same(param), "{}: parameters {} and {} of the group are the same tensor", name_, j,
               i);
    for (size_t g = 0; g < param_groups_.size(); ++g)
      for (const Tensor& existing : param_groups_[g].params)
        TT_CHECK(!existing.is_same(param),
                 "{}: parameter {} of the new group already belongs to group {}; a parameter may be in one group only",
                 name_, i, g);
  }
  for (const auto& [key, value] : group.options)
    TT_CHECK(defaults_.count(key) != 0, "{}: unknown option '{}' in a parameter group; {} takes {}", name_, key, name_,
             fmt::join(keys_of(defaults_), ", "));
  for (const auto& [key, value] : defaults_) group.options.emplace(key, value);
  check_options(group.options);
  param_groups_.push_back(std::move(group));
}

const ParamState& Optimizer::state(const Tensor& param) const {
  static const ParamState kEmpty;
  auto it = state_.find(param.impl());
  return it == state_.end() ? kEmpty : it->second;
}

OptimizerStateDict Optimizer::state_dict() const {
  OptimizerStateDict dict;
  dict.optimizer = name_;
  int64_t index = 0;
  for (const ParamGroup& group : param_groups_) {
    OptimizerStateDict::Group saved{group.options, {}};
    for (const Tensor& param : group.params) {
      saved.params.push_back(index);
      if (auto it = state_.find(param.impl()); it != state_.end()) dict.state[index] = clone_state(it->second);
      ++index;
    }
    dict.param_groups.push_back(std::move(saved));
  }
  return dict;
}

void Optimizer::load_state_dict(const OptimizerStateDict& dict) {
  const std::string op = name_ + ".load_state_dict";
  TT_CHECK(dict.optimizer == name_, "{}: the state dict was saved by {}; load it into a {} optimizer instead", op,
           dict.optimizer.empty() ? "an unnamed optimizer" : dict.optimizer, dict.optimizer);
  TT_CHECK(dict.param_groups.size() == param_groups_.size(),
           "{}: the state dict has {} parameter groups but this optimizer has {}; build the optimizer with the same "
           "groups",
           op, dict.param_groups.size(), param_groups_.size());

  // Validate everything first so that a bad dict leaves the optimizer untouched.
  std::map<int64_t, std::pair<const Tensor*, size_t>> param_of_index;  // saved index -> (param, group)
  std::set<std::string> required;
  for (const auto& [key, value] : defaults_) required.insert(key);
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    const OptimizerStateDict::Group& saved = dict.param_groups[g];
    TT_CHECK(saved.params.size() == param_groups_[g].params.size(),
             "{}: group {} holds {} parameters in the state dict but {} in this optimizer", op, g, saved.params.size(),
             param_groups_[g].params.size());
    std::set<std::string> present;
    for (const auto& [key, value] : saved.options) present.insert(key);
    const auto [missing, unexpected] = key_difference(required, present);
    TT_CHECK(missing.empty(), "{}: group {} of the state dict lacks option(s) {}; was it saved by another {} version?",
             op, g, fmt::join(missing, ", "), name_);
    for (size_t i = 0; i < saved.params.size(); ++i) {
      const bool fresh = param_of_index.emplace(saved.params[i], std::make_pair(&param_groups_[g].params[i], g)).second;
      TT_CHECK(fresh, "{}: parameter index {} appears twice in the state dict's groups", op, saved.params[i]);
    }
  }

  std::unordered_map<const TensorImpl*, ParamState> new_state;
  for (const auto& [index, saved_state] : dict.state) {
    auto found = param_of_index.find(index);
    TT_CHECK(found != param_of_index.end(),
             "{}: the state dict has state for parameter index {}, which none of its "
             "groups lists",
             op, index);
    const Tensor& param = *found->second.first;
    const ParamGroup group{{}, dict.param_groups[found->second.second].options};
    const std::vector<std::string> keys = state_keys(group);
    std::set<std::string> want(keys.begin(), keys.end()), have;
    for (const auto& [key, buffer] : saved_state.buffers) have.insert(key);
    const auto [missing, unexpected] = key_difference(want, have);
    TT_CHECK(missing.empty() && unexpected.empty(),
             "{}: state of parameter {} has missing buffer(s) [{}] and unexpected buffer(s) [{}] for the group's "
             "options; was it saved with other options (momentum, amsgrad, centered)?",
             op, index, fmt::join(missing, ", "), fmt::join(unexpected, ", "));
    ParamState state;
    state.step = saved_state.step;
    for (const auto& [key, buffer] : saved_state.buffers) {
      TT_CHECK(buffer.defined() && buffer.sizes() == param.sizes(),
               "{}: state buffer '{}' of parameter {} has shape {} but the parameter has shape {}", op, key, index,
               buffer.defined() ? shape_str(buffer.sizes()) : "undefined", shape_str(param.sizes()));
      state.buffers[key] = buffer.detach().to(param.dtype()).clone();
    }
    new_state[param.impl()] = std::move(state);
  }

  for (size_t g = 0; g < param_groups_.size(); ++g) param_groups_[g].options = dict.param_groups[g].options;
  state_ = std::move(new_state);
}

}  // namespace tinytorch::optim
