// Example transforms and TransformDataset's per-example generator seeding.
#include "tinytorch/data/transforms.h"

#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/indexing.h"

namespace tinytorch::data {
namespace {
// One well-mixed 64-bit seed per (seed, epoch, index), so neighbouring examples get unrelated streams.
uint64_t mix(uint64_t seed, int64_t epoch, int64_t index) {
  uint64_t h = seed;
  for (uint64_t v : {static_cast<uint64_t>(epoch), static_cast<uint64_t>(index)}) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h = (h ^ (h >> 31)) * 0xbf58476d1ce4e5b9ull;
  }
  return h;
}

void check_image(const Tensor& x, const char* op) {
  TT_CHECK(x.defined() && x.dim() >= 2 && x.is_floating_point(),
           "{}: expects a floating-point image with at least 2 dims [..., H, W], got {}", op,
           x.defined() ? fmt::format("{} of shape {}", dtype_name(x.dtype()), shape_str(x.sizes())) : "undefined");
}

// [C] tensor of per-channel values viewed as [C, 1, ..., 1] for broadcasting over x.
Tensor per_channel(const std::vector<double>& values, const Tensor& x) {
  Shape shape(static_cast<size_t>(x.dim()), 1);
  shape[0] = static_cast<int64_t>(values.size());
  return tensor(values, {static_cast<int64_t>(values.size())}, TensorOptions(x.dtype())).view(shape);
}
}  // namespace

Normalize::Normalize(std::vector<double> mean, std::vector<double> std) : mean_(std::move(mean)), std_(std::move(std)) {
  TT_CHECK(!mean_.empty() && mean_.size() == std_.size(),
           "Normalize: got {} means and {} standard deviations; pass one of each per channel", mean_.size(),
           std_.size());
  for (double s : std_) TT_CHECK(s != 0.0, "Normalize: a standard deviation is 0, which would divide by zero");
}

Tensor Normalize::operator()(const Tensor& x, Generator&) const {
  check_image(x, "Normalize");
  const int64_t channels = static_cast<int64_t>(mean_.size());
  TT_CHECK(channels == 1 || (x.dim() >= 3 && x.size(0) == channels),
           "Normalize: {} channel values for an image of shape {}; pass one value or one per channel (dim 0)", channels,
           shape_str(x.sizes()));
  return (x - per_channel(mean_, x)) / per_channel(std_, x);
}

RandomCrop::RandomCrop(int64_t size, int64_t padding) : size_(size), padding_(padding) {
  TT_CHECK(size > 0 && padding >= 0, "RandomCrop: size must be positive and padding non-negative, got {} and {}", size,
           padding);
}

Tensor RandomCrop::operator()(const Tensor& x, Generator& generator) const {
  check_image(x, "RandomCrop");
  const int64_t h = x.size(-2), w = x.size(-1);
  TT_CHECK(size_ <= h + 2 * padding_ && size_ <= w + 2 * padding_,
           "RandomCrop: a {}x{} crop does not fit an image of shape {} padded by {}; lower the size or raise the "
           "padding",
           size_, size_, shape_str(x.sizes()), padding_);
  // Window position in padded coordinates, then its overlap with the unpadded image.
  const int64_t top = static_cast<int64_t>(generator.next_u64() % static_cast<uint64_t>(h + 2 * padding_ - size_ + 1));
  const int64_t left = static_cast<int64_t>(generator.next_u64() % static_cast<uint64_t>(w + 2 * padding_ - size_ + 1));
  Shape shape = x.sizes();
  shape[shape.size() - 2] = size_;
  shape[shape.size() - 1] = size_;
  Tensor out = zeros(shape, x.dtype());
  const int64_t y0 = std::max<int64_t>(top - padding_, 0), y1 = std::min(top - padding_ + size_, h);
  const int64_t x0 = std::max<int64_t>(left - padding_, 0), x1 = std::min(left - padding_ + size_, w);
  if (y1 > y0 && x1 > x0) {
    out.narrow(-2, y0 - (top - padding_), y1 - y0)
        .narrow(-1, x0 - (left - padding_), x1 - x0)
        .copy_(x.narrow(-2, y0, y1 - y0).narrow(-1, x0, x1 - x0));
  }
  return out;
}

RandomHorizontalFlip::RandomHorizontalFlip(double p) : p_(p) {
  TT_CHECK(p >= 0.0 && p <= 1.0, "RandomHorizontalFlip: p must be in [0, 1], got {}", p);
}

Tensor RandomHorizontalFlip::operator()(const Tensor& x, Generator& generator) const {
  check_image(x, "RandomHorizontalFlip");
  if (generator.next_uniform() >= p_) return x;
  return index_select(x, -1, arange(x.size(-1) - 1, -1, -1));
}

Tensor Compose::operator()(const Tensor& x, Generator& generator) const {
  Tensor out = x;
  for (const auto& transform : transforms_) out = (*transform)(out, generator);
  return out;
}

TransformDataset::TransformDataset(std::shared_ptr<Dataset> base, std::shared_ptr<Transform> transform, uint64_t seed)
    : base_(std::move(base)), transform_(std::move(transform)), seed_(seed) {
  TT_CHECK(base_ && transform_, "TransformDataset: the base dataset and the transform must not be null");
}

Example TransformDataset::get(int64_t index) const {
  Example example = base_->get(index);
  Generator generator(mix(seed_, epoch_, index));
  example.data = (*transform_)(example.data, generator);
  return example;
}

void TransformDataset::set_epoch(int64_t epoch) {
  epoch_ = epoch;
  base_->set_epoch(epoch);
}

}  // namespace tinytorch::data
