// Optimized fill, copy, unary, binary and where. Operands are mapped onto rows (layout.h): rows
// whose operands are contiguous or broadcast (step 0) go straight to the per-ISA span loops
// (span_kernels.h), which covers contiguous tensors, scalars and row / column broadcasts; other
// strides are gathered into a small buffer piece by piece. Copies add a blocked 2-D transpose.
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/optimized/layout.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/span_kernels.h"
#include "kernels/reference/reference_kernels.h"
#include "kernels/reference/strided_loop.h"
#include "tinytorch/ops/creation.h"

namespace tinytorch::kernels::optimized {
namespace {

// Elements per thread chunk: cheap ops are memory-bound and only pay for a thread on large tensors.
constexpr int64_t kCheapGrain = 32768;
constexpr int64_t kCostlyGrain = 4096;
// Elements of a strided operand gathered into a contiguous buffer at a time.
constexpr int64_t kPiece = 512;
// Side of the square tiles of the blocked transpose.
constexpr int64_t kTile = 32;

bool is_costly(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp:
    case UnaryOp::Log:
    case UnaryOp::Sigmoid:
    case UnaryOp::Tanh:
    case UnaryOp::Silu:
    case UnaryOp::GeluErf:
    case UnaryOp::GeluTanh:
    case UnaryOp::PowScalar: return true;
    default: return false;
  }
}

bool is_costly(BinaryOp op) {
  return op == BinaryOp::Pow || op == BinaryOp::SiluBackward || op == BinaryOp::GeluErfBackward ||
         op == BinaryOp::GeluTanhBackward;
}

bool is_comparison(BinaryOp op) {
  return op == BinaryOp::Eq || op == BinaryOp::Ne || op == BinaryOp::Lt || op == BinaryOp::Le || op == BinaryOp::Gt ||
         op == BinaryOp::Ge;
}

template <class T>
const SpanKernels<T>& spans() {
  if constexpr (std::is_same_v<T, float>)
    return span_kernels().f32;
  else
    return span_kernels().f64;
}

// Runs span(out, inputs, input_steps, n) on every row of out (O) and the NI inputs (T). Input steps
// passed to span are 0 or 1 and the output is unit-stride: other strides go through buffers.
template <class O, class T, size_t NI, class Span>
void run_rows(const Tensor& out, const std::array<const Tensor*, NI>& inputs, int64_t grain, Span span) {
  std::array<const Tensor*, NI + 1> operands{&out};
  for (size_t k = 0; k < NI; ++k) operands[k + 1] = inputs[k];
  const RowLayout<NI + 1> layout = row_layout(out.sizes(), operands);
  O* o = storage_base<O>(out);
  std::array<const T*, NI> in{};
  for (size_t k = 0; k < NI; ++k) in[k] = storage_base<T>(*inputs[k]);
  const auto& stride = layout.row_stride;
  bool direct = stride[0] == 1;
  for (size_t k = 1; k <= NI; ++k) direct = direct && (stride[k] == 0 || stride[k] == 1);
  parallel_rows(layout, grain, [&](const std::array<int64_t, NI + 1>& offsets, int64_t n) {
    std::array<const T*, NI> rows{};
    std::array<int64_t, NI> steps{};
    for (size_t k = 0; k < NI; ++k) rows[k] = in[k] + offsets[k + 1];
    if (direct) {
      for (size_t k = 0; k < NI; ++k) steps[k] = stride[k + 1];
      span(o + offsets[0], rows, steps, n);
      return;
    }
    O out_buffer[kPiece];
    T in_buffer[NI][kPiece];
    for (int64_t start = 0; start < n; start += kPiece) {
      const int64_t len = std::min(kPiece, n - start);
      std::array<const T*, NI> pieces{};
      for (size_t k = 0; k < NI; ++k) {
        const int64_t s = stride[k + 1];
        steps[k] = s == 0 ? 0 : 1;
        if (s == 0 || s == 1) {
          pieces[k] = rows[k] + start * s;
        } else {
          for (int64_t i = 0; i < len; ++i) in_buffer[k][i] = rows[k][(start + i) * s];
          pieces[k] = in_buffer[k];
        }
      }
      O* dst = stride[0] == 1 ? o + offsets[0] + start : out_buffer;
      span(dst, pieces, steps, len);
      if (stride[0] != 1)
        for (int64_t i = 0; i < len; ++i) o[offsets[0] + (start + i) * stride[0]] = out_buffer[i];
    }
  });
}

template <class T>
void unary_typed(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1) {
  const SpanKernels<T>& k = spans<T>();
  run_rows<T, T, 1>(out, {&in}, is_costly(op) ? kCostlyGrain : kCheapGrain,
                    [&](T* o, const auto& x, const auto&, int64_t n) { k.unary(op, o, x[0], n, p0, p1); });
}

template <class T>
void binary_typed(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  const SpanKernels<T>& k = spans<T>();
  const int64_t grain = is_costly(op) ? kCostlyGrain : kCheapGrain;
  if (is_comparison(op)) {
    run_rows<bool, T, 2>(out, {&a, &b}, grain, [&](bool* o, const auto& x, const auto& step, int64_t n) {
      k.compare(op, o, x[0], step[0], x[1], step[1], n);
    });
    return;
  }
  run_rows<T, T, 2>(out, {&a, &b}, grain, [&](T* o, const auto& x, const auto& step, int64_t n) {
    k.binary(op, o, x[0], step[0], x[1], step[1], n, alpha);
  });
}

template <class D, class S>
void copy_rows(const Tensor& dst, const Tensor& src) {
  const RowLayout<2> layout = row_layout<2>(dst.sizes(), {&dst, &src});
  D* d = storage_base<D>(dst);
  const S* s = storage_base<S>(src);
  const int64_t sd = layout.row_stride[0], ss = layout.row_stride[1];
  parallel_rows(layout, kCheapGrain, [&](const std::array<int64_t, 2>& offsets, int64_t n) {
    D* out = d + offsets[0];
    const S* in = s + offsets[1];
    if constexpr (std::is_same_v<D, S>) {
      if (sd == 1 && ss == 1) {
        std::memcpy(out, in, static_cast<size_t>(n) * sizeof(D));
        return;
      }
    }
    if (sd == 1 && ss == 1) {
      for (int64_t i = 0; i < n; ++i) out[i] = convert<D>(in[i]);
    } else if (ss == 0) {
      const D v = convert<D>(in[0]);
      for (int64_t i = 0; i < n; ++i) out[i * sd] = v;
    } else {
      for (int64_t i = 0; i < n; ++i) out[i * sd] = convert<D>(in[i * ss]);
    }
  });
}

// dst rows are unit-stride and src is unit-stride across rows (a transposed matrix, possibly
// batched by the outer dims): copy kTile x kTile tiles so both sides stay in cache.
template <class D, class S>
void copy_transposed(const Tensor& dst, const Tensor& src, const RowLayout<2>& layout) {
  D* d = storage_base<D>(dst);
  const S* s = storage_base<S>(src);
  const int64_t cols = layout.row_length, rows = layout.outer_sizes.back();
  const int64_t batches = layout.rows / rows;
  const int64_t d_row = layout.outer_strides[0].back(), s_col = layout.row_stride[1];
  const int64_t row_tiles = (rows + kTile - 1) / kTile;
  // Work items are (batch, row tile); each gets the offsets of its batch from a batch-level walk.
  RowLayout<2> batch_layout = layout;
  batch_layout.outer_sizes.pop_back();
  for (auto& strides : batch_layout.outer_strides) strides.pop_back();
  batch_layout.rows = batches;
  parallel_for(0, batches * row_tiles, std::max<int64_t>(1, kCheapGrain / (kTile * cols)),
               [&](int64_t first, int64_t last) {
                 for (int64_t item = first; item < last; ++item) {
                   const int64_t batch = item / row_tiles, r0 = (item % row_tiles) * kTile;
                   const int64_t r1 = std::min(rows, r0 + kTile);
                   for_rows(batch_layout, batch, batch + 1, [&](const std::array<int64_t, 2>& base) {
                     for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
                       const int64_t c1 = std::min(cols, c0 + kTile);
                       for (int64_t c = c0; c < c1; ++c)
                         for (int64_t r = r0; r < r1; ++r)
                           d[base[0] + r * d_row + c] = convert<D>(s[base[1] + r + c * s_col]);
                     }
                   });
                 }
               });
}

