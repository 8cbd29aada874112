// Binary pointwise ops against LibTorch: broadcasting, non-contiguous inputs, f32/f64, gradcheck.
#include "support/op_harness.h"

namespace {
using tt_test::check_op;
using tt_test::Domain;
using tt_test::Input;
using tt_test::Layout;
using tt_test::OpCase;
using TL = tt::TensorList;
using AL = std::vector<at::Tensor>;

// Shapes each binary op is checked on: equal, broadcast both ways, transposed and strided operands.
std::vector<std::vector<Input>> binary_shapes(Domain a_domain, Domain b_domain) {
  return {
      {{{3, 4}, a_domain}, {{3, 4}, b_domain}},
      {{{2, 3, 4}, a_domain}, {{4}, b_domain}},
      {{{3, 1}, a_domain}, {{1, 5}, b_domain}},
      {{{4, 3}, a_domain, Layout::Transposed}, {{4, 3}, b_domain, Layout::Strided}},
      {{{}, a_domain}, {{2, 3}, b_domain, Layout::Transposed}},
  };
}

void check_binary(const std::string& name, Domain a_domain, Domain b_domain,
                  std::function<tt::Tensor(const TL&)> tt_fn, std::function<at::Tensor(const AL&)> torch_fn) {
  int variant = 0;
  for (const auto& inputs : binary_shapes(a_domain, b_domain)) {
    OpCase c;
    c.name = name + "#" + std::to_string(variant++);
    c.inputs = inputs;
    c.tinytorch = tt_fn;
    c.libtorch = torch_fn;
    check_op(c);
  }
}

TEST(ElementwiseBinary, Add) {
  check_binary("add", Domain::Normal, Domain::Normal, [](const TL& x) { return tt::add(x[0], x[1], 0.5); },
               [](const AL& x) { return torch::add(x[0], x[1], 0.5); });
}

TEST(ElementwiseBinary, Sub) {
  check_binary("sub", Domain::Normal, Domain::Normal, [](const TL& x) { return x[0] - x[1]; },
               [](const AL& x) { return x[0] - x[1]; });
}

TEST(ElementwiseBinary, Mul) {
  check_binary("mul", Domain::Normal, Domain::Normal, [](const TL& x) { return x[0] * x[1]; },
               [](const AL& x) { return x[0] * x[1]; });
}

TEST(ElementwiseBinary, Div) {
  check_binary("div", Domain::Normal, Domain::NonZero, [](const TL& x) { return x[0] / x[1]; },
               [](const AL& x) { return x[0] / x[1]; });
}
}  // namespace
