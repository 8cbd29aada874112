// Reference 2-D max and average pooling over contiguous NCHW tensors, one (n, c) plane at a time.
// Output position (oh, ow) pools the window whose top-left corner is (oh * stride - pad, ...);
// window cells in the padding are skipped by max pooling and count as zeros for average pooling
// (when count_include_pad, they still count in the divisor, as in PyTorch).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/reference/reference_kernels.h"
#include "tinytorch/ops/creation.h"

namespace tinytorch::kernels::reference {
namespace {

struct PlaneGeometry {
  int64_t planes, in_h, in_w, out_h, out_w;
};

// grad_input/input and grad_out/out are [N, C, H, W]; N and C fold into planes.
PlaneGeometry plane_geometry(const Tensor& input, const Tensor& output) {
  return {input.size(0) * input.size(1), input.size(2), input.size(3), output.size(2), output.size(3)};
}

// The in-bounds part [h0, h1) x [w0, w1) of an average-pooling window and its divisor.
struct AvgWindow {
  int64_t h0, h1, w0, w1, divisor;
};

AvgWindow avg_window(int64_t oh, int64_t ow, int64_t in_h, int64_t in_w, const Pool2dParams& p) {
  int64_t h0 = oh * p.stride[0] - p.padding[0], w0 = ow * p.stride[1] - p.padding[1];
  // The window may cover padding but never reaches past it.
  int64_t h1 = std::min(h0 + p.kernel[0], in_h + p.padding[0]), w1 = std::min(w0 + p.kernel[1], in_w + p.padding[1]);
  const int64_t padded_area = (h1 - h0) * (w1 - w0);
  h0 = std::max<int64_t>(h0, 0);
  w0 = std::max<int64_t>(w0, 0);
  h1 = std::min(h1, in_h);
  w1 = std::min(w1, in_w);
  return {h0, h1, w0, w1, p.count_include_pad ? padded_area : (h1 - h0) * (w1 - w0)};
}

}  // namespace

// Keeps LibTorch's indices: the flat h * W + w position of each maximum in its plane.
Tensor max_pool2d(const Tensor& out, const Tensor& input, const Pool2dParams& p) {
  const PlaneGeometry g = plane_geometry(input, out);
  Tensor indices = empty(out.sizes(), kInt64);
  dispatch_floating(out.dtype(), "max_pool2d", [&](auto tag) {
    using T = decltype(tag);
    int64_t* idx = indices.data_ptr<int64_t>();
    T* y = out.data_ptr<T>();
    for (int64_t plane = 0; plane < g.planes; ++plane) {
      const T* x = input.data_ptr<T>() + plane * g.in_h * g.in_w;
      for (int64_t oh = 0; oh < g.out_h; ++oh)
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          int64_t best = -1;  // padding <= kernel / 2 guarantees at least one in-bounds cell
          T best_value = 0;
          for (int64_t kh = 0; kh < p.kernel[0]; ++kh) {
            const int64_t ih = oh * p.stride[0] - p.padding[0] + kh * p.dilation[0];
            if (ih < 0 || ih >= g.in_h) continue;
            for (int64_t kw = 0; kw < p.kernel[1]; ++kw) {
              const int64_t iw = ow * p.stride[1] - p.padding[1] + kw * p.dilation[1];
              if (iw < 0 || iw >= g.in_w) continue;
              const T value = x[ih * g.in_w + iw];
              // NaN wins, as in PyTorch, so a NaN input is never hidden by pooling.
              if (best < 0 || value > best_value || std::isnan(value)) {
                best = ih * g.in_w + iw;
                best_value = value;
              }
            }
          }
          const int64_t o = (plane * g.out_h + oh) * g.out_w + ow;
          y[o] = best_value;
          idx[o] = best;
        }
    }
  });
  return indices;
}

// Each output's gradient goes to the input cell that was its maximum; overlapping windows may
// send several gradients to one cell, so a plane is accumulated before it is written.
void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices, const Pool2dParams&) {
  const PlaneGeometry g = plane_geometry(grad_input, grad_out);
  dispatch_floating(grad_input.dtype(), "max_pool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
    std::vector<acc_t<T>> acc(static_cast<size_t>(in_plane));
    for (int64_t plane = 0; plane < g.planes; ++plane) {
      const T* gy = grad_out.data_ptr<T>() + plane * out_plane;
      const int64_t* idx = indices.data_ptr<int64_t>() + plane * out_plane;
      T* gx = grad_input.data_ptr<T>() + plane * in_plane;
      std::fill(acc.begin(), acc.end(), acc_t<T>(0));
      for (int64_t o = 0; o < out_plane; ++o) acc[idx[o]] += gy[o];
      for (int64_t i = 0; i < in_plane; ++i) gx[i] = static_cast<T>(acc[i]);
    }
  });
}

void avg_pool2d(const Tensor& out, const Tensor& input, const Pool2dParams& p) {
  const PlaneGeometry g = plane_geometry(input, out);
  dispatch_floating(out.dtype(), "avg_pool2d", [&](auto tag) {
    using T = decltype(tag);
    T* y = out.data_ptr<T>();
    for (int64_t plane = 0; plane < g.planes; ++plane) {
      const T* x = input.data_ptr<T>() + plane * g.in_h * g.in_w;
      for (int64_t oh = 0; oh < g.out_h; ++oh)
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          const AvgWindow win = avg_window(oh, ow, g.in_h, g.in_w, p);
          acc_t<T> sum = 0;
          for (int64_t ih = win.h0; ih < win.h1; ++ih)
            for (int64_t iw = win.w0; iw < win.w1; ++iw) sum += x[ih * g.in_w + iw];
          y[(plane * g.out_h + oh) * g.out_w + ow] = static_cast<T>(sum / win.divisor);
        }
    }
  });
}

// Each output's gradient is shared equally (1 / divisor) by the in-bounds cells of its window.
void avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Pool2dParams& p) {
  const PlaneGeometry g = plane_geometry(grad_input, grad_out);
  dispatch_floating(grad_input.dtype(), "avg_pool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    const int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
    std::vector<acc_t<T>> acc(static_cast<size_t>(in_plane));
    for (int64_t plane = 0; plane < g.planes; ++plane) {
      const T* gy = grad_out.data_ptr<T>() + plane * out_plane;
      T* gx = grad_input.data_ptr<T>() + plane * in_plane;
      std::fill(acc.begin(), acc.end(), acc_t<T>(0));
      for (int64_t oh = 0; oh < g.out_h; ++oh)
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          const AvgWindow win = avg_window(oh, ow, g.in_h, g.in_w, p);
          const acc_t<T> share = static_cast<acc_t<T>>(gy[oh * g.out_w + ow]) / win.divisor;
          for (int64_t ih = win.h0; ih < win.h1; ++ih)
            for (int64_t iw = win.w0; iw < win.w1; ++iw) acc[ih * g.in_w + iw] += share;
        }
      for (int64_t i = 0; i < in_plane; ++i) gx[i] = static_cast<T>(acc[i]);
    }
  });
}

}  // namespace tinytorch::kernels::reference
