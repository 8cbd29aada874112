// The loop bodies behind fused_kernels.h, written once as plain loops that the compiler vectorizes.
// Included by exactly one file per ISA (fused_body.cpp, fused_body_avx512.cpp); the unnamed
// namespace gives each its own copy, so no AVX-512 code leaks into the baseline build.
// Per-row and per-channel sums use the fixed-order lane sums of fused_body_helpers.h.
#pragma once

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

#include "kernels/optimized/fused_body_helpers.h"

namespace tinytorch::kernels::optimized {
namespace {

// ---- layer_norm ----

// Rows per group whose statistics are taken before any of them is normalised: each row's statistics
// end in a chain of dependent steps (lane sums, their fold, a division, a square root) about 200
// cycles long, and with the rows one after another each chain waited for the previous row's output
// loop; a group's chains overlap. The group's rows stay in L1 for the second pass.
constexpr int64_t kStatRows = 8;

template <class T>
void layer_norm_rows(const LayerNormArgs<T>& a, int64_t begin, int64_t end) {
  const int64_t cols = a.cols;
  for (int64_t r0 = begin; r0 < end; r0 += kStatRows) {
    const int64_t r1 = std::min(end, r0 + kStatRows);
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = a.x + r * cols;
      const T first = x[0];
      const auto [sum, sum_sq] = vector_lane_sum2<T>(cols, [x, first](int64_t j, int64_t count) {
        const LaneVector<T> d = load_lanes(x + j, count) - first;
        return std::pair{d, d * d};
      });
      const auto [mu, var] = shifted_mean_var(first, sum, sum_sq, static_cast<double>(cols));
      a.mean[r] = static_cast<T>(mu);
      a.rstd[r] = static_cast<T>(1 / std::sqrt(var + a.eps));
    }
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = a.x + r * cols;
      T* y = a.out + r * cols;
      const T m = a.mean[r], s = a.rstd[r];
      const T* w = a.weight;
      const T* b = a.bias;
      if (w && b) {
        for (int64_t j = 0; j < cols; ++j) y[j] = (x[j] - m) * s * w[j] + b[j];
      } else if (w) {
        for (int64_t j = 0; j < cols; ++j) y[j] = (x[j] - m) * s * w[j];
      } else if (b) {
        for (int64_t j = 0; j < cols; ++j) y[j] = (x[j] - m) * s + b[j];
      } else {
        for (int64_t j = 0; j < cols; ++j) y[j] = (x[j] - m) * s;
      }
    }
  }
}

// Adds the weight and bias gradient terms of rows [r0, r1), grad_out * xhat and grad_out, into
// sum_w and sum_b: kLanes columns at a time with the rows inner, so the sums are loaded and stored
// once per group of rows. Row by row, the loop stored both sums for every row and took longer than
// computing grad_input.
template <class T>
void add_column_terms(const LayerNormArgs<T>& a, int64_t r0, int64_t r1, T* sum_w, T* sum_b) {
  using V = LaneVector<T>;
  const int64_t cols = a.cols;
  int64_t j = 0;
  for (; j + kLanes <= cols; j += kLanes) {
    V w = load_lanes(sum_w + j), b = load_lanes(sum_b + j);
    for (int64_t r = r0; r < r1; ++r) {
      const V g = load_lanes(a.grad_out + r * cols + j);
      w += g * ((load_lanes(a.x + r * cols + j) - a.mean[r]) * a.rstd[r]);
      b += g;
    }
    std::memcpy(sum_w + j, &w, sizeof w);
    std::memcpy(sum_b + j, &b, sizeof b);
  }
  for (; j < cols; ++j)
    for (int64_t r = r0; r < r1; ++r) {
      const T g = a.grad_out[r * cols + j];
      sum_w[j] += g * ((a.x[r * cols + j] - a.mean[r]) * a.rstd[r]);
      sum_b[j] += g;
    }
}

