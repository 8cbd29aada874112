// Optimized max and average pooling over contiguous NCHW tensors: planes (n, c) are independent, so
// they are spread over threads, and every result is computed exactly as with one thread. Max
// pooling keeps, per output, its maximum's tap in the window in bit planes (2 bits for 2x2 instead
// of an int64 position), which its backward turns back into input cells. The common
// 2x2, stride-2, unpadded window has its own branch-free loops; other windows clip their taps to the
// input once per output row and column instead of testing every tap.
#include <algorithm>
#include <cmath>

#include "kernels/dispatch.h"
#include "kernels/optimized/conv_pool_kernels.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/span_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/optimized/thread_scratch.h"
#include "kernels/reference/reference_kernels.h"
#include "tinytorch/ops/creation.h"

namespace tinytorch::kernels::optimized {
namespace {

// Input elements a thread should get at least, so small tensors are not split.
constexpr int64_t kMinElementsPerThread = int64_t{1} << 14;

struct PlaneShape {
  int64_t planes, in_h, in_w, out_h, out_w;
  int64_t in_plane() const { return in_h * in_w; }
  int64_t out_plane() const { return out_h * out_w; }
};

PlaneShape plane_shape(const Tensor& input, const Tensor& output) {
  return {input.size(0) * input.size(1), input.size(2), input.size(3), output.size(2), output.size(3)};
}

bool is_2x2_stride_2(const Pool2dParams& p) {
  return p.kernel[0] == 2 && p.kernel[1] == 2 && p.stride[0] == 2 && p.stride[1] == 2 && p.padding[0] == 0 &&
         p.padding[1] == 0 && p.dilation[0] == 1 && p.dilation[1] == 1;
}

template <class F>
void for_each_plane(const PlaneShape& s, F&& fn) {
  const int64_t grain = std::max<int64_t>(1, kMinElementsPerThread / std::max<int64_t>(1, s.in_plane()));
  parallel_for(0, s.planes, grain, [&](int64_t first, int64_t last) {
    for (int64_t plane = first; plane < last; ++plane) fn(plane);
  });
}

// Taps [lo, hi) of one window axis that land inside the input: start + tap * dilation in [0, size).
struct TapRange {
  int64_t lo, hi;
};

TapRange valid_taps(int64_t start, int64_t kernel, int64_t dilation, int64_t size) {
  const int64_t lo = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
  const int64_t hi = std::min(kernel, size - start <= 0 ? 0 : (size - start + dilation - 1) / dilation);
  return {lo, std::max(lo, hi)};
}

// Replaces the running maximum when `value` is larger or NaN (NaN wins, as in PyTorch and the
// reference kernel).
template <class T>
void take_max(T value, int64_t tap, T& best, int64_t& best_tap) {
  const bool take = (value > best) | (value != value);
  best = take ? value : best;
  best_tap = take ? tap : best_tap;
}

// taps[o] = kh * kernel_w + kw of output o's maximum. A window that misses the input (only dilated
// ones can) outputs 0 with tap 0, which its backward recognises by the tap's cell lying outside.
template <class T>
void max_pool_plane(const PlaneShape& s, const Pool2dParams& p, const T* x, T* y, uint8_t* taps) {
  for (int64_t oh = 0; oh < s.out_h; ++oh) {
    const int64_t h0 = oh * p.stride[0] - p.padding[0];
    const TapRange kh_range = valid_taps(h0, p.kernel[0], p.dilation[0], s.in_h);
    for (int64_t ow = 0; ow < s.out_w; ++ow) {
      const int64_t w0 = ow * p.stride[1] - p.padding[1];
      const TapRange kw_range = valid_taps(w0, p.kernel[1], p.dilation[1], s.in_w);
      T best = T(0);
      int64_t best_tap = 0;
      if (kh_range.lo < kh_range.hi && kw_range.lo < kw_range.hi) {
        best = x[(h0 + kh_range.lo * p.dilation[0]) * s.in_w + w0 + kw_range.lo * p.dilation[1]];
        best_tap = kh_range.lo * p.kernel[1] + kw_range.lo;
        for (int64_t kh = kh_range.lo; kh < kh_range.hi; ++kh) {
          const T* row = x + (h0 + kh * p.dilation[0]) * s.in_w + w0;
          for (int64_t kw = kw_range.lo; kw < kw_range.hi; ++kw)
            take_max(row[kw * p.dilation[1]], kh * p.kernel[1] + kw, best, best_tap);
        }
      }
      y[oh * s.out_w + ow] = best;
      taps[oh * s.out_w + ow] = static_cast<uint8_t>(best_tap);
    }
  }
}

// Each output gradient goes to its window's maximum; overlapping windows add up in output order.
template <class T>
void max_pool_backward_plane(const PlaneShape& s, const Pool2dParams& p, const T* gy, const uint8_t* taps, T* gx) {
  std::fill(gx, gx + s.in_plane(), T(0));
  for (int64_t oh = 0; oh < s.out_h; ++oh)
    for (int64_t ow = 0; ow < s.out_w; ++ow) {
      const int64_t o = oh * s.out_w + ow;
      const int64_t ih = oh * p.stride[0] - p.padding[0] + taps[o] / p.kernel[1] * p.dilation[0];
      const int64_t iw = ow * p.stride[1] - p.padding[1] + taps[o] % p.kernel[1] * p.dilation[1];
      if (ih >= 0 && ih < s.in_h && iw >= 0 && iw < s.in_w) gx[ih * s.in_w + iw] += gy[o];
    }
}

template <class T>
void avg_pool_2x2_plane(const PlaneShape& s, const T* x, T* y) {
  for (int64_t oh = 0; oh < s.out_h; ++oh) {
    const T* top = x + 2 * oh * s.in_w;
    const T* bottom = top + s.in_w;
    T* y_row = y + oh * s.out_w;
    for (int64_t ow = 0; ow < s.out_w; ++ow)
      y_row[ow] = (((top[2 * ow] + top[2 * ow + 1]) + bottom[2 * ow]) + bottom[2 * ow + 1]) * T(0.25);
  }
}

// The in-bounds window [h0, h1) x [w0, w1) of output (oh, ow) and its divisor, as in the reference.
struct AvgWindow {
  int64_t h0, h1, w0, w1, divisor;
};

AvgWindow avg_window(const PlaneShape& s, const Pool2dParams& p, int64_t oh, int64_t ow) {
  int64_t h0 = oh * p.stride[0] - p.padding[0], w0 = ow * p.stride[1] - p.padding[1];
  int64_t h1 = std::min(h0 + p.kernel[0], s.in_h + p.padding[0]),
          w1 = std::min(w0 + p.kernel[1], s.in_w + p.padding[1]);
  const int64_t padded_area = (h1 - h0) * (w1 - w0);
  h0 = std::max<int64_t>(h0, 0);
  w0 = std::max<int64_t>(w0, 0);
  h1 = std::min(h1, s.in_h);
  w1 = std::min(w1, s.in_w);
  return {h0, h1, w0, w1, p.count_include_pad ? padded_area : (h1 - h0) * (w1 - w0)};
}

template <class T>
void avg_pool_plane(const PlaneShape& s, const Pool2dParams& p, const T* x, T* y) {
  for (int64_t oh = 0; oh < s.out_h; ++oh)
    for (int64_t ow = 0; ow < s.out_w; ++ow) {
      const AvgWindow win = avg_window(s, p, oh, ow);
      acc_t<T> sum = 0;
      for (int64_t ih = win.h0; ih < win.h1; ++ih)
        for (int64_t iw = win.w0; iw < win.w1; ++iw) sum += x[ih * s.in_w + iw];
      y[oh * s.out_w + ow] = static_cast<T>(sum / win.divisor);
    }
}

// Non-overlapping 2x2 windows: each input cell receives a quarter of one output gradient, or zero
// in a last odd row or column that no window covers.
template <class T>
void avg_pool_2x2_backward_plane(const PlaneShape& s, const T* gy, T* gx) {
  for (int64_t oh = 0; oh < s.out_h; ++oh) {
    T* top = gx + 2 * oh * s.in_w;
    T* bottom = top + s.in_w;
    const T* gy_row = gy + oh * s.out_w;
    for (int64_t ow = 0; ow < s.out_w; ++ow) {
      const T share = gy_row[ow] * T(0.25);
      top[2 * ow] = share;
      top[2 * ow + 1] = share;
      bottom[2 * ow] = share;
      bottom[2 * ow + 1] = share;
    }
    std::fill(top + 2 * s.out_w, top + s.in_w, T(0));
    std::fill(bottom + 2 * s.out_w, bottom + s.in_w, T(0));
  }
  std::fill(gx + 2 * s.out_h * s.in_w, gx + s.in_plane(), T(0));
}

template <class T>
void avg_pool_backward_plane(const PlaneShape& s, const Pool2dParams& p, const T* gy, T* gx) {
  std::fill(gx, gx + s.in_plane(), T(0));
  for (int64_t oh = 0; oh < s.out_h; ++oh)
    for (int64_t ow = 0; ow < s.out_w; ++ow) {
      const AvgWindow win = avg_window(s, p, oh, ow);
      const T share = static_cast<T>(static_cast<acc_t<T>>(gy[oh * s.out_w + ow]) / win.divisor);
      for (int64_t ih = win.h0; ih < win.h1; ++ih)
        for (int64_t iw = win.w0; iw < win.w1; ++iw) gx[ih * s.in_w + iw] += share;
    }
}

// Window taps are stored in bit planes of tap_bits(p) bits, each plane's codes from a fresh word
// (so threads never share one); windows of more than 256 taps keep the reference's positions.
bool keeps_taps(const Pool2dParams& p) { return p.kernel[0] * p.kernel[1] <= 256; }

int tap_bits(const Pool2dParams& p) {
  int bits = 1;
  while ((int64_t{1} << bits) < p.kernel[0] * p.kernel[1]) ++bits;
  return bits;
}

constexpr int kTapScratch = 0;

template <class T>
Tensor max_pool_typed(const Tensor& out, const Tensor& input, const Pool2dParams& p) {
  const PlaneShape s = plane_shape(input, out);
  const int bits = tap_bits(p);
  const int64_t plane_words = bit_plane_words(s.out_plane(), bits);
  Tensor argmax = empty({s.planes, plane_words}, kInt64);
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  uint64_t* words = reinterpret_cast<uint64_t*>(argmax.data_ptr<int64_t>());
  const bool fast = is_2x2_stride_2(p);
  for_each_plane(s, [&](int64_t plane) {
    const T* x_plane = x + plane * s.in_plane();
    T* y_plane = y + plane * s.out_plane();
    uint8_t* taps = thread_scratch<uint8_t, kTapScratch>(s.out_plane());
    if (fast)
      conv_pool_kernels(T{}).max_pool_2x2(x_plane, y_plane, taps, s.in_w, s.out_h, s.out_w);
    else
      max_pool_plane(s, p, x_plane, y_plane, taps);
    span_kernels().bits.pack(words + plane * plane_words, taps, s.out_plane(), bits);
  });
  return argmax;
}

template <class T>
void max_pool_backward_typed(const Tensor& grad_input, const Tensor& grad_out, const Tensor& argmax,
                             const Pool2dParams& p) {
  const PlaneShape s = plane_shape(grad_input, grad_out);
  const int bits = tap_bits(p);
  const int64_t plane_words = bit_plane_words(s.out_plane(), bits);
  const T* gy = grad_out.data_ptr<T>();
  const uint64_t* words = reinterpret_cast<const uint64_t*>(argmax.data_ptr<int64_t>());
  T* gx = grad_input.data_ptr<T>();
  const bool fast = is_2x2_stride_2(p);
  for_each_plane(s, [&](int64_t plane) {
    const T* gy_plane = gy + plane * s.out_plane();
    T* gx_plane = gx + plane * s.in_plane();
    uint8_t* taps = thread_scratch<uint8_t, kTapScratch>(s.out_plane());
    span_kernels().bits.unpack(taps, words + plane * plane_words, s.out_plane(), bits);
    if (fast)
      conv_pool_kernels(T{}).max_pool_2x2_backward(gy_plane, taps, gx_plane, s.in_h, s.in_w, s.out_h, s.out_w);
    else
      max_pool_backward_plane(s, p, gy_plane, taps, gx_plane);
  });
}

template <class T>
void avg_pool_typed(const Tensor& out, const Tensor& input, const Pool2dParams& p) {
  const PlaneShape s = plane_shape(input, out);
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  const bool fast = is_2x2_stride_2(p);
  for_each_plane(s, [&](int64_t plane) {
    if (fast)
      avg_pool_2x2_plane(s, x + plane * s.in_plane(), y + plane * s.out_plane());
    else
      avg_pool_plane(s, p, x + plane * s.in_plane(), y + plane * s.out_plane());
  });
}

template <class T>
void avg_pool_backward_typed(const Tensor& grad_input, const Tensor& grad_out, const Pool2dParams& p) {
  const PlaneShape s = plane_shape(grad_input, grad_out);
  const T* gy = grad_out.data_ptr<T>();
  T* gx = grad_input.data_ptr<T>();
  const bool fast = is_2x2_stride_2(p);
  for_each_plane(s, [&](int64_t plane) {
    if (fast)
      avg_pool_2x2_backward_plane(s, gy + plane * s.out_plane(), gx + plane * s.in_plane());
    else
      avg_pool_backward_plane(s, p, gy + plane * s.out_plane(), gx + plane * s.in_plane());
  });
}

bool fast_dtype(DType dtype) { return dtype == DType::Float32 || dtype == DType::Float64; }

}  // namespace

Tensor max_pool2d(const Tensor& out, const Tensor& input, const Pool2dParams& p) {
  if (!fast_dtype(out.dtype()) || !keeps_taps(p)) return reference::max_pool2d(out, input, p);
  if (out.dtype() == DType::Float32) return max_pool_typed<float>(out, input, p);
  return max_pool_typed<double>(out, input, p);
}

void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& argmax,
                         const Pool2dParams& p) {
  if (!fast_dtype(grad_input.dtype()) || !keeps_taps(p))
    return reference::max_pool2d_backward(grad_input, grad_out, argmax, p);
  if (grad_input.dtype() == DType::Float32) return max_pool_backward_typed<float>(grad_input, grad_out, argmax, p);
  max_pool_backward_typed<double>(grad_input, grad_out, argmax, p);
}

void avg_pool2d(const Tensor& out, const Tensor& input, const Pool2dParams& p) {
  if (!fast_dtype(out.dtype()) || out.numel() == 0) return reference::avg_pool2d(out, input, p);
  if (out.dtype() == DType::Float32)
    avg_pool_typed<float>(out, input, p);
  else
    avg_pool_typed<double>(out, input, p);
}

void avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Pool2dParams& p) {
  if (!fast_dtype(grad_input.dtype()) || grad_input.numel() == 0)
    return reference::avg_pool2d_backward(grad_input, grad_out, p);
  if (grad_input.dtype() == DType::Float32)
    avg_pool_backward_typed<float>(grad_input, grad_out, p);
  else
    avg_pool_backward_typed<double>(grad_input, grad_out, p);
}

}  // namespace tinytorch::kernels::optimized
