// Tensor factories, named as in PyTorch.
#pragma once

#include <initializer_list>
#include <vector>

#include "tinytorch/generator.h"
#include "tinytorch/tensor.h"

namespace tinytorch {

Tensor empty(const Shape& shape, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, const Scalar& value, TensorOptions options = {});
Tensor scalar_tensor(const Scalar& value, TensorOptions options = {});
// Without options the dtype follows torch.arange: int64 if start, end and step are all integers, else float32.
Tensor arange(const Scalar& end, std::optional<TensorOptions> options = std::nullopt);
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1,
              std::optional<TensorOptions> options = std::nullopt);
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, TensorOptions options = {});

// Uniform [0, 1), standard normal, and integers in [low, high).
Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* generator = nullptr);
Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* generator = nullptr);
Tensor randint(int64_t low, int64_t high, const Shape& shape, TensorOptions options = kInt64,
               Generator* generator = nullptr);

Tensor empty_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor zeros_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& like, std::optional<DType> dtype = std::nullopt);
Tensor full_like(const Tensor& like, const Scalar& value, std::optional<DType> dtype = std::nullopt);
Tensor rand_like(const Tensor& like, Generator* generator = nullptr);
Tensor randn_like(const Tensor& like, Generator* generator = nullptr);

// Copies `values` into a new tensor of `shape` (default: 1-D). As torch::tensor: floating values give
// float32 and integers int64 unless options say otherwise.
template <class T>
Tensor tensor(const std::vector<T>& values, const Shape& shape = {}, std::optional<TensorOptions> options = {});
template <>
Tensor tensor<bool>(const std::vector<bool>& values, const Shape& shape, std::optional<TensorOptions> options);
template <>
Tensor tensor<int>(const std::vector<int>& values, const Shape& shape, std::optional<TensorOptions> options);
template <class T>
Tensor tensor(std::initializer_list<T> values, const Shape& shape = {}, std::optional<TensorOptions> options = {}) {
  return tensor(std::vector<T>(values), shape, options);
}

// Wraps caller-owned memory without copying; the caller keeps it alive while the tensor lives.
Tensor from_blob(void* data, const Shape& shape, DType dtype, const Shape& strides = {});
// Copies `shape`'s worth of elements of `dtype` from `data`.
Tensor from_buffer(const void* data, const Shape& shape, DType dtype);

}  // namespace tinytorch