// Rows [begin, end) of layer_norm's backward. grad_input (when a.out) is
// rstd * (dy - mean(dy) - xhat * mean(dy * xhat)), dy = grad_out * weight; the two means of a group
// of rows are taken before any of its rows is written (as in the forward). The weight and bias
// gradient terms of the rows (when col_part is given) are added column by column into col_part[0,
// cols) and col_part[cols, 2 cols): in T over kColumnSumRows rows, then in double, the same order
// for any split of the blocks over threads. The row, still in L1, is read again for them; one loop
// writing grad_input and both sums would need more alias checks than GCC versions a loop for.
template <class T>
void layer_norm_backward_rows(const LayerNormArgs<T>& a, int64_t begin, int64_t end, double* col_part) {
  static_assert(kColumnSumRows % kStatRows == 0, "layer_norm: a column-sum block is whole row groups");
  const int64_t cols = a.cols;
  const T* w = a.weight;
  std::vector<T> sums(col_part ? static_cast<size_t>(2 * cols) : 0);
  T* sum_w = sums.data();
  T* sum_b = sum_w + cols;
  T mean_dy[kStatRows], mean_dy_xhat[kStatRows];
  // Instantiated with and without the weight: a weight test inside the loops would stop them
  // vectorizing. m and s are copied into the lambda: once their addresses escape, every store to
  // grad_input might change them and the loop stops vectorizing.
  const auto input_grads = [&](int64_t r0, int64_t r1, auto weighted) {
    constexpr bool kWeighted = decltype(weighted)::value;
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = a.x + r * cols;
      const T* g = a.grad_out + r * cols;
      const T m = a.mean[r], s = a.rstd[r];
      const auto [sum_dy, sum_dy_xhat] = vector_lane_sum2<T>(cols, [x, g, w, m, s](int64_t j, int64_t count) {
        LaneVector<T> dy = load_lanes(g + j, count);
        if constexpr (kWeighted) dy *= load_lanes(w + j, count);
        return std::pair{dy, dy * ((load_lanes(x + j, count) - m) * s)};
      });
      mean_dy[r - r0] = static_cast<T>(sum_dy / static_cast<double>(cols));
      mean_dy_xhat[r - r0] = static_cast<T>(sum_dy_xhat / static_cast<double>(cols));
    }
    for (int64_t r = r0; r < r1; ++r) {
      const T* x = a.x + r * cols;
      const T* g = a.grad_out + r * cols;
      const T m = a.mean[r], s = a.rstd[r], md = mean_dy[r - r0], mdx = mean_dy_xhat[r - r0];
      T* gx = a.out + r * cols;
      for (int64_t j = 0; j < cols; ++j) {
        const T dy = kWeighted ? g[j] * w[j] : g[j];
        gx[j] = s * (dy - md - (x[j] - m) * s * mdx);
      }
    }
  };
  for (int64_t r0 = begin; r0 < end; r0 += kStatRows) {
    const int64_t r1 = std::min(end, r0 + kStatRows);
    if (a.out && w)
      input_grads(r0, r1, std::true_type{});
    else if (a.out)
      input_grads(r0, r1, std::false_type{});
    if (!col_part) continue;
    add_column_terms(a, r0, r1, sum_w, sum_b);
    if ((r1 - begin) % kColumnSumRows == 0 || r1 == end) {
      for (int64_t j = 0; j < 2 * cols; ++j) col_part[j] += static_cast<double>(sums[static_cast<size_t>(j)]);
      std::fill(sums.begin(), sums.end(), T(0));
    }
  }
}

// ---- batch_norm ----

// Runs plane_fn(c, offset) on every plane of channels [begin, end), in memory order.
template <class T, class F>
void for_each_plane_in_order(const BatchNormArgs<T>& a, int64_t begin, int64_t end, const F& plane_fn) {
  for (int64_t n = 0; n < a.batch; ++n)
    for (int64_t c = begin; c < end; ++c) plane_fn(c, (n * a.channels + c) * a.spatial);
}

// Per channel c of [begin, end): two sums over the elements of the channel (every image's plane),
// in one pass, as {first, second} pairs; accumulate(c, plane, first_part, second_part) adds one
// plane's values into the channel's two lane sets. Memory is read in order (image by image, the
// range's planes one after another) while each channel's lanes run on from plane to plane in image
// order, so the sums do not depend on the range. One channel at a time hopped between 3 KB planes
// 100 KB apart, and the prefetchers fell behind (~38 GB/s).
template <class T, class Accumulate>
std::vector<double> channel_sums2(const BatchNormArgs<T>& a, int64_t begin, int64_t end, const Accumulate& accumulate) {
  std::vector<double> parts(static_cast<size_t>(2 * kLanes * (end - begin)), 0.0);
  for_each_plane_in_order(a, begin, end, [&](int64_t c, int64_t plane) {
    double* first_part = parts.data() + 2 * kLanes * (c - begin);
    accumulate(c, plane, first_part, first_part + kLanes);
  });
  std::vector<double> sums(static_cast<size_t>(2 * (end - begin)));
  for (size_t j = 0; j < sums.size(); ++j) sums[j] = combine_lanes(parts.data() + kLanes * j);
  return sums;
}

