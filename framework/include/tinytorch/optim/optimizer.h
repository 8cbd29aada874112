// Optimizer base: parameter groups with per-group hyper-parameters, per-parameter state, step() under
// NoGradGuard, zero_grad() and a state dict. Shaped like torch.optim.Optimizer: a group's options
// are a name → value map (PyTorch's param_group dict), so LR schedulers and state dicts handle every
// optimizer the same way. Adam's `betas` pair is stored as "beta1" and "beta2"; boolean options
// (nesterov, amsgrad, centered) as 0 or 1.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "tinytorch/tensor.h"

namespace tinytorch::optim {

using GroupOptions = std::map<std::string, double>;

// Declares a hyper-parameter of an options struct with a chainable setter, as TORCH_ARG:
// SGDOptions(0.1).momentum(0.9).nesterov(true).
#define TT_OPTIM_ARG(T, name, initial) \
 public:                               \
  auto& name(T value) {                \
    name##_ = value;                   \
    return *this;                      \
  }                                    \
  T name() const { return name##_; }   \
                                       \
 private:                              \
  T name##_ = initial

struct ParamGroup {
  ParamGroup() = default;
  ParamGroup(TensorList params, GroupOptions options = {}) : params(std::move(params)), options(std::move(options)) {}
  // The value of option `key`; throws naming the key and the options present when it is missing.
  double get(const std::string& key) const;
  bool flag(const std::string& key) const { return get(key) != 0.0; }

  TensorList params;
  GroupOptions options;
};

// What an optimizer remembers about one parameter: its step count and named buffers
// ("momentum_buffer", "exp_avg", ...), each shaped like the parameter.
struct ParamState {
  int64_t step = 0;
  std::map<std::string, Tensor> buffers;
};

// A snapshot of an optimizer, as torch.optim.Optimizer.state_dict(): the options of each group,
// which (flat, across groups) parameter indices each group holds, and the state by that index.
struct OptimizerStateDict {
  struct Group {
    GroupOptions options;
    std::vector<int64_t> params;
  };
  std::string optimizer;  // "SGD", "Adam", ...: loading into another kind is an error
  std::vector<Group> param_groups;
  std::map<int64_t, ParamState> state;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient, without recording a graph.
  void step();
  // set_to_none drops the gradients (the next backward allocates fresh ones, as PyTorch 2.x's
  // default); otherwise they are zeroed in place.
  void zero_grad(bool set_to_none = true);
  // Adds a group; options it leaves out come from the optimizer's defaults.
  void add_param_group(ParamGroup group);

  const std::string& name() const { return name_; }
  std::vector<ParamGroup>& param_groups() { return param_groups_; }
  const std::vector<ParamGroup>& param_groups() const { return param_groups_; }
  const GroupOptions& defaults() const { return defaults_; }
  // State of `param` (empty before its first update).
  const ParamState& state(const Tensor& param) const;

  // Deep copy: later steps do not change a saved dict, and a loaded dict is copied in.
  OptimizerStateDict state_dict() const;
  // Throws, naming the mismatch, if the dict comes from another optimizer kind, has other group or
  // parameter counts, lacks an option this optimizer needs, or holds state buffers of the wrong names
  // or shapes; nothing is changed then.
  void load_state_dict(const OptimizerStateDict& dict);

 protected:
  // Subclasses validate `defaults` and then add their groups with add_param_group().
  Optimizer(std::string name, GroupOptions defaults) : name_(std::move(name)), defaults_(std::move(defaults)) {}
  // Throws naming the option and its value when a group's (merged) options are out of range.
  virtual void check_options(const GroupOptions& options) const = 0;
  // Updates `param` in place from `grad`; state.step has already been incremented.
  virtual void update(const Tensor& param, const Tensor& grad, ParamState& state, const ParamGroup& group) = 0;
  // Buffer names a parameter's state holds after its first update under `group`'s options.
  virtual std::vector<std::string> state_keys(const ParamGroup& group) const = 0;

 private:
  std::string name_;
  GroupOptions defaults_;
  std::vector<ParamGroup> param_groups_;
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

}  // namespace tinytorch::optim
