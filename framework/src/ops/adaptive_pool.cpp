// adaptive_avg_pool2d: average pooling whose regions are chosen to give a requested output size.
// When the output size divides the input it is plain avg_pool2d; otherwise the regions overlap
// unevenly, and since each region is a product of a row interval and a column interval, the
// average is taken one spatial dim at a time (narrow + mean + cat), so autograd gives the gradient.
#include "tinytorch/ops/nn_functional.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {
namespace {

// Averages dim `dim` of x (size n) down to `out` entries over PyTorch's adaptive regions.
Tensor adaptive_mean_along(const Tensor& x, int64_t dim, int64_t out) {
  const int64_t n = x.size(dim);
  TensorList parts;
  parts.reserve(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = (i * n) / out;
    const int64_t end = ((i + 1) * n + out - 1) / out;
    parts.push_back(mean(x.narrow(dim, start, end - start), {dim}, true));
  }
  return cat(parts, dim);
}
}  // namespace

Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size) {
  TT_CHECK(x.dim() == 4 || x.dim() == 3,
           "adaptive_avg_pool2d: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got shape {}; reshape it to NCHW",
           shape_str(x.sizes()));
  TT_CHECK(x.dtype() == kFloat32 || x.dtype() == kFloat64,
           "adaptive_avg_pool2d: input dtype must be float32 or float64, got {}; convert with .to(tt::kFloat32)",
           dtype_name(x.dtype()));
  TT_CHECK(output_size[0] >= 1 && output_size[1] >= 1,
           "adaptive_avg_pool2d: output_size must be >= 1 in both dims, got {}",
           shape_str({output_size[0], output_size[1]}));
  const int64_t h = x.size(-2), w = x.size(-1);
  TT_CHECK(h >= 1 && w >= 1, "adaptive_avg_pool2d: input of shape {} has an empty spatial dim; pass a non-empty image",
           shape_str(x.sizes()));
  if (h % output_size[0] == 0 && w % output_size[1] == 0)
    return avg_pool2d(x, {h / output_size[0], w / output_size[1]});
  return adaptive_mean_along(adaptive_mean_along(x, x.dim() - 2, output_size[0]), x.dim() - 1, output_size[1]);
}

}  // namespace tinytorch