// out = (x - mean) * (invstd * weight) + bias from the saved statistics alone: the forward's last
// pass, and batch_norm_apply's whole job, so a recomputed output is bit for bit the forward's. With
// a.accumulate the value is added to out (rounded first, as a separate sum would be); with a.relu the
// result then goes through relu.
template <class T>
void batch_norm_apply_channels(const BatchNormArgs<T>& a, int64_t begin, int64_t end) {
  std::vector<T> scale(static_cast<size_t>(end - begin)), shift(scale.size());
  for (int64_t c = begin; c < end; ++c) {
    const double inv = a.save_invstd[c];
    scale[static_cast<size_t>(c - begin)] = static_cast<T>(a.weight ? inv * a.weight[c] : inv);
    shift[static_cast<size_t>(c - begin)] = a.bias ? a.bias[c] : T{0};
  }
  with_flag(a.accumulate, [&](auto accumulate) {
    with_flag(a.relu, [&](auto relu) {
      for_each_plane_in_order(a, begin, end, [&](int64_t c, int64_t plane) {
        const size_t j = static_cast<size_t>(c - begin);
        const T* x = a.x + plane;
        T* y = a.out + plane;
        const T mj = a.save_mean[c], sj = scale[j], hj = shift[j];
        for (int64_t i = 0; i < a.spatial; ++i) {
          const T v = (x[i] - mj) * sj + hj;
          const T r = accumulate ? y[i] + v : v;
          y[i] = relu && !(r > 0 || r != r) ? T(0) : r;  // relu_forward's rule: NaN passes, -0 becomes 0
        }
      });
    });
  });
}

template <class T>
void batch_norm_channels(const BatchNormArgs<T>& a, int64_t begin, int64_t end) {
  const double count = static_cast<double>(a.batch * a.spatial);
  std::vector<double> sums;
  if (a.training) {
    const T* x = a.x;
    sums = channel_sums2(a, begin, end, [&](int64_t c, int64_t plane, double* part, double* square_part) {
      const T* p = x + plane;
      lane_accumulate_squares(
          a.spatial, [p, first = x[c * a.spatial]](int64_t i) { return p[i] - first; }, part, square_part);
    });
  }
  for (int64_t c = begin; c < end; ++c) {
    double mu, inv;
    if (a.training) {
      const size_t j = static_cast<size_t>(c - begin);
      double var;
      std::tie(mu, var) = shifted_mean_var(a.x[c * a.spatial], sums[2 * j], sums[2 * j + 1], count);
      inv = 1 / std::sqrt(var + a.eps);
      if (a.running_mean) {
        a.running_mean[c] = static_cast<T>(a.running_mean[c] * (1 - a.momentum) + mu * a.momentum);
        a.running_var[c] = static_cast<T>(a.running_var[c] * (1 - a.momentum) + var * count / (count - 1) * a.momentum);
      }
    } else {
      mu = a.running_mean[c];
      inv = 1 / std::sqrt(static_cast<double>(a.running_var[c]) + a.eps);
    }
    a.save_mean[c] = static_cast<T>(mu);
    a.save_invstd[c] = static_cast<T>(inv);
  }
  batch_norm_apply_channels(a, begin, end);
}

