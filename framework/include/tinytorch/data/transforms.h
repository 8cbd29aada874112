// Per-example transforms (as torchvision.transforms) and TransformDataset, which applies one to a
// dataset's examples. Random transforms draw from the Generator they are given; TransformDataset
// seeds it from (seed, epoch, index), so augmentation is reproducible and identical for any number
// of DataLoader workers.
#pragma once

#include <memory>
#include <vector>

#include "tinytorch/data/dataset.h"
#include "tinytorch/generator.h"

namespace tinytorch::data {

class Transform {
 public:
  virtual ~Transform() = default;
  // x is one example's data, e.g. an image [C, H, W].
  virtual Tensor operator()(const Tensor& x, Generator& generator) const = 0;
};

// (x - mean[c]) / std[c] per channel (dim 0); one value applies to every channel.
class Normalize : public Transform {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std);
  Tensor operator()(const Tensor& x, Generator& generator) const override;

 private:
  std::vector<double> mean_, std_;
};

// Zero-pads the last two dims by `padding` on every side, then cuts a size x size window at a
// uniformly drawn position.
class RandomCrop : public Transform {
 public:
  explicit RandomCrop(int64_t size, int64_t padding = 0);
  Tensor operator()(const Tensor& x, Generator& generator) const override;

 private:
  int64_t size_, padding_;
};

// Mirrors the last dim with probability p.
class RandomHorizontalFlip : public Transform {
 public:
  explicit RandomHorizontalFlip(double p = 0.5);
  Tensor operator()(const Tensor& x, Generator& generator) const override;

 private:
  double p_;
};

// Applies the transforms in order.
class Compose : public Transform {
 public:
  explicit Compose(std::vector<std::shared_ptr<Transform>> transforms) : transforms_(std::move(transforms)) {}
  Tensor operator()(const Tensor& x, Generator& generator) const override;

 private:
  std::vector<std::shared_ptr<Transform>> transforms_;
};

// The base dataset's examples with `transform` applied to their data.
class TransformDataset : public Dataset {
 public:
  TransformDataset(std::shared_ptr<Dataset> base, std::shared_ptr<Transform> transform, uint64_t seed = 0);
  int64_t size() const override { return base_->size(); }
  Example get(int64_t index) const override;
  void set_epoch(int64_t epoch) override;

 private:
  std::shared_ptr<Dataset> base_;
  std::shared_ptr<Transform> transform_;
  uint64_t seed_;
  int64_t epoch_ = 0;
};

}  // namespace tinytorch::data
