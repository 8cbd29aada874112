// Tensor handle methods: metadata, autograd entry points, conversions, in-place updates. Math
// methods forward to the free functions in ops/, which own the forward/backward definitions.
#include "tinytorch/tensor.h"

#include <atomic>

#include "autograd/function.h"
#include "kernels/dispatch.h"
#include "kernels/kernel_table.h"
#include "tinytorch/grad_mode.h"
#include "tinytorch/memory.h"
#include "tinytorch/ops/creation.h"
#include "tinytorch/ops/elementwise.h"
#include "tinytorch/ops/linalg.h"
#include "tinytorch/ops/nn_functional.h"
#include "tinytorch/ops/reduction.h"
#include "tinytorch/ops/shape_ops.h"

namespace tinytorch {
namespace {
std::atomic<int64_t> g_live_tensors{0};

// In-place writes are not differentiable here; they are meant for optimizers and initialisation.
void check_inplace(const Tensor& self, const char* op) {
  TT_CHECK(!(GradMode::is_enabled() && self.requires_grad()),
           "{}: a tensor of shape {} that requires grad cannot be modified in place while grad mode is on; wrap the "
           "update in tt::NoGradGuard (as optimizers do) or use the out-of-place op",
           op, shape_str(self.sizes()));
}
}  // namespace

int64_t memory::live_tensors() { return g_live_tensors.load(); }

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage_, Shape sizes_, Shape strides_, int64_t offset_, DType dtype_)
    : storage(std::move(storage_)), sizes(std::move(sizes_)), strides(std::move(strides_)), offset(offset_), dtype(dtype_) {
  g_live_tensors.fetch_add(1);
}

TensorImpl::~TensorImpl() { g_live_tensors.fetch_sub(1); }

int64_t Tensor::size(int64_t dim) const { return sizes()[wrap_dim(dim, this->dim(), "size")]; }
int64_t Tensor::stride(int64_t dim) const { return strides()[wrap_dim(dim, this->dim(), "stride")]; }

bool Tensor::is_contiguous() const {
  int64_t expected = 1;
  for (int64_t d = dim() - 1; d >= 0; --d) {
    if (sizes()[d] == 1) continue;
    if (strides()[d] != expected) return false;
    expected *= sizes()[d];
  }
  return true;
}

void* Tensor::raw_data() const {
  return static_cast<char*>(storage()->data()) + storage_offset() * static_cast<int64_t>(element_size());
}

double Tensor::item() const {
  TT_CHECK(numel() == 1, "item: tensor of shape {} has {} elements, item() needs exactly one; reduce it first",
           shape_str(sizes()), numel());
  double value = 0;
  kernels::dispatch_all(dtype(), "item", [&](auto tag) {
    using T = decltype(tag);
    value = static_cast<double>(static_cast<const T*>(raw_data())[0]);
  });
  return value;
}

Tensor& Tensor::requires_grad_(bool requires) {
  TT_CHECK(is_leaf(), "requires_grad_: only leaf tensors can change requires_grad; this one is the output of {} "
                      "(use .detach().requires_grad_() for a new leaf)",
           grad_fn()->name());
  TT_CHECK(!requires || is_floating(dtype()),
           "requires_grad_: only floating-point tensors can require gradients, got {}; convert with .to(tt::kFloat32)",
           dtype_name(dtype()));
  impl_->requires_grad = requires;
  return *this;
}

Tensor Tensor::grad() const { return checked().grad ? Tensor(checked().grad) : Tensor(); }

void Tensor::set_grad(const Tensor& grad) {
  TT_CHECK(!grad.defined() || grad.sizes() == sizes(), "set_grad: gradient of shape {} does not match tensor shape {}",
           shape_str(grad.defined() ? grad.sizes() : Shape{}), shape_str(sizes()));
  impl_->grad = grad.defined() ? grad.impl_ptr() : nullptr;
}

void Tensor::backward(const Tensor& gradient, bool retain_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph);
}

Tensor Tensor::detach() const {
  const TensorImpl& self = checked();
  return Tensor(std::make_shared<TensorImpl>(self.storage, self.sizes, self.strides, self.offset, self.dtype));
}

Tensor& Tensor::detach_() {
  checked();
  impl_->grad_fn = nullptr;
  impl_->requires_grad = false;
  return *this;
}

void Tensor::register_hook(GradHook hook) const {
  TT_CHECK(requires_grad(), "register_hook: the tensor does not require grad, so no gradient will reach the hook; "
                            "call requires_grad_() first");
  if (is_leaf())
    impl_->leaf_hooks.push_back(std::move(hook));
  else
    grad_fn()->pre_hooks.push_back(std::move(hook));
}

void Tensor::retain_grad() const {
  if (is_leaf()) return;
  std::weak_ptr<TensorImpl> weak = impl_;  // weak: the hook lives on our own grad_fn
  register_hook([weak](const Tensor& grad) {
    if (auto impl = weak.lock()) {
      Tensor self(impl);
      Tensor existing = self.grad();
      self.set_grad(existing.defined() ? existing + grad : grad.clone());
    }
    return Tensor();
  });
}

Tensor Tensor::to(DType target) const {
  if (dtype() == target) return *this;
  Tensor out = empty(sizes(), target);
  kernels::active_kernels().copy(out, *this);
  if (is_floating(target) && is_floating(dtype()))
    autograd::record("ToCopyBackward", out, {*this},
                     [](const Tensor& g, const autograd::Needs&) { return TensorList{g}; });
  return out;
}

