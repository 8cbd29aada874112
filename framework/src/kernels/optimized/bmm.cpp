// Optimized bmm and addmm kernels: each batch is one strided GEMM call, reading a and b in place through their
// strides (transposed and stride-0 broadcast batches need no copy). Many small batches run in
// parallel one per thread; large ones are parallelised inside the GEMM.
#include <algorithm>

#include "kernels/optimized/gemm/gemm.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"

namespace tinytorch::kernels::optimized {
namespace {
// Per-batch multiply-adds below which batches, rather than blocks of one GEMM, are spread over threads.
constexpr int64_t kSmallBatchWork = int64_t{128} * 128 * 128;

template <class T>
void bmm_typed(const Tensor& out, const Tensor& a, const Tensor& b, CpuIsa isa) {
  const int64_t batch = out.size(0);
  const T* pa = storage_base<T>(a) + a.storage_offset();
  const T* pb = storage_base<T>(b) + b.storage_offset();
  T* pc = out.data_ptr<T>();
  GemmArgs<T> g;
  g.m = out.size(1);
  g.n = out.size(2);
  g.k = a.size(2);
  g.a_row_stride = a.stride(1);
  g.a_col_stride = a.stride(2);
  g.b_row_stride = b.stride(1);
  g.b_col_stride = b.stride(2);
  g.ldc = g.n;
  const auto run_batches = [&](int64_t first, int64_t last) {
    for (int64_t p = first; p < last; ++p) {
      GemmArgs<T> batch_args = g;
      batch_args.a = pa + p * a.stride(0);
      batch_args.b = pb + p * b.stride(0);
      batch_args.c = pc + p * g.m * g.n;
      gemm(batch_args, isa);
    }
  };
  if (batch > 1 && g.m * g.n * g.k < kSmallBatchWork)
    parallel_for(0, batch, 1, run_batches);
  else
    run_batches(0, batch);
}
}  // namespace

void bmm(const Tensor& out, const Tensor& a, const Tensor& b, CpuIsa isa) {
  switch (out.dtype()) {
    case DType::Float32: bmm_typed<float>(out, a, b, isa); return;
    case DType::Float64: bmm_typed<double>(out, a, b, isa); return;
    default: reference::bmm(out, a, b);
  }
}

void bmm(const Tensor& out, const Tensor& a, const Tensor& b) { bmm(out, a, b, cpu_isa()); }

namespace {
template <class T>
void addmm_typed(const Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b) {
  GemmArgs<T> g;
  g.m = out.size(0);
  g.n = out.size(1);
  g.k = a.size(1);
  g.a = storage_base<T>(a) + a.storage_offset();
  g.a_row_stride = a.stride(0);
  g.a_col_stride = a.stride(1);
  g.b = storage_base<T>(b) + b.storage_offset();
  g.b_row_stride = b.stride(0);
  g.b_col_stride = b.stride(1);
  g.c = out.data_ptr<T>();
  g.ldc = g.n;
  if (bias.defined()) {
    const T* pbias = bias.data_ptr<T>();
    for (int64_t i = 0; i < g.m; ++i) std::copy(pbias, pbias + g.n, g.c + i * g.n);
    g.beta = 1;
  }
  gemm(g);
}
}  // namespace

void addmm(const Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b) {
  switch (out.dtype()) {
    case DType::Float32: addmm_typed<float>(out, bias, a, b); return;
    case DType::Float64: addmm_typed<double>(out, bias, a, b); return;
    default: reference::addmm(out, bias, a, b);
  }
}

}  // namespace tinytorch::kernels::optimized
