// nn::Sequential: ordered registration and the chained forward.
#include "tinytorch/nn/container.h"

namespace tinytorch::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) : Module("Sequential") {
  for (const auto& module : modules) push_back(module);
}

const std::shared_ptr<Module>& Sequential::operator[](size_t index) const {
  TT_CHECK(index < modules_.size(), "Sequential: index {} is out of range for a Sequential of {} modules", index,
           modules_.size());
  return modules_[index];
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& module : modules_) x = (*module)(x);
  return x;
}

}  // namespace tinytorch::nn