// training: grad_input = weight * invstd * (g - mean(g) - xhat * mean(g * xhat)); eval: weight * invstd * g.
template <class T>
void batch_norm_backward_channels(const BatchNormArgs<T>& a, int64_t begin, int64_t end) {
  const double count = static_cast<double>(a.batch * a.spatial);
  const T* x = a.x;
  const T* g = a.grad_out;
  const std::vector<double> sums =
      channel_sums2(a, begin, end, [&](int64_t c, int64_t plane, double* g_part, double* g_x_part) {
        const T *pg = g + plane, *px = x + plane;
        lane_accumulate2(
            a.spatial, pg, [pg, px, m = a.save_mean[c]](int64_t i) { return pg[i] * (px[i] - m); }, g_part, g_x_part);
      });
  std::vector<T> scale(static_cast<size_t>(end - begin)), mean_g(scale.size()), k(scale.size());
  for (int64_t c = begin; c < end; ++c) {
    const size_t j = static_cast<size_t>(c - begin);
    const T s = a.save_invstd[c];
    const double sum_g = sums[2 * j], sum_g_xhat = sums[2 * j + 1] * s;
    if (a.grad_weight) a.grad_weight[c] = static_cast<T>(sum_g_xhat);
    if (a.grad_bias) a.grad_bias[c] = static_cast<T>(sum_g);
    scale[j] = a.weight ? s * a.weight[c] : s;
    mean_g[j] = a.training ? static_cast<T>(sum_g / count) : T{0};
    k[j] = a.training ? static_cast<T>(s * sum_g_xhat / count) : T{0};  // xhat * mean(g xhat) = (x - m) * k
  }
  if (!a.out) return;
  for_each_plane_in_order(a, begin, end, [&](int64_t c, int64_t plane) {
    const size_t j = static_cast<size_t>(c - begin);
    const T* xp = x + plane;
    const T* gp = g + plane;
    T* gx = a.out + plane;
    const T m = a.save_mean[c], sj = scale[j], mg = mean_g[j], kj = k[j];
    for (int64_t i = 0; i < a.spatial; ++i) gx[i] = sj * (gp[i] - mg - (xp[i] - m) * kj);
  });
}

// ---- cross_entropy ----

// Rows with fewer classes than this (a 10-class head) are transposed a tile at a time so that the
// max, exp-sum and log run across rows, in vector lanes: one row's lane reductions cost more than
// its handful of classes (128 rows of 10: 2.8 us in the row loop).
constexpr int64_t kShortClasses = 16;
constexpr int64_t kClassTile = 64;

// Loss of one row from its log-sum-exp (label smoothing spreads eps over the classes' mean).
template <class T>
T row_loss(const CrossEntropyArgs<T>& a, int64_t r, double lse) {
  const T* x = a.logits + r * a.classes;
  const int64_t t = a.target[r];
  if (t == a.ignore_index) return T{0};
  const double eps = a.label_smoothing;
  double loss = (1 - eps) * (lse - static_cast<double>(x[t]));
  if (eps != 0) loss += eps * (lse - lane_sum(a.classes, x) / static_cast<double>(a.classes));
  return static_cast<T>(loss);
}

template <class T>
void cross_entropy_short_rows(const CrossEntropyArgs<T>& a, int64_t begin, int64_t end) {
  const ExpLimits limits = exp_limits();
  const int64_t classes = a.classes;
  T xt[kShortClasses * kClassTile];
  T max[kClassTile], sum[kClassTile];
  for (int64_t r0 = begin; r0 < end; r0 += kClassTile) {
    const int64_t rows = std::min(kClassTile, end - r0);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t c = 0; c < classes; ++c) xt[c * kClassTile + i] = a.logits[(r0 + i) * classes + c];
    for (int64_t i = 0; i < rows; ++i) {
      max[i] = xt[i];
      sum[i] = T{0};
    }
    for (int64_t c = 1; c < classes; ++c)
      for (int64_t i = 0; i < rows; ++i) {
        const T v = xt[c * kClassTile + i];
        max[i] = (v > max[i] || v != v) ? v : max[i];  // NaN wins
      }
    for (int64_t c = 0; c < classes; ++c)
      for (int64_t i = 0; i < rows; ++i) sum[i] += vector_exp<T>(xt[c * kClassTile + i] - max[i], limits);
    // The log in double through libm, as for long rows: vec_math's log_t uses an FMA only
    // where the ISA has it, and the baseline and AVX-512 builds of these bodies must agree bitwise.
    for (int64_t i = 0; i < rows; ++i) {
      const double lse = static_cast<double>(max[i]) + std::log(static_cast<double>(sum[i]));
      a.lse[r0 + i] = static_cast<T>(lse);
      a.loss[r0 + i] = row_loss(a, r0 + i, lse);
    }
  }
}