Tensor Tensor::to(Device target) const {
  TT_CHECK(target == Device::CPU,
           "to: device {} is not available: this build has no CUDA backend (configure with -DTINYTORCH_CUDA=ON on a "
           "machine with nvcc)",
           device_name(target));
  return *this;
}

Tensor Tensor::contiguous() const { return is_contiguous() ? *this : clone(); }

Tensor Tensor::clone() const {
  Tensor out = empty(sizes(), dtype());
  kernels::active_kernels().copy(out, *this);
  autograd::record("CloneBackward", out, {*this}, [](const Tensor& g, const autograd::Needs&) { return TensorList{g}; });
  return out;
}

Tensor Tensor::view(const Shape& shape) const { return tinytorch::view(*this, shape); }
Tensor Tensor::reshape(const Shape& shape) const { return tinytorch::reshape(*this, shape); }
Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const { return tinytorch::transpose(*this, dim0, dim1); }
Tensor Tensor::permute(const Shape& dims) const { return tinytorch::permute(*this, dims); }
Tensor Tensor::t() const {
  TT_CHECK(dim() <= 2, "t: expects a tensor with <= 2 dims but got shape {}; use transpose(dim0, dim1)",
           shape_str(sizes()));
  return dim() < 2 ? *this : transpose(0, 1);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return tinytorch::narrow(*this, dim, start, length);
}
Tensor Tensor::slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) const {
  return tinytorch::slice(*this, dim, start, end, step);
}
Tensor Tensor::select(int64_t dim, int64_t index) const { return tinytorch::select(*this, dim, index); }
Tensor Tensor::expand(const Shape& shape) const { return tinytorch::expand(*this, shape); }
Tensor Tensor::squeeze() const { return tinytorch::squeeze(*this); }
Tensor Tensor::squeeze(int64_t dim) const { return tinytorch::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(int64_t dim) const { return tinytorch::unsqueeze(*this, dim); }
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return tinytorch::flatten(*this, start_dim, end_dim);
}

Tensor Tensor::add(const Tensor& other, const Scalar& alpha) const { return tinytorch::add(*this, other, alpha); }
Tensor Tensor::sub(const Tensor& other, const Scalar& alpha) const { return tinytorch::sub(*this, other, alpha); }
Tensor Tensor::mul(const Tensor& other) const { return tinytorch::mul(*this, other); }
Tensor Tensor::div(const Tensor& other) const { return tinytorch::div(*this, other); }
Tensor Tensor::neg() const { return tinytorch::neg(*this); }
Tensor Tensor::pow(const Scalar& exponent) const { return tinytorch::pow(*this, exponent); }
Tensor Tensor::pow(const Tensor& exponent) const { return tinytorch::pow(*this, exponent); }
Tensor Tensor::exp() const { return tinytorch::exp(*this); }
Tensor Tensor::log() const { return tinytorch::log(*this); }
Tensor Tensor::sqrt() const { return tinytorch::sqrt(*this); }
Tensor Tensor::rsqrt() const { return tinytorch::rsqrt(*this); }
Tensor Tensor::abs() const { return tinytorch::abs(*this); }
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const {
  return tinytorch::clamp(*this, min, max);
}
Tensor Tensor::relu() const { return tinytorch::relu(*this); }
Tensor Tensor::sigmoid() const { return tinytorch::sigmoid(*this); }
Tensor Tensor::tanh() const { return tinytorch::tanh(*this); }
Tensor Tensor::matmul(const Tensor& other) const { return tinytorch::matmul(*this, other); }
Tensor Tensor::sum() const { return tinytorch::sum(*this); }
Tensor Tensor::sum(const Shape& dims, bool keepdim) const { return tinytorch::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return tinytorch::mean(*this); }
Tensor Tensor::mean(const Shape& dims, bool keepdim) const { return tinytorch::mean(*this, dims, keepdim); }
Tensor Tensor::max() const { return tinytorch::max(*this); }
Tensor Tensor::min() const { return tinytorch::min(*this); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return tinytorch::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const { return tinytorch::argmin(*this, dim, keepdim); }
Tensor Tensor::softmax(int64_t dim) const { return tinytorch::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return tinytorch::log_softmax(*this, dim); }
Tensor Tensor::eq(const Tensor& other) const { return tinytorch::eq(*this, other); }
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return tinytorch::masked_fill(*this, mask, value);
}

Tensor& Tensor::zero_() { return fill_(0); }

Tensor& Tensor::fill_(const Scalar& value) {
  check_inplace(*this, "fill_");
  kernels::active_kernels().fill(*this, value.to_double());
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace(*this, "copy_");
  TT_CHECK(broadcast_shapes(src.sizes(), sizes(), "copy_") == sizes(),
           "copy_: source of shape {} cannot be broadcast to the destination's shape {}", shape_str(src.sizes()),
           shape_str(sizes()));
  kernels::active_kernels().copy(*this, src.expand(sizes()));
  storage()->bump_version();
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, const Scalar& alpha) {
  check_inplace(*this, "add_");
  NoGradGuard no_grad;
  return copy_(tinytorch::add(*this, other, alpha));
}

Tensor& Tensor::mul_(const Tensor& other) {
  check_inplace(*this, "mul_");
  NoGradGuard no_grad;
  return copy_(tinytorch::mul(*this, other));
}

Tensor& Tensor::mul_(const Scalar& value) {
  check_inplace(*this, "mul_");
  NoGradGuard no_grad;
  return copy_(tinytorch::mul(*this, value));
}

}  // namespace tinytorch
