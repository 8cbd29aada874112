// col2im for the input gradient of convolutions with few input channels (conv2d.cpp). For one image and one group,
// the column matrix has a row per (ic, kh, kw) tap and a column per output position (oh, ow):
//   col[(ic * kH + kh) * kW + kw][oh * W_out + ow] pairs with x[ic][oh * sH - pH + kh * dH][ow * sW - pW + kw * dW]
// (nothing where the tap lands in the padding). It works on a band of output rows [oh0, oh1) so
// that the column buffer stays bounded for large images.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/optimized/conv_shape.h"

namespace tinytorch::kernels::optimized {

// The output columns [lo, hi) whose tap at input offset `offset + ow * stride` lies inside [0, size).
struct ValidRange {
  int64_t lo, hi;
};

inline ValidRange valid_outputs(int64_t offset, int64_t stride, int64_t size, int64_t out_size) {
  const int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t hi = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  const int64_t clamped_lo = std::min(lo, out_size);
  return {clamped_lo, std::max(clamped_lo, std::min(hi, out_size))};
}

// Adds every column entry into the input cell it pairs with. Taps are visited in a fixed order,
// so the sums do not depend on threading.
template <class T>
void col2im_add(const ConvShape& s, const T* col, int64_t oh0, int64_t oh1, T* x) {
  const int64_t cols = (oh1 - oh0) * s.out_w, sh = s.p.stride[0], sw = s.p.stride[1];
  for (int64_t ic = 0; ic < s.in_per_group; ++ic) {
    T* plane = x + ic * s.in_plane();
    for (int64_t kh = 0; kh < s.kernel_h; ++kh)
      for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
        const T* row = col + ((ic * s.kernel_h + kh) * s.kernel_w + kw) * cols;
        const int64_t w_offset = kw * s.p.dilation[1] - s.p.padding[1];
        const ValidRange valid = valid_outputs(w_offset, sw, s.in_w, s.out_w);
        for (int64_t oh = oh0; oh < oh1; ++oh) {
          const int64_t ih = oh * sh - s.p.padding[0] + kh * s.p.dilation[0];
          if (ih < 0 || ih >= s.in_h) continue;
          const T* src = row + (oh - oh0) * s.out_w;
          T* dst = plane + ih * s.in_w;
          if (sw == 1)
            for (int64_t ow = valid.lo; ow < valid.hi; ++ow) dst[ow + w_offset] += src[ow];
          else
            for (int64_t ow = valid.lo; ow < valid.hi; ++ow) dst[ow * sw + w_offset] += src[ow];
        }
      }
  }
}

}  // namespace tinytorch::kernels::optimized
