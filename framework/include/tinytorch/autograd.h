// Reverse-mode autograd on a dynamic graph. Every differentiable op creates one Node whose
// backward closure sits beside the op's forward code (framework/src/ops/); the engine here only
// orders nodes and routes gradients, it never knows which op or backend ran.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tinytorch/tensor.h"

namespace tinytorch::autograd {

class Node {
 public:
  Node(std::string name, std::vector<std::shared_ptr<Node>> next);
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string& name() const { return name_; }
  // Nodes that receive the gradients apply() returns, one per op input; nullptr where the input
  // does not require grad.
  const std::vector<std::shared_ptr<Node>>& next_functions() const { return next_; }
  // Creation order; the engine runs later nodes first, as PyTorch does.
  uint64_t sequence_nr() const { return sequence_nr_; }

  // Gradient of this node's output in, one gradient per next function out (undefined: none).
  virtual TensorList apply(const Tensor& grad_output) = 0;
  // Frees saved tensors; called by the engine after backward unless retain_graph is set.
  virtual void release_saved() {}
  // This node's output computed again from what the node keeps anyway, for ops that save it (see
  // recompute_source in framework/src/autograd/function.h); undefined where it cannot be. With
  // add_to (of the output's shape and dtype) the output is added into add_to, which is returned,
  // and with then_relu the result goes through relu: a recomputed relu(a + b) then needs one
  // buffer and, where the producer fuses them, no extra pass.
  virtual Tensor recompute_output(const Tensor& add_to = Tensor(), bool then_relu = false) {
    (void)add_to;
    (void)then_relu;
    return Tensor();
  }

  std::vector<GradHook> pre_hooks;  // run on grad_output before apply()

 private:
  std::string name_;
  std::vector<std::shared_ptr<Node>> next_;
  uint64_t sequence_nr_;
};

// Accumulates incoming gradients into a leaf tensor's .grad().
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  TensorList apply(const Tensor& grad_output) override;

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// The node that receives a tensor's gradient: its grad_fn, or for a leaf that requires grad its
// (shared, lazily created) AccumulateGrad. nullptr when the tensor needs no gradient.
std::shared_ptr<Node> gradient_edge(const Tensor& tensor);

// Runs backward from several roots at once; grad_outputs may hold undefined entries for
// one-element roots (implicit 1).
void backward(const TensorList& roots, const TensorList& grad_outputs, bool retain_graph = false);

}  // namespace tinytorch::autograd
