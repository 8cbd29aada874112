// Chunk-level bodies of the optimized fused kernels (normalisation, cross_entropy, optimizer updates),
// on raw pointers. fused_body.h implements them once; fused_body_avx512.cpp and fused_body.cpp
// compile that for AVX-512 and for baseline x86-64, and fused_bodies() picks one by cpu_isa(). The
// tensor-level kernels (normalization.cpp, loss.cpp, optim_update.cpp) split the work with
// parallel_for so that every reduction stays inside one chunk: results do not depend on the thread count.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "kernels/optimized/cpu_features.h"

namespace tinytorch::kernels::optimized {

// Elements per parallel_for chunk below which threading costs more than it saves.
constexpr int64_t kGrainElements = 16384;
// Rows whose layer_norm weight and bias gradient terms are summed in the values' type before the
// sums go to double (as the lane sums' 256-value blocks).
constexpr int64_t kColumnSumRows = 32;

// Grain, in items, for items of `elements_per_item` elements each.
inline int64_t grain_for(int64_t elements_per_item) {
  return std::max<int64_t>(1, kGrainElements / std::max<int64_t>(1, elements_per_item));
}

template <class T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

// Runs f(tag) for f32 and f64; other dtypes go to `fallback` (the reference kernel, which rejects them).
template <class F, class G>
void dispatch_f32_f64(DType dtype, F&& f, G&& fallback) {
  if (dtype == DType::Float32) return f(float{});
  if (dtype == DType::Float64) return f(double{});
  fallback();
}

// Optional pointers are nullptr when the tensor is undefined.
template <class T>
struct LayerNormArgs {
  const T* x;
  const T* weight;
  const T* bias;
  const T* grad_out;  // backward only
  T* out;             // forward: the output; backward: grad_input
  T* mean;
  T* rstd;
  T* grad_weight;
  T* grad_bias;
  int64_t rows, cols;
  double eps;
};

// x is [batch, channels, spatial].
template <class T>
struct BatchNormArgs {
  const T* x;
  const T* weight;
  const T* bias;
  const T* grad_out;  // backward only
  T* out;             // forward: the output; backward: grad_input
  T* save_mean;
  T* save_invstd;
  T* running_mean;
  T* running_var;
  T* grad_weight;
  T* grad_bias;
  int64_t batch, channels, spatial;
  bool training;
  bool accumulate;  // batch_norm_apply: add to out
  bool relu;        // batch_norm_apply: then relu
  double momentum, eps;
};

// logits [rows, classes] (one position per row).
template <class T>
struct CrossEntropyArgs {
  const T* logits;
  const int64_t* target;
  const T* grad_loss;  // backward only
  T* loss;
  T* lse;
  T* grad_logits;  // backward only
  int64_t classes, ignore_index;
  double label_smoothing;
};

template <class T>
struct OptimArgs {
  T* param;
  const T* grad;
  T* state0;  // exp_avg, square_avg, momentum_buffer (SGD) or sum
  T* state1;  // exp_avg_sq, momentum_buffer (RMSprop)
  T* state2;  // max_exp_avg_sq, grad_avg
};

// Each body handles [begin, end) of the range named in its comment.
template <class T>
struct FusedBodies {
  void (*layer_norm)(const LayerNormArgs<T>& a, int64_t begin, int64_t end);                             // rows
  void (*layer_norm_backward)(const LayerNormArgs<T>& a, int64_t begin, int64_t end, double* col_part);  // rows
  void (*batch_norm)(const BatchNormArgs<T>& a, int64_t begin, int64_t end);                             // channels
  void (*batch_norm_apply)(const BatchNormArgs<T>& a, int64_t begin, int64_t end);                       // channels
  void (*batch_norm_backward)(const BatchNormArgs<T>& a, int64_t begin, int64_t end);                    // channels
  void (*cross_entropy)(const CrossEntropyArgs<T>& a, int64_t begin, int64_t end);                       // rows
  void (*cross_entropy_backward)(const CrossEntropyArgs<T>& a, int64_t begin, int64_t end);              // rows
  void (*sgd)(const OptimArgs<T>& a, const SgdUpdate& u, int64_t begin, int64_t end);                    // elements
  void (*adam)(const OptimArgs<T>& a, const AdamUpdate& u, int64_t begin, int64_t end);                  // elements
  void (*rmsprop)(const OptimArgs<T>& a, const RmspropUpdate& u, int64_t begin, int64_t end);            // elements
  void (*adagrad)(const OptimArgs<T>& a, const AdagradUpdate& u, int64_t begin, int64_t end);            // elements
};

template <class T>
const FusedBodies<T>& fused_bodies_baseline();
template <class T>
const FusedBodies<T>& fused_bodies_avx512();

// The bodies for the running CPU (cpu_isa()).
template <class T>
const FusedBodies<T>& fused_bodies() {
  return cpu_isa() >= CpuIsa::Avx512 ? fused_bodies_avx512<T>() : fused_bodies_baseline<T>();
}

}  // namespace tinytorch::kernels::optimized