template <class D, class S>
void copy_typed(const Tensor& dst, const Tensor& src) {
  const RowLayout<2> layout = row_layout<2>(dst.sizes(), {&dst, &src});
  const bool transposed = !layout.outer_sizes.empty() && layout.row_stride[0] == 1 && layout.row_stride[1] != 1 &&
                          layout.row_stride[1] != 0 && layout.outer_strides[1].back() == 1 && layout.row_length >= 8 &&
                          layout.outer_sizes.back() >= 8;
  if (transposed)
    copy_transposed<D, S>(dst, src, layout);
  else
    copy_rows<D, S>(dst, src);
}

template <class T>
void where_typed(const Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b) {
  const RowLayout<4> layout = row_layout<4>(out.sizes(), {&out, &condition, &a, &b});
  T* o = storage_base<T>(out);
  const bool* c = storage_base<bool>(condition);
  const T* x = storage_base<T>(a);
  const T* y = storage_base<T>(b);
  const auto& st = layout.row_stride;
  const bool contiguous = st[0] == 1 && st[1] == 1 && st[2] == 1 && st[3] == 1;
  parallel_rows(layout, kCheapGrain, [&](const std::array<int64_t, 4>& off, int64_t n) {
    T* orow = o + off[0];
    const bool* crow = c + off[1];
    const T* xrow = x + off[2];
    const T* yrow = y + off[3];
    if (contiguous) {
      for (int64_t i = 0; i < n; ++i) orow[i] = crow[i] ? xrow[i] : yrow[i];
    } else {
      for (int64_t i = 0; i < n; ++i) orow[i * st[0]] = crow[i * st[1]] ? xrow[i * st[2]] : yrow[i * st[3]];
    }
  });
}

