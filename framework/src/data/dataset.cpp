// TensorDataset: examples are views of rows of two in-memory tensors.
#include "tinytorch/data/dataset.h"

namespace tinytorch::data {

TensorDataset::TensorDataset(Tensor data, Tensor targets) : data_(std::move(data)), targets_(std::move(targets)) {
  TT_CHECK(data_.defined() && targets_.defined() && data_.dim() >= 1 && targets_.dim() >= 1,
           "TensorDataset: data and targets must be defined tensors with at least one dim");
  TT_CHECK(data_.size(0) == targets_.size(0),
           "TensorDataset: data of shape {} and targets of shape {} have different first dims; both index examples",
           shape_str(data_.sizes()), shape_str(targets_.sizes()));
}

Example TensorDataset::get(int64_t index) const {
  TT_CHECK(index >= 0 && index < size(), "TensorDataset: index {} is out of range for a dataset of {} examples", index,
           size());
  return {data_.select(0, index), targets_.select(0, index)};
}

}  // namespace tinytorch::data
