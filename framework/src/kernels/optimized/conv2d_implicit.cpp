// Convolution as an implicit GEMM: no column matrix. Each image group is copied once into a
// zero-padded, stride-split buffer (Layout below) in which output position (oh, ow) is GEMM column q
// and every tap reads the element at q plus a fixed offset. So for every tap, consecutive columns are
// consecutive elements: the microkernel reads a B panel's rows in place (or packs each with one
// short contiguous copy), with no bounds checks (the padding is in the buffer). The few columns of
// each row that have no output are computed and dropped, like the padding of the last panel.
//   forward:         yq[OC_g, q] = W_g[OC_g, K] · X[K, q], W_g packed once per call
//   backward input:  the input split by the stride into phases; each phase is an implicit GEMM of
//                    the zero-padded gy with the taps that reach it (for stride 1, one phase:
//                    the forward of gy with the rotated, transposed weight)
//   backward weight: gW_g[OC_g, K] = sum over images and q of gyq[OC_g, q] · X[K, q], as dot
//                    products of rows (gyq is gy spread over the q columns, zero where no output)
// Every output element is one microkernel (or dot-product) sum in a fixed K (or q) order, and the
// weight gradient adds a fixed partition of the batch in order, so results do not depend on the
// thread count. (Columns without an output pair zeros of gyq with real inputs, so an infinite or
// NaN input can reach weight-gradient entries that PyTorch computes without it.)
#include "kernels/optimized/conv2d_implicit.h"

#include <algorithm>
#include <vector>

#include "kernels/optimized/conv_pool_kernels.h"
#include "kernels/optimized/gemm/gemm.h"
#include "kernels/optimized/gemm/pack.h"
#include "kernels/optimized/int_math.h"
#include "kernels/optimized/thread_pool.h"
#include "kernels/optimized/thread_scratch.h"

namespace tinytorch::kernels::optimized::implicit_conv {
namespace {

// The weight gradient splits the batch into slots of about kSlotLength input elements per channel
// (long dot products reduce their lanes rarely: 52 GFLOP/s at 162 elements, 154 at 4096 here),
// keeping at most kSlotBudget elements of partial sums.
constexpr int64_t kSlotLength = 4096;
constexpr int64_t kSlotBudget = int64_t{1} << 22;
// The input gradient's GEMM has one row per input channel: below this many, a tile of 8 rows would
// be mostly padding (a 1-channel image: 3.7 ms for 64 28x28 images vs 2.6 ms through col2im).
constexpr int64_t kMinInputGradientChannels = 8;
// Rows of the weight gradient per work item when threads share one slot (a multiple of every
// ISA's dot-product block).
constexpr int64_t kRowsPerItem = 12;

// The phase-split padded input. The zero-padded image (hp x wp) is split by the stride into
// sh * sw phase planes of hq x wq: padded element (a, b) goes to phase (a % sh, b % sw), row a / sh,
// column b / sw. Output (oh, ow) is column q = oh * wq + ow, and tap (kh, kw) reads phase
// (kh * dh % sh, kw * dw % sw) at q + (kh * dh / sh) * wq + kw * dw / sw. With stride 1 there is one
// phase, the padded image itself.
struct Layout {
  int64_t sh, sw, wq, phase_plane;
  int64_t columns;  // out_h * wq: the q columns that hold outputs

  explicit Layout(const ConvShape& s)
      : sh(s.p.stride[0]),
        sw(s.p.stride[1]),
        wq(ceil_div(s.in_w + 2 * s.p.padding[1], sw)),
        phase_plane(ceil_div(s.in_h + 2 * s.p.padding[0], sh) * wq),
        columns(s.out_h * wq) {}

