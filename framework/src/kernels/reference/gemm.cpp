// Reference matrix products: the textbook triple loop, one dot product per output element.
#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::reference {

void bmm(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  dispatch_numeric(out.dtype(), "bmm", [&](auto tag) {
    using T = decltype(tag);
    const T* pa = storage_base<T>(a) + a.storage_offset();
    const T* pb = storage_base<T>(b) + b.storage_offset();
    T* pc = out.data_ptr<T>();
    const Shape& sa = a.strides();
    const Shape& sb = b.strides();
    for (int64_t p = 0; p < batch; ++p)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          acc_t<T> acc = 0;
          for (int64_t l = 0; l < k; ++l)
            acc += static_cast<acc_t<T>>(pa[p * sa[0] + i * sa[1] + l * sa[2]]) * pb[p * sb[0] + l * sb[1] + j * sb[2]];
          pc[(p * m + i) * n + j] = static_cast<T>(acc);
        }
  });
}

void addmm(const Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b) {
  const int64_t m = out.size(0), n = out.size(1), k = a.size(1);
  dispatch_numeric(out.dtype(), "addmm", [&](auto tag) {
    using T = decltype(tag);
    const T* pa = storage_base<T>(a) + a.storage_offset();
    const T* pb = storage_base<T>(b) + b.storage_offset();
    const T* pbias = bias.defined() ? bias.data_ptr<T>() : nullptr;
    T* pc = out.data_ptr<T>();
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        acc_t<T> acc = 0;
        for (int64_t l = 0; l < k; ++l)
          acc += static_cast<acc_t<T>>(pa[i * a.stride(0) + l * a.stride(1)]) * pb[l * b.stride(0) + j * b.stride(1)];
        pc[i * n + j] = static_cast<T>(pbias ? acc + pbias[j] : acc);
      }
  });
}

}  // namespace tinytorch::kernels::reference
