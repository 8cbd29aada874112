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
#include <memory>
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
// Computes a node's output again (under no_grad) from state the graph keeps anyway, added into
// add_to where that is defined and passed through relu if then_relu (Node::recompute_output); see
// recompute_source.
using RecomputeFn = std::function<Tensor(const Tensor& add_to, bool then_relu)>;

// A tensor kept for backward. An output that recompute_source() can rebuild is not held: the
// SavedTensor keeps its producer node instead and get() recomputes the value, so the activation's
// memory is free between forward and backward and again as soon as the caller drops the result.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& tensor);
  // The saved value; throws if it was modified in place since it was saved. A recomputed value is
  // rebuilt on every call: call once per backward.
  Tensor get() const;

 private:
  Tensor tensor_;  // detached: saving an op's own output must not create a reference cycle
  uint64_t version_ = 0;
  std::shared_ptr<Node> producer_;  // instead of tensor_, for a recomputed value
};

inline SavedTensor save(const Tensor& tensor) { return SavedTensor(tensor); }

bool needs_grad(std::initializer_list<Tensor> inputs);
bool needs_grad(const TensorList& inputs);

// Makes `out` the output of a new node named `name` with the given inputs (undefined or
// non-differentiable inputs get no gradient). `recompute`, where given, rebuilds `out` bit for bit
// from state the closures keep anyway (never from a new reference to a large tensor), so that ops
// saving `out` may drop it; it is freed with the node's saved tensors.
void record(const char* name, const Tensor& out, const TensorList& inputs, BackwardFn backward,
            RecomputeFn recompute = nullptr);

// The node that can recompute `tensor`, if `tensor` is exactly a recomputable node's output and
// has not been modified in place since; nullptr otherwise. Which outputs are recomputable is the
// backend's choice (KernelTable::batch_norm_apply): memory for one extra pointwise pass in backward.
std::shared_ptr<Node> recompute_source(const Tensor& tensor);

}  // namespace tinytorch::autograd
