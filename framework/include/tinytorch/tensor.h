// Tensor: a strided view (shape, strides, offset, dtype) onto shared Storage, plus the autograd
// metadata that links it into the graph. Copying a Tensor copies the handle, not the data, exactly
// like torch::Tensor.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tinytorch/device.h"
#include "tinytorch/dtype.h"
#include "tinytorch/error.h"
#include "tinytorch/shape.h"
#include "tinytorch/storage.h"

namespace tinytorch {

namespace autograd {
class Node;
}

class Tensor;
using TensorList = std::vector<Tensor>;
using GradHook = std::function<Tensor(const Tensor&)>;

struct TensorImpl {
  TensorImpl(std::shared_ptr<Storage> storage, Shape sizes, Shape strides, int64_t offset, DType dtype);
  ~TensorImpl();
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  std::shared_ptr<Storage> storage;
  Shape sizes;
  Shape strides;
  int64_t offset = 0;  // in elements
  DType dtype = kFloat32;

  // Autograd metadata. A leaf that requires grad has no grad_fn; its gradient is accumulated into
  // `grad` by a lazily created AccumulateGrad node, shared by every use of the leaf.
  bool requires_grad = false;
  std::shared_ptr<autograd::Node> grad_fn;
  std::weak_ptr<autograd::Node> grad_accumulator;
  std::shared_ptr<TensorImpl> grad;
  std::vector<GradHook> leaf_hooks;
};

struct TensorOptions {
  TensorOptions() = default;
  TensorOptions(DType dtype) : dtype_(dtype) {}  // NOLINT: lets tt::zeros({2}, tt::kFloat64) read naturally
  TensorOptions dtype(DType value) const { auto o = *this; o.dtype_ = value; return o; }
  TensorOptions requires_grad(bool value) const { auto o = *this; o.requires_grad_ = value; return o; }
  TensorOptions device(Device value) const { auto o = *this; o.device_ = value; return o; }
  DType dtype() const { return dtype_; }
  bool requires_grad() const { return requires_grad_; }
  Device device() const { return device_; }

 private:
  DType dtype_ = kFloat32;
  bool requires_grad_ = false;
  Device device_ = Device::CPU;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- metadata ----
  const Shape& sizes() const { return checked().sizes; }
  const Shape& shape() const { return sizes(); }
  int64_t size(int64_t dim) const;
  const Shape& strides() const { return checked().strides; }
  int64_t stride(int64_t dim) const;
  int64_t storage_offset() const { return checked().offset; }
  int64_t dim() const { return static_cast<int64_t>(sizes().size()); }
  int64_t numel() const { return numel_of(sizes()); }
  DType dtype() const { return checked().dtype; }
  Device device() const { return checked().storage->device(); }
  size_t element_size() const { return tinytorch::element_size(dtype()); }
  bool is_contiguous() const;
  bool is_floating_point() const { return is_floating(dtype()); }
  const std::shared_ptr<Storage>& storage() const { return checked().storage; }

  // Typed pointer to the first element (offset applied). Throws if T does not match dtype().
  template <class T>
  T* data_ptr() const;
  void* raw_data() const;
  // Value of a one-element tensor.
  template <class T>
  T item() const;
  double item() const;
  // Copies the elements out in logical (row-major) order.
  template <class T>
  std::vector<T> to_vector() const;

  // ---- autograd ----
  bool requires_grad() const { return checked().requires_grad; }
  Tensor& requires_grad_(bool requires = true);
  bool is_leaf() const { return checked().grad_fn == nullptr; }
  const std::shared_ptr<autograd::Node>& grad_fn() const { return checked().grad_fn; }
  Tensor grad() const;
  void set_grad(const Tensor& grad);
  // Reverse-mode differentiation from this tensor. `gradient` may be omitted for a one-element
  // tensor; without retain_graph the graph's saved tensors are freed and a second call fails.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  Tensor detach() const;
  Tensor& detach_();
  // Hook called with the gradient flowing into this tensor; may return a replacement.
  void register_hook(GradHook hook) const;
  // Keeps .grad() of a non-leaf tensor after backward.
  void retain_grad() const;

  // ---- conversion and copies ----
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;
  Tensor contiguous() const;
  Tensor clone() const;

  // ---- views (share storage) ----
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(const Shape& dims) const;
  Tensor t() const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start = std::nullopt, std::optional<int64_t> end = std::nullopt,
               int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor expand(const Shape& shape) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }

  // ---- math (forwarders to the free functions of the same name) ----
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor neg() const;
  Tensor pow(const Scalar& exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor abs() const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor matmul(const Tensor& other) const;
  Tensor sum() const;
  Tensor sum(const Shape& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const Shape& dims, bool keepdim = false) const;
  Tensor max() const;
  Tensor min() const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  Tensor eq(const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;

  // ---- in-place (allowed on tensors outside the graph or under NoGradGuard) ----
  Tensor& zero_();
  Tensor& fill_(const Scalar& value);
  Tensor& copy_(const Tensor& src);
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(const Scalar& value);

  std::string to_string() const;

 private:
  const TensorImpl& checked() const {
    TT_CHECK(impl_ != nullptr, "tensor: operation on an undefined tensor; construct it first (e.g. tt::zeros)");
    return *impl_;
  }
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& tensor);

template <class T>
T* Tensor::data_ptr() const {
  TT_CHECK(dtype() == dtype_of<T>::value, "data_ptr: tensor has dtype {} but {} was requested", dtype_name(dtype()),
           dtype_name(dtype_of<T>::value));
  return static_cast<T*>(raw_data());
}

template <class T>
T Tensor::item() const {
  TT_CHECK(numel() == 1, "item: tensor of shape {} has {} elements, item() needs exactly one; reduce it first",
           shape_str(sizes()), numel());
  return static_cast<T>(item());
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  Tensor dense = to(dtype_of<T>::value).contiguous();
  const T* data = dense.data_ptr<T>();
  return std::vector<T>(data, data + dense.numel());
}

}  // namespace tinytorch
