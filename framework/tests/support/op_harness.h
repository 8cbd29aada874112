// One parameterised harness for op tests. A case states its inputs once; check_op then
//   1. builds the inputs (seeded) in f32 and f64, in the requested layout (contiguous, transposed
//      or strided views, so kernels see non-contiguous memory), mirrors them into LibTorch,
//   2. compares forward values, shape and dtype with LibTorch,
//   3. backpropagates the same random upstream gradient in both and compares every input gradient,
//   4. runs an f64 finite-difference gradcheck of the TinyTorch op alone.
// Tolerances are per case and stated in the case; the defaults below suit single elementwise ops.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "support/torch_bridge.h"

namespace tt_test {

// The argument lists of a case's two lambdas.
using TL = tt::TensorList;
using AL = std::vector<at::Tensor>;

enum class Layout {
  Contiguous,
  Transposed,  // last two dims stored swapped, then transposed back: non-contiguous
  Strided,     // last dim stored twice as long, then sliced with step 2
};

enum class Domain {
  Normal,    // randn
  Positive,  // uniform in [0.5, 2.5): log, sqrt, pow bases
  Unit,      // uniform in [0.05, 0.95): probabilities
  NonZero,   // |x| >= 0.5 with random sign: divisors, kinks of relu/abs away from 0
  Index,     // int64 in [0, high)
  Bool,      // random mask
};

struct Input {
  tt::Shape shape;
  Domain domain = Domain::Normal;
  Layout layout = Layout::Contiguous;
  bool requires_grad = true;  // ignored for Index and Bool inputs
  int64_t high = 0;           // for Domain::Index
};

struct Tolerance {
  double rtol;
  double atol;
};

struct OpCase {
  std::string name;
  std::vector<Input> inputs;
  std::function<tt::Tensor(const tt::TensorList&)> tinytorch;
  std::function<at::Tensor(const std::vector<at::Tensor>&)> libtorch;
  Tolerance f32{1e-5, 1e-5};
  Tolerance f64{1e-10, 1e-10};
  bool differentiable = true;  // compare gradients with LibTorch
  bool gradcheck = true;       // finite-difference check in f64
  tt::autograd::GradcheckOptions gradcheck_options{};
  std::vector<tt::DType> dtypes{tt::kFloat32, tt::kFloat64};
  uint64_t seed = 1234;
};

// A case with the default tolerances and checks; adjust its fields before check_op where needed.
OpCase make_case(std::string name, std::vector<Input> inputs, std::function<tt::Tensor(const TL&)> tinytorch,
                 std::function<at::Tensor(const AL&)> libtorch);

// The same for an op of one tensor, written as functions of that tensor.
OpCase unary_case(std::string name, Input input, std::function<tt::Tensor(const tt::Tensor&)> tinytorch,
                  std::function<at::Tensor(const at::Tensor&)> libtorch);

// An int64 input in [0, high) (indices, class targets) and a random bool mask.
Input index_input(tt::Shape shape, int64_t high, Layout layout = Layout::Contiguous);
Input bool_input(tt::Shape shape, Layout layout = Layout::Contiguous);

// Runs all checks of the case, reporting failures through GoogleTest (non-fatal).
void check_op(const OpCase& c);

// Inputs built exactly as check_op builds them (exposed for tests that need custom checks).
struct BuiltInputs {
  tt::TensorList tinytorch;  // what the op receives (layout views of the leaves)
  std::vector<at::Tensor> libtorch;
  tt::TensorList tinytorch_leaves;  // where gradients accumulate
  std::vector<at::Tensor> libtorch_leaves;
};
BuiltInputs build_inputs(const std::vector<Input>& inputs, tt::DType dtype, uint64_t seed);

}  // namespace tt_test
