// Prepares a parameter and its state for a fused optimizer kernel (kernel_table.h), which needs
// contiguous tensors of the parameter's dtype and writes them in place. Tensors that already qualify
// are passed as they are; any other (a strided view as parameter, state loaded in another dtype) goes
// through a dense copy that finish() writes back. finish() also bumps every written tensor's version,
// as an in-place op would, so autograd still detects a saved parameter that was stepped.
#pragma once

#include <utility>
#include <vector>

#include "tinytorch/tensor.h"

namespace tinytorch::optim::detail {

class FusedArgs {
 public:
  explicit FusedArgs(DType dtype) : dtype_(dtype) {}

  // A read-only operand (the gradient).
  Tensor input(const Tensor& t) const { return t.detach().to(dtype_).contiguous(); }

  // An operand the kernel updates (parameter, state buffers); undefined stays undefined.
  Tensor output(const Tensor& t) {
    if (!t.defined()) return t;
    Tensor target = t.detach();
    if (target.is_contiguous() && target.dtype() == dtype_) {
      written_.push_back(target);
      return target;
    }
    Tensor dense = target.to(dtype_).contiguous();
    write_back_.emplace_back(target, dense);
    return dense;
  }

  void finish() {
    for (const Tensor& t : written_) t.storage()->bump_version();
    for (auto& [target, dense] : write_back_) target.copy_(dense);
  }

 private:
  DType dtype_;
  std::vector<Tensor> written_;
  std::vector<std::pair<Tensor, Tensor>> write_back_;
};

}  // namespace tinytorch::optim::detail