  int64_t phases() const { return sh * sw; }
  // Offset of every tap (c, kh, kw), in K order, from column q, for channels channel_stride apart
  // whose phase planes are phase_stride apart.
  std::vector<int64_t> tap_offsets(const ConvShape& s, int64_t channel_stride, int64_t phase_stride) const {
    std::vector<int64_t> offsets;
    offsets.reserve(static_cast<size_t>(s.col_rows()));
    for (int64_t c = 0; c < s.in_per_group; ++c)
      for (int64_t kh = 0; kh < s.kernel_h; ++kh)
        for (int64_t kw = 0; kw < s.kernel_w; ++kw) {
          const int64_t a = kh * s.p.dilation[0], b = kw * s.p.dilation[1];
          offsets.push_back(c * channel_stride + (a % sh * sw + b % sw) * phase_stride + a / sh * wq + b / sw);
        }
    return offsets;
  }
};

// Writes one input channel plane into its phase planes at dst (phase_stride apart), whose padding
// is already zero.
template <class T>
void split_phases(const ConvShape& s, const Layout& l, const ConvPoolKernels<T>& kernels, const T* x, T* dst,
                  int64_t phase_stride) {
  if (l.sh == 1 && l.sw == 1) {
    kernels.copy_rows(x, s.in_w, s.in_h, s.in_w, dst + s.p.padding[0] * l.wq + s.p.padding[1], l.wq);
    return;
  }
  // Input rows ih, ih + sh, ... share a row phase and go to consecutive rows of its phase planes.
  for (int64_t ih = 0; ih < std::min(l.sh, s.in_h); ++ih) {
    const int64_t a = ih + s.p.padding[0];
    kernels.split_columns(x + ih * s.in_w, l.sh * s.in_w, ceil_div(s.in_h - ih, l.sh), s.in_w, s.p.padding[1], l.sw,
                          dst + a % l.sh * l.sw * phase_stride + a / l.sh * l.wq, l.wq, phase_stride);
  }
}

// Copies columns [q0, q1) of `channels` rows of yq (row stride ld) that hold outputs into y: a
// partial first row, whole rows, a partial last row.
template <class T>
void store_outputs(const ConvShape& s, const Layout& l, const ConvPoolKernels<T>& kernels, const T* yq, int64_t ld,
                   int64_t q0, int64_t q1, int64_t channels, T* y) {
  const auto copy = [&](int64_t oh, int64_t rows, int64_t ow0, int64_t ow1) {
    if (rows <= 0 || ow0 >= ow1) return;
    for (int64_t oc = 0; oc < channels; ++oc)
      kernels.copy_rows(yq + oc * ld + oh * l.wq + ow0, l.wq, rows, ow1 - ow0,
                        y + oc * s.out_plane() + oh * s.out_w + ow0, s.out_w);
  };
  const int64_t first_row = q0 / l.wq, last_row = (q1 - 1) / l.wq;
  if (first_row == last_row) return copy(first_row, 1, q0 - first_row * l.wq, std::min(s.out_w, q1 - first_row * l.wq));
  copy(first_row, 1, q0 - first_row * l.wq, s.out_w);
  copy(first_row + 1, last_row - first_row - 1, 0, s.out_w);
  copy(last_row, 1, 0, std::min(s.out_w, q1 - last_row * l.wq));
}

// The packed weight and the microkernel loop shared by the forward pass and the input gradient:
// yq[rows, q] = A[m, k] · B[k, q] with B's row t read from the source at q + offsets[t].
template <class T>
struct TapGemm {
  GemmKernel<T> kernel;
  const ConvPoolKernels<T>& kernels;
  int64_t mr, nr, m_panels, rows;

  TapGemm(int64_t m, int64_t columns)
      : kernel(gemm_kernel(cpu_isa(), m, columns, T{})),
        kernels(conv_pool_kernels(T{})),
        mr(kernel.blocks.mr),
        nr(kernel.blocks.nr),
        m_panels(ceil_div(m, mr)),
        rows(m_panels * mr) {}

  int64_t kc(int64_t k) const { return ceil_div(k, ceil_div(k, kernel.blocks.kc)); }
  int64_t packed_size(int64_t k) const { return rows * k; }

  // Packs an m x k weight matrix (row stride ldw) into dst: the K block at pc starts at dst + pc * rows.
  void pack(const T* w, int64_t m, int64_t k, int64_t ldw, T* dst) const {
    for (int64_t pc = 0; pc < k; pc += kc(k))
      pack_panels(w + pc, m, std::min(kc(k), k - pc), ldw, int64_t{1}, mr, 0, m_panels, dst + pc * rows,
                  kernel.pack_rows);
  }

