// Integer-index gathers and scatters. Index tensors are int64.
#pragma once

#include "tinytorch/tensor.h"

namespace tinytorch {

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
// Returns x with src added at `index` along dim (out-of-place, as torch.scatter_add).
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
// Rows of weight [num_embeddings, dim] picked by indices of any shape; rows equal to padding_idx
// get no gradient (-1: none).
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1);

}  // namespace tinytorch
