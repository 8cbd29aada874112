// PyTorch-style printing: tensor([[0.1000, 2.0000], ...], dtype=float64, grad_fn=<MulBackward>).
#include <cmath>
#include <sstream>

#include "tinytorch/autograd.h"
#include "tinytorch/tensor.h"

namespace tinytorch {
namespace {
constexpr int64_t kSummarizeAbove = 1000;  // as torch's print threshold
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kLineWidth = 80;

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

// The values that will be shown (every edge item when summarizing); as in PyTorch, the number
// format is chosen from these alone, so elided values cannot change it.
void collect_shown(const std::vector<double>& values, const Shape& shape, const Shape& strides, int64_t offset,
                   size_t dim, bool summarize, std::vector<double>& out) {
  if (dim == shape.size()) {
    out.push_back(values[offset]);
    return;
  }
  const int64_t n = shape[dim];
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) i = n - kEdgeItems;
    collect_shown(values, shape, strides, offset + i * strides[dim], dim + 1, summarize, out);
  }
}

// `indent` is the column of the outermost '['; rows of the last dim wrap at kLineWidth.
void print_recursive(std::ostringstream& os, const std::vector<double>& values, const Shape& shape,
                     const Shape& strides, int64_t offset, size_t dim, const Formatter& f, bool summarize,
                     size_t indent) {
  if (shape.empty()) {
    os << f.format(values[offset]);
    return;
  }
  const int64_t n = shape[dim];
  const bool elide = summarize && n > 2 * kEdgeItems;
  const std::string margin(indent + dim + 1, ' ');
  os << '[';
  if (dim + 1 == shape.size()) {
    std::vector<std::string> items;
    for (int64_t i = 0; i < n; ++i) {
      if (elide && i == kEdgeItems) {
        items.emplace_back(" ...");
        i = n - kEdgeItems;
      }
      const std::string text = f.format(values[offset + i * strides[dim]]);
      items.push_back(std::string(f.width - std::min(f.width, text.size()), ' ') + text);
    }
    const int64_t per_line =
        std::max<int64_t>(1, (kLineWidth - static_cast<int64_t>(indent + dim)) / static_cast<int64_t>(f.width + 2));
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) os << (static_cast<int64_t>(i) % per_line == 0 ? ",\n" + margin : ", ");
      os << items[i];
    }
  } else {
    // Blank lines between blocks grow with the number of dims below, as in PyTorch.
    const std::string separator = "," + std::string(shape.size() - dim - 1, '\n') + margin;
    for (int64_t i = 0; i < n; ++i) {
      if (i > 0) os << separator;
      if (elide && i == kEdgeItems) {
        os << "..." << separator;
        i = n - kEdgeItems;
      }
      print_recursive(os, values, shape, strides, offset + i * strides[dim], dim + 1, f, summarize, indent);
    }
  }
  os << ']';
}
}  // namespace

std::string Tensor::to_string() const {
  if (!defined()) return "tensor(undefined)";
  const std::vector<double> values = to_vector<double>();
  const Shape strides = contiguous_strides(sizes());
  const bool summarize = numel() > kSummarizeAbove;
  std::vector<double> shown;
  collect_shown(values, sizes(), strides, 0, 0, summarize, shown);
  Formatter f;
  f.floating = is_floating(dtype());
  f.is_bool = dtype() == kBool;
  // Floats: the format depends on the nonzero finite values only (PyTorch's _Formatter).
  double max_abs = 0, min_abs = INFINITY;
  for (double v : shown) {
    if (!std::isfinite(v) || v == 0) continue;
    if (v != std::floor(v)) f.all_integral = false;
    max_abs = std::max(max_abs, std::fabs(v));
    min_abs = std::min(min_abs, std::fabs(v));
  }
  if (f.floating && max_abs > 0) {
    const bool wide_range = max_abs / min_abs > 1000 || max_abs > 1e8;
    f.scientific = wide_range || (!f.all_integral && min_abs < 1e-4);
  }
  f.width = 1;
  for (double v : shown)
    if (!f.floating || (std::isfinite(v) && v != 0)) f.width = std::max(f.width, f.format(v).size());

  std::ostringstream os;
  os << "tensor(";
  if (numel() == 0) {
    // Nothing to infer the dtype from, so only float32 goes unnamed; a shape other than [0] is shown.
    os << "[]";
    if (dim() != 1) os << ", size=(" << fmt::format("{}", fmt::join(sizes(), ", ")) << ')';
    if (dtype() != kFloat32) os << ", dtype=" << dtype_name(dtype());
  } else {
    print_recursive(os, values, sizes(), strides, 0, 0, f, summarize, 7);
    if (dtype() != kFloat32 && dtype() != kInt64 && dtype() != kBool) os << ", dtype=" << dtype_name(dtype());
  }
  if (grad_fn())
    os << ", grad_fn=<" << grad_fn()->name() << '>';
  else if (requires_grad())
    os << ", requires_grad=True";
  os << ')';
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& tensor) { return os << tensor.to_string(); }

}  // namespace tinytorch