// Runs fn(first, count) on chunks of [0, n) spread over threads. relu's mask is packed and read in
// whole 64-bit words, so chunks start at multiples of 64 and threads never share a word.
template <class F>
void for_mask_chunks(int64_t n, const F& fn) {
  parallel_for(0, bit_plane_words(n, 1), kCheapGrain / 64,
               [&](int64_t first, int64_t last) { fn(64 * first, std::min(n, 64 * last) - 64 * first); });
}

// out = relu(x) and the mask in one pass; a strided x is first made into out by the strided
// unary path, and the mask then taken from out (relu(out) = out).
template <class T>
Tensor relu_with_mask(const Tensor& out, const Tensor& x) {
  const int64_t n = out.numel();
  const bool contiguous = x.is_contiguous();
  if (!contiguous) unary(UnaryOp::Relu, out, x, 0, 0);
  Tensor words = empty({bit_plane_words(n, 1)}, kInt64);
  const T* in = contiguous ? x.data_ptr<T>() : out.data_ptr<T>();
  T* y = out.data_ptr<T>();
  uint64_t* w = reinterpret_cast<uint64_t*>(words.data_ptr<int64_t>());
  for_mask_chunks(
      n, [&](int64_t first, int64_t count) { spans<T>().relu_bits(y + first, w + first / 64, in + first, count); });
  return words;
}

template <class T>
void relu_mask_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& mask) {
  const int64_t n = grad_in.numel();
  const T* g = grad_out.data_ptr<T>();
  T* gi = grad_in.data_ptr<T>();
  const uint64_t* w = reinterpret_cast<const uint64_t*>(mask.data_ptr<int64_t>());
  for_mask_chunks(
      n, [&](int64_t first, int64_t count) { spans<T>().select_bits(gi + first, g + first, w + first / 64, count); });
}

}  // namespace

void fill(const Tensor& out, double value) {
  dispatch_all(out.dtype(), "fill", [&](auto tag) {
    using T = decltype(tag);
    const RowLayout<1> layout = row_layout<1>(out.sizes(), {&out});
    T* data = storage_base<T>(out);
    const T v = convert<T>(value);
    const int64_t stride = layout.row_stride[0];
    parallel_rows(layout, kCheapGrain, [&](const std::array<int64_t, 1>& offsets, int64_t n) {
      T* row = data + offsets[0];
      for (int64_t i = 0; i < n; ++i) row[i * stride] = v;
    });
  });
}

void copy(const Tensor& dst, const Tensor& src) {
  dispatch_all(dst.dtype(), "copy", [&](auto dst_tag) {
    dispatch_all(src.dtype(), "copy",
                 [&](auto src_tag) { copy_typed<decltype(dst_tag), decltype(src_tag)>(dst, src); });
  });
}

void unary(UnaryOp op, const Tensor& out, const Tensor& in, double p0, double p1) {
  switch (in.dtype()) {
    case DType::Float32: return unary_typed<float>(op, out, in, p0, p1);
    case DType::Float64: return unary_typed<double>(op, out, in, p0, p1);
    default: return reference::unary(op, out, in, p0, p1);
  }
}

void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  switch (a.dtype()) {
    case DType::Float32: return binary_typed<float>(op, out, a, b, alpha);
    case DType::Float64: return binary_typed<double>(op, out, a, b, alpha);
    default: return reference::binary(op, out, a, b, alpha);
  }
}

void where(const Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b) {
  switch (out.dtype()) {
    case DType::Float32: return where_typed<float>(out, condition, a, b);
    case DType::Float64: return where_typed<double>(out, condition, a, b);
    default: return reference::where(out, condition, a, b);
  }
}

// f32 and f64 keep one bit per element; other dtypes keep the output, as the reference.
Tensor relu_forward(const Tensor& out, const Tensor& x) {
  switch (out.dtype()) {
    case DType::Float32: return relu_with_mask<float>(out, x);
    case DType::Float64: return relu_with_mask<double>(out, x);
    default: return reference::relu_forward(out, x);
  }
}

void relu_backward(const Tensor& grad_in, const Tensor& grad_out, const Tensor& saved) {
  if (saved.dtype() == grad_out.dtype()) return reference::relu_backward(grad_in, grad_out, saved);
  if (grad_out.dtype() == DType::Float32) return relu_mask_backward<float>(grad_in, grad_out, saved);
  relu_mask_backward<double>(grad_in, grad_out, saved);
}

}  // namespace tinytorch::kernels::optimized
