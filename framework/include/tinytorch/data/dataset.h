// Dataset interface (as torch.utils.data.Dataset: a size and random access to examples) and
// TensorDataset, which serves slices of in-memory tensors.
#pragma once

#include <cstdint>

#include "tinytorch/tensor.h"

namespace tinytorch::data {

struct Example {
  Tensor data;
  Tensor target;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Must be safe to call from several threads at once: DataLoader workers do.
  virtual Example get(int64_t index) const = 0;
  // Called by the DataLoader before each epoch, while no worker runs; datasets with per-epoch
  // randomness (augmentation) derive it from the epoch so results do not depend on thread timing.
  virtual void set_epoch(int64_t /*epoch*/) {}
};

// Example i is (data[i], targets[i]); both tensors must have the same first dimension.
class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor data, Tensor targets);
  int64_t size() const override { return data_.size(0); }
  Example get(int64_t index) const override;

 private:
  Tensor data_, targets_;
};

}  // namespace tinytorch::data
