// PyTorch-style printing: tensor([[0.1000, 2.0000], ...], dtype=float64, grad_fn=<MulBackward>).
#include <cmath>
#include <sstream>

#include "tinytorch/autograd.h"
#include "tinytorch/tensor.h"

namespace tinytorch {
namespace {
constexpr int64_t kSummarizeAbove = 1000;  // as torch's print threshold
constexpr int64_t kEdgeItems = 3;

struct Formatter {
  bool floating = false;
  bool is_bool = false;
  bool scientific = false;
  bool all_integral = true;
  size_t width = 0;

  std::string format(double v) const {
    if (is_bool) return v != 0 ? "True" : "False";
    if (!floating) return fmt::format("{}", static_cast<int64_t>(v));
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (scientific) return fmt::format("{:.4e}", v);
    if (all_integral) return fmt::format("{:.0f}.", v);
    return fmt::format("{:.4f}", v);
  }
};

void print_recursive(std::ostringstream& os, const std::vector<double>& values, const Shape& shape,
                     const Shape& strides, int64_t offset, size_t dim, const Formatter& f, bool summarize,
                     size_t indent) {
  if (shape.empty()) {
    os << f.format(values[offset]);
    return;
  }
  const int64_t n = shape[dim];
  const bool elide = summarize && n > 2 * kEdgeItems;
  os << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (elide && i == kEdgeItems) {
      os << (dim + 1 == shape.size() ? "..., " : "...,\n" + std::string(indent + dim + 1, ' '));
      i = n - kEdgeItems;
    }
    const int64_t at = offset + i * strides[dim];
    if (dim + 1 == shape.size()) {
      std::string text = f.format(values[at]);
      os << std::string(f.width - std::min(f.width, text.size()), ' ') << text;
    } else {
      print_recursive(os, values, shape, strides, at, dim + 1, f, summarize, indent);
    }
    if (i + 1 < n) {
      if (dim + 1 == shape.size())
        os << ", ";
      else
        os << ',' << std::string(shape.size() - dim - 1, '\n') << std::string(indent + dim + 1, ' ');
    }
  }
  os << ']';
}
}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "tensor(undefined)";
  const std::vector<double> values = to_vector<double>();
  Formatter f;
  f.floating = is_floating(dtype());
  f.is_bool = dtype() == kBool;
  double max_abs = 0, min_abs = INFINITY;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (v != std::floor(v)) f.all_integral = false;
    max_abs = std::max(max_abs, std::fabs(v));
    if (v != 0) min_abs = std::min(min_abs, std::fabs(v));
  }
  if (f.floating && !f.all_integral && (max_abs >= 1e8 || (min_abs < 1e-4) || max_abs / min_abs > 1000))
    f.scientific = true;
  if (f.floating && f.all_integral && max_abs >= 1e8) f.scientific = true;
  for (double v : values) f.width = std::max(f.width, f.format(v).size());

  std::ostringstream os;
  os << "tensor(";
  print_recursive(os, values, sizes(), contiguous_strides(sizes()), 0, 0, f, numel() > kSummarizeAbove, 7);
  if (dtype() != kFloat32 && dtype() != kInt64 && dtype() != kBool) os << ", dtype=" << dtype_name(dtype());
  if (grad_fn())
    os << ", grad_fn=<" << grad_fn()->name() << '>';
  else if (requires_grad())
    os << ", requires_grad=True";
  os << ')';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& tensor) { return os << tensor.to_string(); }

}  // namespace tinytorch
