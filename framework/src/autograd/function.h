// How an op joins the autograd graph. An op computes its output, then, if any input requires grad,
// calls record() with a backward closure written right beside the forward code:
//
//   Tensor out = ...forward...;
//   if (autograd::needs_grad({a, b}))
//     autograd::record("MulBackward", out, {a, b},
//                      [sa = autograd::save(a), sb = autograd::save(b)](const Tensor& g, autograd::Needs) {
//                        return TensorList{g * sb.get(), g * sa.get()};
//                      });
//
// The closure runs with grad mode off. Its i-th result is summed back to the i-th input's shape
// (undoing broadcasting) and cast to its dtype, so closures may return broadcast-shaped gradients.
// Closures capture SavedTensors, which detect in-place modification after saving.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "tinytorch/autograd.h"
#include "tinytorch/tensor.h"

namespace tinytorch::autograd {

// Which inputs need a gradient; closures may skip computing the others (return undefined).
class Needs {
 public:
  explicit Needs(std::vector<bool> flags) : flags_(std::move(flags)) {}
  bool operator[](size_t i) const { return i < flags_.size() && flags_[i]; }

 private:
  std::vector<bool> flags_;
};

using BackwardFn = std::function<TensorList(const Tensor& grad_output, const Needs& needs)>;

class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& tensor);
  // The saved value; throws if it was modified in place since it was saved.
  const Tensor& get() const;

 private:
  Tensor tensor_;  // detached: saving an op's own output must not create a reference cycle
  uint64_t version_ = 0;
};

inline SavedTensor save(const Tensor& tensor) { return SavedTensor(tensor); }

bool needs_grad(std::initializer_list<Tensor> inputs);
bool needs_grad(const TensorList& inputs);

// Makes `out` the output of a new node named `name` with the given inputs (undefined or
// non-differentiable inputs get no gradient).
void record(const char* name, const Tensor& out, const TensorList& inputs, BackwardFn backward);

}  // namespace tinytorch::autograd
