// Fashion-MNIST (Xiao et al. 2017): 28x28 grey images of 10 clothing classes, 60000 for training and
// 10000 for testing. By default read from the Debian package dataset-fashion-mnist; any directory
// holding the four IDX files (gzip-compressed or not) works.
#pragma once

#include <array>
#include <string>

#include "tinytorch/data/dataset.h"
#include "tinytorch/data/idx.h"

namespace tinytorch::data {

class FashionMNIST : public Dataset {
 public:
  static constexpr const char* kDefaultRoot = "/usr/share/datasets/fashion-mnist";
  static const std::array<const char*, 10> kClasses;  // "T-shirt/top", "Trouser", ...

  // Loads the training (60000) or test (10000) split. A missing file throws naming the expected
  // path and the package to install.
  explicit FashionMNIST(const std::string& root = kDefaultRoot, bool train = true);

  int64_t size() const override { return images_.dims[0]; }
  // data: float32 [1, 28, 28] with values in [0, 1] (as torchvision's ToTensor); target: int64 scalar.
  Example get(int64_t index) const override;

 private:
  IdxArray images_, labels_;
};

}  // namespace tinytorch::data
