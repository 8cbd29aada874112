// An op workload: one definition (inputs, the op in each framework, its analytic cost) from which
// the suite builds a forward case and, when differentiable, a forward+backward case. Every
// implementation gets the same inputs: they are generated with a seeded tinytorch::Generator and
// copied into LibTorch, so all three implementations compute on identical data.
//
//   fwd     the op under NoGradGuard in both frameworks (no graph is recorded);
//   fwdbwd  the op with grad mode on, then backward of a fixed upstream gradient (seeded randn of
//           the output's shape); input gradients are set to none before each step, as
//           optimizer.zero_grad(set_to_none=True) does.
// The correctness check compares the output, every input gradient (fwdbwd) and every floating
// input after the call (ops such as batch_norm update running statistics in place).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/suite.h"
#include "tinytorch/tinytorch.h"

namespace tt_bench {

enum class InputKind {
  Float,     // standard normal
  Positive,  // uniform in [0.5, 1.5)
  Index,     // int64 uniform in [0, high)
  Bool,      // true with probability 1/2
};

struct InputSpec {
  tt::Shape shape;
  InputKind kind = InputKind::Float;
  bool requires_grad = false;  // in fwdbwd cases
  int64_t high = 0;            // Index only
};

using TinyTorchOp = std::function<tt::Tensor(const tt::TensorList& inputs)>;
using LibTorchOp = std::function<at::Tensor(const std::vector<at::Tensor>& inputs)>;

struct Workload {
  std::string op;
  std::string params;  // key=value pairs, see naming.h
  std::vector<InputSpec> inputs;
  TinyTorchOp tinytorch;
  LibTorchOp libtorch;
  double flops = 0;  // forward, analytic
  double bytes = 0;  // forward: inputs read plus output written
  double items = 0;  // rows or samples for layer ops, elements for pointwise ops and reductions
  bool has_backward = true;
  bool quick = false;
  // Backward cost relative to forward, for the fwdbwd FLOP and byte counts (2: the gradients of
  // a product need two products of the same size).
  double backward_factor = 2.0;
  double rtol = 1e-4, atol = 1e-5;
  uint64_t seed = 42;
};

// The fwd case and, if has_backward, the fwdbwd case of `w`, in suite `suite`.
std::vector<BenchCase> expand(const std::string& suite, const Workload& w);

// Inputs of `w` (same values on every call), as TinyTorch tensors.
tt::TensorList make_inputs(const Workload& w);

}  // namespace tt_bench