template <class T>
void cross_entropy_rows(const CrossEntropyArgs<T>& a, int64_t begin, int64_t end) {
  const ExpLimits limits = exp_limits();
  if (a.classes < kShortClasses) return cross_entropy_short_rows(a, begin, end);
  const int64_t classes = a.classes;
  for (int64_t r = begin; r < end; ++r) {
    const T* x = a.logits + r * classes;
    const T max = lane_max(x, classes);
    const double sum_exp = lane_sum(classes, [&](int64_t c) { return vector_exp<T>(x[c] - max, limits); });
    const double lse = static_cast<double>(max) + std::log(sum_exp);
    a.lse[r] = static_cast<T>(lse);
    a.loss[r] = row_loss(a, r, lse);
  }
}

// Short rows: each row's lse, grad_loss and eps / C are first spread over its classes, so that
// the exp runs over a whole tile of rows in vector lanes instead of a few classes at a time.
template <class T>
void cross_entropy_backward_short_rows(const CrossEntropyArgs<T>& a, int64_t begin, int64_t end) {
  const ExpLimits limits = exp_limits();
  const int64_t classes = a.classes;
  const double eps = a.label_smoothing;
  T lse[kShortClasses * kClassTile], grad[kShortClasses * kClassTile], uniform[kShortClasses * kClassTile];
  for (int64_t r0 = begin; r0 < end; r0 += kClassTile) {
    const int64_t rows = std::min(kClassTile, end - r0);
    for (int64_t i = 0; i < rows; ++i) {
      const T g = a.grad_loss[r0 + i], u = static_cast<T>(g * eps / static_cast<double>(classes));
      for (int64_t c = 0; c < classes; ++c) {
        lse[i * classes + c] = a.lse[r0 + i];
        grad[i * classes + c] = g;
        uniform[i * classes + c] = u;
      }
    }
    const T* x = a.logits + r0 * classes;
    T* gx = a.grad_logits + r0 * classes;
    for (int64_t k = 0; k < rows * classes; ++k) gx[k] = grad[k] * vector_exp<T>(x[k] - lse[k], limits) - uniform[k];
    for (int64_t i = 0; i < rows; ++i) {
      const int64_t t = a.target[r0 + i];
      if (t == a.ignore_index)
        std::fill(gx + i * classes, gx + (i + 1) * classes, T{0});
      else
        gx[i * classes + t] -= static_cast<T>(a.grad_loss[r0 + i] * (1 - eps));
    }
  }
}

// grad = grad_loss * (softmax - (1 - eps) * onehot - eps / C).
template <class T>
void cross_entropy_backward_rows(const CrossEntropyArgs<T>& a, int64_t begin, int64_t end) {
  const ExpLimits limits = exp_limits();
  if (a.classes < kShortClasses) return cross_entropy_backward_short_rows(a, begin, end);
  const int64_t classes = a.classes;
  const double eps = a.label_smoothing;
  for (int64_t r = begin; r < end; ++r) {
    const T* x = a.logits + r * classes;
    T* gx = a.grad_logits + r * classes;
    const int64_t t = a.target[r];
    if (t == a.ignore_index) {
      for (int64_t c = 0; c < classes; ++c) gx[c] = T{0};
      continue;
    }
    const T g = a.grad_loss[r], lse = a.lse[r];
    const T uniform = static_cast<T>(g * eps / static_cast<double>(classes));
    for (int64_t c = 0; c < classes; ++c) gx[c] = g * vector_exp<T>(x[c] - lse, limits) - uniform;
    gx[t] -= static_cast<T>(g * (1 - eps));
  }
}

// ---- optimizer updates (formulas in kernel_table.h, order of operations as torch.optim) ----

template <class T>
void sgd_elements(const OptimArgs<T>& a, const SgdUpdate& u, int64_t begin, int64_t end) {
  const T lr = u.lr, wd = u.weight_decay, momentum = u.momentum, damp = 1 - u.dampening;
  T* p = a.param;
  const T* g = a.grad;
  T* buf = a.state0;
  with_flag(u.weight_decay != 0, [&](auto decay) {
    with_flag(buf != nullptr, [&](auto use_momentum) {
      with_flag(u.init_buffer, [&](auto init) {
        with_flag(u.nesterov, [&](auto nesterov) {
          for (int64_t i = begin; i < end; ++i) {
            T d = decay ? g[i] + wd * p[i] : g[i];
            if constexpr (use_momentum) {
              const T b = init ? d : buf[i] * momentum + damp * d;
              buf[i] = b;
              d = nesterov ? d + momentum * b : b;
            }
            p[i] = p[i] - lr * d;
          }
        });
      });
    });
  });
}

