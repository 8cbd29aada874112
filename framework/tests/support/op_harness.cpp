#include "support/op_harness.h"

namespace tt_test {
namespace {

tt::Tensor make_values(const tt::Shape& shape, const Input& in, tt::DType dtype, tt::Generator& gen) {
  switch (in.domain) {
    case Domain::Normal: return tt::randn(shape, tt::kFloat64, &gen).to(dtype);
    case Domain::Positive: return (tt::rand(shape, tt::kFloat64, &gen) * 2.0 + 0.5).to(dtype);
    case Domain::Unit: return (tt::rand(shape, tt::kFloat64, &gen) * 0.9 + 0.05).to(dtype);
    case Domain::NonZero: {
      tt::Tensor magnitude = tt::rand(shape, tt::kFloat64, &gen) * 2.0 + 0.5;
      tt::Tensor sign = tt::where(tt::lt(tt::rand(shape, tt::kFloat64, &gen), 0.5), tt::full({}, -1.0, tt::kFloat64),
                                  tt::full({}, 1.0, tt::kFloat64));
      return (magnitude * sign).to(dtype);
    }
    case Domain::Index: return tt::randint(0, in.high, shape, tt::kInt64, &gen);
    case Domain::Bool: return tt::lt(tt::rand(shape, tt::kFloat64, &gen), 0.5);
  }
  return {};
}

// Storage shape for the layout, and the view that turns it back into the logical shape.
tt::Shape storage_shape(const Input& in) {
  tt::Shape s = in.shape;
  if (in.layout == Layout::Transposed && s.size() >= 2) std::swap(s[s.size() - 1], s[s.size() - 2]);
  if (in.layout == Layout::Strided && !s.empty()) s.back() *= 2;
  return s;
}

tt::Tensor apply_layout(const tt::Tensor& t, const Input& in) {
  if (in.layout == Layout::Transposed && in.shape.size() >= 2) return t.transpose(-1, -2);
  if (in.layout == Layout::Strided && !in.shape.empty()) return t.slice(-1, 0, std::nullopt, 2);
  return t;
}

at::Tensor apply_layout(const at::Tensor& t, const Input& in) {
  if (in.layout == Layout::Transposed && in.shape.size() >= 2) return t.transpose(-1, -2);
  if (in.layout == Layout::Strided && !in.shape.empty()) return t.slice(-1, 0, c10::nullopt, 2);
  return t;
}

bool wants_grad(const Input& in) { return in.requires_grad && in.domain != Domain::Index && in.domain != Domain::Bool; }

std::string describe(const OpCase& c, tt::DType dtype) { return c.name + " [" + tt::dtype_name(dtype) + "]"; }
}  // namespace

OpCase make_case(std::string name, std::vector<Input> inputs, std::function<tt::Tensor(const TL&)> tinytorch,
                 std::function<at::Tensor(const AL&)> libtorch) {
  OpCase c;
  c.name = std::move(name);
  c.inputs = std::move(inputs);
  c.tinytorch = std::move(tinytorch);
  c.libtorch = std::move(libtorch);
  return c;
}

OpCase unary_case(std::string name, Input input, std::function<tt::Tensor(const tt::Tensor&)> tinytorch,
                  std::function<at::Tensor(const at::Tensor&)> libtorch) {
  return make_case(
      std::move(name), {std::move(input)}, [f = std::move(tinytorch)](const TL& x) { return f(x[0]); },
      [f = std::move(libtorch)](const AL& x) { return f(x[0]); });
}

Input index_input(tt::Shape shape, int64_t high, Layout layout) {
  Input in{std::move(shape), Domain::Index, layout};
  in.high = high;
  return in;
}

Input bool_input(tt::Shape shape, Layout layout) { return Input{std::move(shape), Domain::Bool, layout}; }

BuiltInputs build_inputs(const std::vector<Input>& inputs, tt::DType dtype, uint64_t seed) {
  tt::Generator gen(seed);
  BuiltInputs built;
  for (const Input& in : inputs) {
    tt::Tensor base = make_values(storage_shape(in), in, dtype, gen);
    at::Tensor torch_base = to_torch(base);
    if (wants_grad(in)) {
      base.requires_grad_();
      torch_base.requires_grad_();
    }
    built.tinytorch_leaves.push_back(base);
    built.libtorch_leaves.push_back(torch_base);
    built.tinytorch.push_back(apply_layout(base, in));
    built.libtorch.push_back(apply_layout(torch_base, in));
  }
  return built;
}

void check_op(const OpCase& c) {
  for (tt::DType dtype : c.dtypes) {
    SCOPED_TRACE(describe(c, dtype));
    const Tolerance tol = dtype == tt::kFloat64 ? c.f64 : c.f32;
    BuiltInputs in = build_inputs(c.inputs, dtype, c.seed);
    tt::Tensor out = c.tinytorch(in.tinytorch);
    at::Tensor expected = c.libtorch(in.libtorch);
    EXPECT_TRUE(all_close(out, expected, tol.rtol, tol.atol, "forward"));
    if (!c.differentiable) continue;

    tt::Generator gen(c.seed + 1);
    tt::Tensor upstream = tt::randn(out.sizes(), tt::kFloat64, &gen).to(out.dtype());
    out.backward(upstream);
    expected.backward(to_torch(upstream));
    for (size_t i = 0; i < c.inputs.size(); ++i) {
      if (!wants_grad(c.inputs[i])) continue;
      const at::Tensor torch_grad = in.libtorch_leaves[i].grad();
      const tt::Tensor grad = in.tinytorch_leaves[i].grad();
      if (!torch_grad.defined()) {
        EXPECT_FALSE(grad.defined()) << "input " << i << ": LibTorch gives no gradient but TinyTorch does";
        continue;
      }
      EXPECT_TRUE(all_close(grad, torch_grad, tol.rtol, tol.atol, "gradient of input " + std::to_string(i)));
    }
  }

  if (c.gradcheck) {
    SCOPED_TRACE(c.name + " [gradcheck]");
    BuiltInputs in = build_inputs(c.inputs, tt::kFloat64, c.seed);
    const auto result = tt::autograd::gradcheck(c.tinytorch, in.tinytorch, c.gradcheck_options);
    EXPECT_TRUE(result.ok) << result.message;
  }
}

}  // namespace tt_test
