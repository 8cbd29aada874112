// nn::Sequential: runs its modules in order, each on the previous one's output. Modules are
// registered under their index ("0", "1", ...), so parameter names match torch.nn.Sequential's.
#pragma once

#include <initializer_list>
#include <memory>
#include <vector>

#include "tinytorch/nn/module.h"

namespace tinytorch::nn {

class Sequential : public Module {
 public:
  Sequential() : Module("Sequential") {}
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);

  // Appends a module and returns it (typed, so `auto fc = seq.push_back(std::make_shared<Linear>(4, 2));`).
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    modules_.push_back(register_module(std::to_string(modules_.size()), module));
    return module;
  }
  // Throws naming the index and size when out of range.
  const std::shared_ptr<Module>& operator[](size_t index) const;
  // The module at `index` as type M; throws when it is another type.
  template <class M>
  std::shared_ptr<M> at(size_t index) const {
    auto typed = std::dynamic_pointer_cast<M>((*this)[index]);
    TT_CHECK(typed != nullptr, "Sequential: module {} is a {}, not the requested type", index, (*this)[index]->name());
    return typed;
  }
  size_t size() const { return modules_.size(); }
  bool empty() const { return modules_.empty(); }
  std::vector<std::shared_ptr<Module>>::const_iterator begin() const { return modules_.begin(); }
  std::vector<std::shared_ptr<Module>>::const_iterator end() const { return modules_.end(); }

  // Calls each module through operator(), so their hooks run.
  Tensor forward(const Tensor& input) override;

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace tinytorch::nn
