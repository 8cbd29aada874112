#include "torch_interop.h"

#include <cstring>

#include "tinytorch/ops/creation.h"

namespace tinytorch::interop {

at::ScalarType to_torch_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float32: return at::kFloat;
    case DType::Float64: return at::kDouble;
    case DType::Int64: return at::kLong;
    case DType::BFloat16: return at::kBFloat16;
    case DType::Float16: return at::kHalf;
    case DType::Bool: return at::kBool;
  }
  return at::kFloat;
}

DType from_torch_dtype(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return kFloat32;
    case at::kDouble: return kFloat64;
    case at::kLong: return kInt64;
    case at::kBFloat16: return kBFloat16;
    case at::kHalf: return kFloat16;
    case at::kBool: return kBool;
    default: throw Error(fmt::format("from_torch: LibTorch dtype {} has no TinyTorch equivalent", c10::toString(type)));
  }
}

at::Tensor to_torch(const Tensor& tensor) {
  Tensor dense = tensor.detach().contiguous();
  at::Tensor out = torch::empty(dense.sizes(), torch::TensorOptions().dtype(to_torch_dtype(dense.dtype())));
  std::memcpy(out.data_ptr(), dense.raw_data(), static_cast<size_t>(dense.numel()) * dense.element_size());
  return out;
}

Tensor from_torch(const at::Tensor& tensor) {
  at::Tensor dense = tensor.detach().contiguous();
  return from_buffer(dense.data_ptr(), Shape(dense.sizes().begin(), dense.sizes().end()),
                     from_torch_dtype(dense.scalar_type()));
}

}  // namespace tinytorch::interop