template <class T>
void adam_elements(const OptimArgs<T>& a, const AdamUpdate& u, int64_t begin, int64_t end) {
  const double step = static_cast<double>(u.step);
  const T decay = 1 - u.lr * u.weight_decay, wd = u.weight_decay;
  const T beta1 = u.beta1, beta2 = u.beta2, one_minus_beta1 = 1 - u.beta1, one_minus_beta2 = 1 - u.beta2;
  const T step_size = u.lr / (1 - std::pow(u.beta1, step));
  const T bias_correction2_sqrt = std::sqrt(1 - std::pow(u.beta2, step));
  const T eps = u.eps;
  T* p = a.param;
  const T* g = a.grad;
  T* m = a.state0;
  T* v = a.state1;
  T* vmax = a.state2;
  with_flag(!u.decoupled && u.weight_decay != 0, [&](auto coupled) {
    with_flag(u.decoupled && u.weight_decay != 0, [&](auto decoupled) {
      with_flag(vmax != nullptr, [&](auto amsgrad) {
        for (int64_t i = begin; i < end; ++i) {
          const T pi = decoupled ? p[i] * decay : p[i];
          const T gi = coupled ? g[i] + wd * pi : g[i];
          const T mi = m[i] * beta1 + one_minus_beta1 * gi;
          const T vi = v[i] * beta2 + one_minus_beta2 * gi * gi;
          T second = vi;
          if constexpr (amsgrad) {
            second = vmax[i] > vi ? vmax[i] : vi;
            vmax[i] = second;
          }
          m[i] = mi;
          v[i] = vi;
          p[i] = pi - step_size * (mi / (std::sqrt(second) / bias_correction2_sqrt + eps));
        }
      });
    });
  });
}

template <class T>
void rmsprop_elements(const OptimArgs<T>& a, const RmspropUpdate& u, int64_t begin, int64_t end) {
  const T lr = u.lr, alpha = u.alpha, one_minus_alpha = 1 - u.alpha, eps = u.eps, wd = u.weight_decay;
  const T momentum = u.momentum;
  T* p = a.param;
  const T* g = a.grad;
  T* sq = a.state0;
  T* buf = a.state1;
  T* ga = a.state2;
  with_flag(u.weight_decay != 0, [&](auto decay) {
    with_flag(ga != nullptr, [&](auto centered) {
      with_flag(buf != nullptr, [&](auto use_momentum) {
        for (int64_t i = begin; i < end; ++i) {
          const T gi = decay ? g[i] + wd * p[i] : g[i];
          const T si = sq[i] * alpha + one_minus_alpha * gi * gi;
          sq[i] = si;
          T avg;
          if constexpr (centered) {
            const T gai = ga[i] * alpha + one_minus_alpha * gi;
            ga[i] = gai;
            avg = std::sqrt(si - gai * gai) + eps;
          } else {
            avg = std::sqrt(si) + eps;
          }
          if constexpr (use_momentum) {
            const T bi = buf[i] * momentum + gi / avg;
            buf[i] = bi;
            p[i] = p[i] - lr * bi;
          } else {
            p[i] = p[i] - lr * (gi / avg);
          }
        }
      });
    });
  });
}

template <class T>
void adagrad_elements(const OptimArgs<T>& a, const AdagradUpdate& u, int64_t begin, int64_t end) {
  const T lr = u.lr, wd = u.weight_decay, eps = u.eps;
  T* p = a.param;
  const T* g = a.grad;
  T* s = a.state0;
  with_flag(u.weight_decay != 0, [&](auto decay) {
    for (int64_t i = begin; i < end; ++i) {
      const T gi = decay ? g[i] + wd * p[i] : g[i];
      const T si = s[i] + gi * gi;
      s[i] = si;
      p[i] = p[i] - lr * (gi / (std::sqrt(si) + eps));
    }
  });
}

template <class T>
FusedBodies<T> make_fused_bodies() {
  return {layer_norm_rows<T>,
          layer_norm_backward_rows<T>,
          batch_norm_channels<T>,
          batch_norm_apply_channels<T>,
          batch_norm_backward_channels<T>,
          cross_entropy_rows<T>,
          cross_entropy_backward_rows<T>,
          sgd_elements<T>,
          adam_elements<T>,
          rmsprop_elements<T>,
          adagrad_elements<T>};
}

}  // namespace
}  // namespace tinytorch::kernels::optimized
