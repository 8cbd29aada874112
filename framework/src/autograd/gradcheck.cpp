// Central-difference gradient check. The analytic Jacobian comes row by row from backward with a
// one-hot output gradient; the numeric one column by column from perturbing each input element.
#include "tinytorch/gradcheck.h"

#include <cmath>

#include "tinytorch/autograd.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/ops/creation.h"

namespace tinytorch::autograd {
namespace {
// Evaluates fn without recording and returns its output as doubles.
std::vector<double> evaluate(const std::function<Tensor(const TensorList&)>& fn, const TensorList& inputs) {
  NoGradGuard no_grad;
  return fn(inputs).to_vector<double>();
}
}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const TensorList&)>& fn, const TensorList& inputs,
                          const GradcheckOptions& options) {
  TensorList leaves;
  for (const Tensor& input : inputs) {
    TT_CHECK(!input.defined() || !input.requires_grad() || input.dtype() == kFloat64,
             "gradcheck: inputs that require grad must be float64 for accurate finite differences, got {}",
             dtype_name(input.dtype()));
    leaves.push_back(input.defined() ? input.detach().contiguous().clone().requires_grad_(input.requires_grad()) : input);
  }

  Tensor output;
  {
    EnableGradGuard grad_on;
    output = fn(leaves);
  }
  const int64_t n_out = output.numel();

  // analytic[i][o * n_in + k]: d output[o] / d input_i[k].
  std::vector<std::vector<double>> analytic(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i)
    if (leaves[i].defined() && leaves[i].requires_grad())
      analytic[i].assign(static_cast<size_t>(n_out * leaves[i].numel()), 0.0);
  if (output.requires_grad()) {
    for (int64_t o = 0; o < n_out; ++o) {
      for (auto& leaf : leaves)
        if (leaf.defined()) leaf.set_grad(Tensor());
      Tensor one_hot = zeros({n_out}, output.dtype());
      one_hot.data_ptr<double>()[o] = 1.0;
      output.backward(one_hot.view(output.sizes()), /*retain_graph=*/true);
      for (size_t i = 0; i < leaves.size(); ++i) {
        if (analytic[i].empty() || !leaves[i].grad().defined()) continue;
        const std::vector<double> g = leaves[i].grad().to_vector<double>();
        for (size_t k = 0; k < g.size(); ++k) analytic[i][o * g.size() + k] = g[k];
      }
    }
  }

  GradcheckResult result;
  double worst_excess = 0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (analytic[i].empty()) continue;
    const int64_t n_in = leaves[i].numel();
    double* data = leaves[i].data_ptr<double>();
    for (int64_t k = 0; k < n_in; ++k) {
      const double saved = data[k];
      data[k] = saved + options.eps;
      const std::vector<double> plus = evaluate(fn, leaves);
      data[k] = saved - options.eps;
      const std::vector<double> minus = evaluate(fn, leaves);
      data[k] = saved;
      for (int64_t o = 0; o < n_out; ++o) {
        const double numeric = (plus[o] - minus[o]) / (2 * options.eps);
        const double exact = analytic[i][o * n_in + k];
        const double excess = std::fabs(numeric - exact) - (options.atol + options.rtol * std::fabs(numeric));
        if (excess > worst_excess || std::isnan(exact) != std::isnan(numeric)) {
          worst_excess = std::max(excess, worst_excess);
          result.ok = false;
          result.message = fmt::format(
              "gradcheck: input {} element {} -> output element {}: analytic {:.10g} vs numeric {:.10g} (atol {}, rtol {})",
              i, k, o, exact, numeric, options.atol, options.rtol);
        }
      }
    }
  }
  return result;
}

}  // namespace tinytorch::autograd