  // Column panels [jr0, jr1) of yq (row stride ld) from a packed weight and the taps of source
  // (zero for k == 0: no taps). The microkernel reads the taps in place where the ISA has such a
  // kernel (resnet_block1 forward 765 -> 663 us, no shape slower); otherwise each panel's taps are
  // packed into a per-thread buffer first.
  void run(const T* a_pack, const int64_t* offsets, int64_t k, const T* source, int64_t jr0, int64_t jr1, T* yq,
           int64_t ld) const {
    if (k == 0) {
      for (int64_t r = 0; r < rows; ++r) std::fill(yq + r * ld + jr0 * nr, yq + r * ld + jr1 * nr, T(0));
      return;
    }
    T* b_pack = kernel.run_taps ? nullptr : thread_scratch<T, 2>(kc(k) * nr);
    for (int64_t pc = 0; pc < k; pc += kc(k)) {
      const int64_t depth = std::min(kc(k), k - pc);
      for (int64_t jr = jr0; jr < jr1; ++jr) {
        if (kernel.run_taps) {
          for (int64_t ir = 0; ir < m_panels; ++ir)
            kernel.run_taps(depth, a_pack + pc * rows + ir * mr * depth, source + jr * nr, offsets + pc,
                            yq + ir * mr * ld + jr * nr, ld, T(1), pc == 0 ? T(0) : T(1));
          continue;
        }
        kernels.gather_rows(source + jr * nr, offsets + pc, depth, nr, b_pack);
        for (int64_t ir = 0; ir < m_panels; ++ir)
          kernel.run(depth, a_pack + pc * rows + ir * mr * depth, b_pack, yq + ir * mr * ld + jr * nr, ld, T(1),
                     pc == 0 ? T(0) : T(1));
      }
    }
  }
};

// Runs an implicit convolution's work items over the threads: the image groups, each cut into
// parts along the GEMM columns (n_panels of them) unless the images alone keep every thread busy.
// fill(image, padded) builds an image group's source in a zeroed buffer of buffer_size elements,
// once per thread and image; then work(image, part, parts, padded) multiplies one part.
template <class T, class Fill, class Work>
void for_image_parts(int64_t images, int64_t n_panels, int64_t buffer_size, const Fill& fill, const Work& work) {
  const int width = parallel_width(images * n_panels);
  const int64_t parts = images >= 2 * width ? 1 : std::min<int64_t>(n_panels, ceil_div(2 * width, images));
  parallel_for(0, images * parts, 1, [&](int64_t first, int64_t last) {
    T* padded = thread_scratch<T, 0>(buffer_size);
    int64_t padded_image = -1;
    for (int64_t item = first; item < last; ++item) {
      const int64_t image = item / parts, part = item % parts;
      if (image != padded_image) {
        std::fill(padded, padded + buffer_size, T(0));
        fill(image, padded);
        padded_image = image;
      }
      work(image, part, parts, padded);
    }
  });
}

// The input gradient along one axis, split by the stride into phases: padded input position
// a = stride * (first + i) + phase gets the taps k with k * dilation = stride * shift + phase from
// output position first + i - shift. count positions of the phase lie inside the image.
struct AxisPhase {
  std::vector<int64_t> taps, shifts;
  int64_t first = 0, count = 0;
};

std::vector<AxisPhase> axis_phases(int64_t stride, int64_t padding, int64_t dilation, int64_t kernel, int64_t in) {
  std::vector<AxisPhase> phases(static_cast<size_t>(stride));
  for (int64_t k = 0; k < kernel; ++k) {
    AxisPhase& ph = phases[static_cast<size_t>(k * dilation % stride)];
    ph.taps.push_back(k);
    ph.shifts.push_back(k * dilation / stride);
  }
  for (int64_t f = 0; f < stride; ++f) {
    AxisPhase& ph = phases[static_cast<size_t>(f)];
    ph.first = padding > f ? ceil_div(padding - f, stride) : 0;
    ph.count = std::max<int64_t>(0, ceil_div(in + padding - f, stride) - ph.first);
  }
  return phases;
}

// Zero rows (or columns) the padded output gradient needs before its first one, so that the
// lowest read, output position first - shift, is its row 0; and its length, so that the highest,
// first + count - 1, is inside. Every extra column is computed and dropped for each row.
int64_t axis_lead(const std::vector<AxisPhase>& phases) {
  int64_t lead = 0;
  for (const AxisPhase& ph : phases)
    for (const int64_t t : ph.shifts)
      if (ph.count > 0) lead = std::max(lead, t - ph.first);
  return lead;
}

int64_t axis_length(const std::vector<AxisPhase>& phases, int64_t out) {
  int64_t length = out;
  for (const AxisPhase& ph : phases)
    if (ph.count > 0) length = std::max(length, ph.first + ph.count);
  return axis_lead(phases) + length;
}

}  // namespace

bool applies_to_input_gradient(const ConvShape& s) { return s.in_per_group >= kMinInputGradientChannels; }

template <class T>
void forward(const ConvShape& s, const T* x, const T* w, T* y) {
  const int64_t k = s.col_rows(), ocg = s.out_per_group, cg = s.in_per_group;
  const TapGemm<T> gemm(ocg, s.out_plane());
  const Layout l(s);
  // One image group's buffer: channel c at c * channel_size, then slack for the last panel's reads.
  const int64_t channel_size = l.phases() * l.phase_plane, buffer_size = cg * channel_size + gemm.nr + l.wq;
  const int64_t n_panels = ceil_div(l.columns, gemm.nr), ld = n_panels * gemm.nr;
  const std::vector<int64_t> offsets = l.tap_offsets(s, channel_size, l.phase_plane);

  std::vector<T> a_pack(static_cast<size_t>(s.groups * gemm.packed_size(k)));
  for (int64_t gi = 0; gi < s.groups; ++gi)
    gemm.pack(w + gi * ocg * k, ocg, k, k, a_pack.data() + gi * gemm.packed_size(k));

  const auto fill = [&](int64_t image, T* padded) {
    const T* x_image = x + ((image / s.groups) * s.in_channels + image % s.groups * cg) * s.in_plane();
    for (int64_t c = 0; c < cg; ++c)
      split_phases(s, l, gemm.kernels, x_image + c * s.in_plane(), padded + c * channel_size, l.phase_plane);
  };
  const auto work = [&](int64_t image, int64_t part, int64_t parts, const T* padded) {
    const int64_t gi = image % s.groups, jr0 = n_panels * part / parts, jr1 = n_panels * (part + 1) / parts;
    T* yq = thread_scratch<T, 1>(gemm.rows * ld);
    gemm.run(a_pack.data() + gi * gemm.packed_size(k), offsets.data(), k, padded, jr0, jr1, yq, ld);
    store_outputs(s, l, gemm.kernels, yq, ld, jr0 * gemm.nr, std::min(jr1 * gemm.nr, l.columns), ocg,
                  y + ((image / s.groups) * s.out_channels + gi * ocg) * s.out_plane());
  };
  for_image_parts<T>(s.batch * s.groups, n_panels, buffer_size, fill, work);
}

template <class T>
void backward_input(const ConvShape& s, const T* gy, const T* w, T* gx) {
  const int64_t ocg = s.out_per_group, cg = s.in_per_group, taps = s.kernel_h * s.kernel_w;
  const std::vector<AxisPhase> rows_ph =
      axis_phases(s.p.stride[0], s.p.padding[0], s.p.dilation[0], s.kernel_h, s.in_h);
  const std::vector<AxisPhase> cols_ph =
      axis_phases(s.p.stride[1], s.p.padding[1], s.p.dilation[1], s.kernel_w, s.in_w);
  // The output gradient of one image group, zero-padded so that every tap of every phase reads
  // inside it: channel oc at oc * plane, row r holding output row r - lead_h.
  const int64_t lead_h = axis_lead(rows_ph), lead_w = axis_lead(cols_ph), wq = axis_length(cols_ph, s.out_w);
  const int64_t plane = axis_length(rows_ph, s.out_h) * wq;
  struct Phase {
    const AxisPhase *h, *w;
    int64_t fh, fw, k, columns;
    std::vector<int64_t> offsets;
    std::vector<T> a_pack;  // every group's
  };
  std::vector<Phase> phases;
  for (int64_t fh = 0; fh < s.p.stride[0]; ++fh)
    for (int64_t fw = 0; fw < s.p.stride[1]; ++fw) {
      const AxisPhase &h = rows_ph[static_cast<size_t>(fh)], &wph = cols_ph[static_cast<size_t>(fw)];
      // Every input position lies in exactly one phase; one that no tap reaches (stride 2 with a
      // 1x1 kernel) has k == 0 and gets zeros.
      if (h.count > 0 && wph.count > 0)
        phases.push_back(
            {&h, &wph, fh, fw, ocg * static_cast<int64_t>(h.taps.size() * wph.taps.size()), h.count * wq, {}, {}});
    }
  int64_t max_columns = 0;
  for (const Phase& ph : phases) max_columns = std::max(max_columns, ph.columns);
  const TapGemm<T> gemm(cg, max_columns);
  std::vector<T> matrix;
  for (Phase& ph : phases) {
    // Phase weight [c][(oc, tap_h, tap_w)] and the matching reads of the padded output gradient.
    for (int64_t oc = 0; oc < ocg; ++oc)
      for (size_t th = 0; th < ph.h->taps.size(); ++th)
        for (size_t tw = 0; tw < ph.w->taps.size(); ++tw)
          ph.offsets.push_back(oc * plane + (ph.h->first - ph.h->shifts[th] + lead_h) * wq + ph.w->first -
                               ph.w->shifts[tw] + lead_w);
    ph.a_pack.resize(static_cast<size_t>(s.groups * gemm.packed_size(ph.k)));
    matrix.resize(static_cast<size_t>(cg * ph.k));
    for (int64_t gi = 0; gi < s.groups; ++gi) {
      for (int64_t c = 0; c < cg; ++c) {
        T* row = matrix.data() + c * ph.k;
        for (int64_t oc = 0; oc < ocg; ++oc)
          for (const int64_t kh : ph.h->taps)
            for (const int64_t kw : ph.w->taps) *row++ = w[((gi * ocg + oc) * cg + c) * taps + kh * s.kernel_w + kw];
      }
      gemm.pack(matrix.data(), cg, ph.k, ph.k, ph.a_pack.data() + gi * gemm.packed_size(ph.k));
    }
  }
  const int64_t max_panels = ceil_div(max_columns, gemm.nr), ld = max_panels * gemm.nr;
  const int64_t buffer_size = ocg * plane + gemm.nr + wq, sh = s.p.stride[0], sw = s.p.stride[1];

  const auto fill = [&](int64_t image, T* padded) {
    const T* gy_image = gy + ((image / s.groups) * s.out_channels + image % s.groups * ocg) * s.out_plane();
    for (int64_t oc = 0; oc < ocg; ++oc)
      gemm.kernels.copy_rows(gy_image + oc * s.out_plane(), s.out_w, s.out_h, s.out_w,
                             padded + oc * plane + lead_h * wq + lead_w, wq);
  };
  const auto work = [&](int64_t image, int64_t part, int64_t parts, const T* padded) {
    const int64_t gi = image % s.groups;
    T* gx_image = gx + ((image / s.groups) * s.in_channels + gi * cg) * s.in_plane();
    T* yq = thread_scratch<T, 1>(gemm.rows * ld);
    for (const Phase& ph : phases) {
      const int64_t n_panels = ceil_div(ph.columns, gemm.nr);
      const int64_t jr0 = n_panels * part / parts, jr1 = n_panels * (part + 1) / parts;
      if (jr0 == jr1) continue;
      const int64_t q0 = jr0 * gemm.nr, q1 = std::min(jr1 * gemm.nr, ph.columns);
      gemm.run(ph.a_pack.data() + gi * gemm.packed_size(ph.k), ph.offsets.data(), ph.k, padded, jr0, jr1, yq, ld);
      // Column q = i * wq + j of the phase is input row sh * (first_h + i) + fh - padding, column
      // sw * (first_w + j) + fw - padding.
      for (int64_t i = q0 / wq; i <= (q1 - 1) / wq; ++i) {
        const int64_t j0 = std::max(q0 - i * wq, int64_t{0}), j1 = std::min(q1 - i * wq, ph.w->count);
        if (j0 >= j1) continue;
        const T* src = yq + i * wq;
        T* dst = gx_image + (sh * (ph.h->first + i) + ph.fh - s.p.padding[0]) * s.in_w + sw * ph.w->first + ph.fw -
                 s.p.padding[1];
        if (sw == 1)
          gemm.kernels.copy_rows(src + j0, ld, cg, j1 - j0, dst + j0, s.in_plane());
        else
          gemm.kernels.spread_columns(src + j0, ld, cg, j1 - j0, sw, dst + j0 * sw, s.in_plane());
      }
    }
  };
  for_image_parts<T>(s.batch * s.groups, max_panels, buffer_size, fill, work);
}

template <class T>
void backward_weight(const ConvShape& s, const T* gy, const T* x, T* gw) {
  const int64_t k = s.col_rows(), ocg = s.out_per_group, cg = s.in_per_group, weight_size = s.out_channels * k;
  const Layout l(s);
  const ConvPoolKernels<T>& kernels = conv_pool_kernels(T{});
  // The partition of the batch is a function of the shape only, so sums do not depend on threads.
  const int64_t slots = std::clamp(ceil_div(s.batch * l.phase_plane, kSlotLength), int64_t{1},
                                   std::min(s.batch, std::max<int64_t>(1, kSlotBudget / weight_size)));
  const int64_t max_len = ceil_div(s.batch, slots) * l.phase_plane;
  // Slot 0 accumulates straight into gw.
  std::vector<T> partials(static_cast<size_t>((slots - 1) * weight_size));
  const auto slot_sum = [&](int64_t slot) { return slot == 0 ? gw : partials.data() + (slot - 1) * weight_size; };

  // One slot's images side by side: phase f of channel c is row c * phases + f of `padded` (row
  // length len), holding that phase plane of each image in turn; gyq row oc holds each image's gy
  // spread over the q columns of its plane, zero elsewhere. Each (oc, tap) sum is then one dot
  // product over all of the slot's images, so its lanes are reduced once per slot, not per image.
  const int64_t rows = cg * l.phases();
  struct SlotData {
    T* padded;
    T* gyq;
    int64_t len;
    std::vector<const T*> taps;
  };
  const auto fill_slot = [&](int64_t slot, int64_t gi, SlotData& d) {
    const int64_t first = s.batch * slot / slots, last = s.batch * (slot + 1) / slots;
    d.len = (last - first) * l.phase_plane;
    std::fill(d.padded, d.padded + rows * d.len + l.phase_plane, T(0));
    std::fill(d.gyq, d.gyq + ocg * d.len, T(0));
    for (int64_t n = first; n < last; ++n) {
      const int64_t at = (n - first) * l.phase_plane;
      const T* x_image = x + (n * s.in_channels + gi * cg) * s.in_plane();
      for (int64_t c = 0; c < cg; ++c)
        split_phases(s, l, kernels, x_image + c * s.in_plane(), d.padded + c * l.phases() * d.len + at, d.len);
      const T* gy_image = gy + (n * s.out_channels + gi * ocg) * s.out_plane();
      for (int64_t oc = 0; oc < ocg; ++oc)
        kernels.copy_rows(gy_image + oc * s.out_plane(), s.out_w, s.out_h, s.out_w, d.gyq + oc * d.len + at, l.wq);
    }
    d.taps.clear();
    for (const int64_t offset : l.tap_offsets(s, l.phases() * d.len, d.len)) d.taps.push_back(d.padded + offset);
  };
  // Output-channel rows [r0, r1) of one slot and group.
  const auto dot = [&](const SlotData& d, int64_t slot, int64_t gi, int64_t r0, int64_t r1) {
    kernels.dot_rows(r1 - r0, k, d.len, d.gyq + r0 * d.len, d.len, d.taps.data(), slot_sum(slot) + (gi * ocg + r0) * k,
                     k, T(0));
  };

  const int64_t items = ceil_div(ocg, kRowsPerItem);
  if (slots > 1 || parallel_width(items) == 1) {
    // Each thread fills and sums whole slots.
    const auto run_slots = [&](int64_t first_slot, int64_t last_slot) {
      SlotData d{thread_scratch<T, 0>(rows * max_len + l.phase_plane), thread_scratch<T, 1>(ocg * max_len), 0, {}};
      for (int64_t slot = first_slot; slot < last_slot; ++slot)
        for (int64_t gi = 0; gi < s.groups; ++gi) {
          fill_slot(slot, gi, d);
          dot(d, slot, gi, 0, ocg);
        }
    };
    parallel_for(0, slots, 1, run_slots);
  } else {
    // One slot: this thread fills it, then the threads split its output-channel rows.
    SlotData d{thread_scratch<T, 0>(rows * max_len + l.phase_plane), thread_scratch<T, 1>(ocg * max_len), 0, {}};
    for (int64_t gi = 0; gi < s.groups; ++gi) {
      fill_slot(0, gi, d);
      parallel_for(0, items, 1, [&](int64_t first, int64_t last) {
        dot(d, 0, gi, first * kRowsPerItem, std::min(ocg, last * kRowsPerItem));
      });
    }
  }

  for (int64_t slot = 1; slot < slots; ++slot) {
    const T* part = slot_sum(slot);
    for (int64_t i = 0; i < weight_size; ++i) gw[i] += part[i];
  }
}

template void forward(const ConvShape&, const float*, const float*, float*);
template void forward(const ConvShape&, const double*, const double*, double*);
template void backward_input(const ConvShape&, const float*, const float*, float*);
template void backward_input(const ConvShape&, const double*, const double*, double*);
template void backward_weight(const ConvShape&, const float*, const float*, float*);
template void backward_weight(const ConvShape&, const double*, const double*, double*);

}  // namespace tinytorch::kernels::optimized::implicit_conv
