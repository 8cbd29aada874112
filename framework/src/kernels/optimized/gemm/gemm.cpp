// The GEMM driver: BLIS's five loops around the microkernel.
//   jc: N in blocks of nc    -> pack B[pc, jc] block into nr-wide panels (shared by all threads)
//   pc: K in blocks of kc
//   ic: M in blocks of mc    -> pack A[ic, pc] block into mr-tall panels (per thread, L2-resident)
//   jr: nr-wide panels of B  (one kc x nr micro-panel is reused by the whole ir loop)
//   ir: mr-tall panels of A  -> microkernel on one mr x nr tile of C
// Threads split the (ic, jr) work of one (jc, pc) step (or, when A is one block, the jr work of the
// whole K loop); K is never split and every tile, edge or not, runs the same arithmetic in the same
// K order, so each C element is bitwise independent of the thread count.
#include "kernels/optimized/gemm/gemm.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "kernels/optimized/conv_pool_kernels.h"
#include "kernels/optimized/gemm/block_sizes.h"
#include "kernels/optimized/gemm/microkernels.h"
#include "kernels/optimized/gemm/pack.h"
#include "kernels/optimized/int_math.h"
#include "kernels/optimized/thread_pool.h"
#include "tinytorch/error.h"

namespace tinytorch::kernels::optimized {
namespace {

// Below this many multiply-adds a fork-join costs more than it saves: waking the sleeping worker
// takes tens of microseconds here, and a 128^3 product took 63 us on 2 threads vs 30 us on one.
constexpr int64_t kMinParallelWork = int64_t{160} * 160 * 160;
// Products at most this many columns wide whose A rows are contiguous along K run as dot products
// of rows (gemm_by_dots). A 128 x 10 x 256 classifier head took 18 us through packing (a 14-row
// panel of A is a transpose, and 10 of 16 columns do work) and LibTorch 11 us.
constexpr int64_t kDotMaxColumns = 16;
// Rows of C per work item of gemm_by_dots: a multiple of every ISA's dot block (4 or 3 rows).
constexpr int64_t kDotRowsPerItem = 24;
// Work items per thread in one (jc, pc) step, so uneven blocks still balance.
constexpr int64_t kItemsPerThread = 4;
// Largest mr * nr of any microkernel (edge-tile scratch).
constexpr int64_t kMaxTile = 16 * 64;
static_assert(block_sizes::kSgemmAvx512.mr * block_sizes::kSgemmAvx512.nr <= kMaxTile &&
                  block_sizes::kDgemmAvx512.mr * block_sizes::kDgemmAvx512.nr <= kMaxTile,
              "gemm: raise kMaxTile for the larger microkernel tile");

// Grow-only, 64-byte aligned buffer owned by one thread; pool workers are persistent, so packing
// buffers are allocated once per thread, not once per call.
template <class T>
class Scratch {
 public:
  T* get(int64_t count) {
    if (count > capacity_) {
      const size_t bytes = static_cast<size_t>(round_up(count * static_cast<int64_t>(sizeof(T)), 64));
      buffer_.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
      if (!buffer_) throw std::bad_alloc();
      capacity_ = count;
    }
    return buffer_.get();
  }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> buffer_;
  int64_t capacity_ = 0;
};

template <class T>
T* a_buffer(int64_t count) {
  thread_local Scratch<T> scratch;
  return scratch.get(count);
}

template <class T>
T* b_buffer(int64_t count) {
  thread_local Scratch<T> scratch;
  return scratch.get(count);
}

// C = beta * C for K == 0 (beta == 0 writes zeros without reading C).
template <class T>
void scale_c(const GemmArgs<T>& g) {
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) {
      T& c = g.c[i * g.ldc + j];
      c = g.beta == T(0) ? T(0) : g.beta * c;
    }
}

// One mr x nr tile. Edge tiles go through a full-size scratch tile with the same microkernel call,
// so their elements see exactly the arithmetic of interior ones.
template <class T>
void run_tile(const GemmKernel<T>& kernel, int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int64_t rows,
              int64_t cols, T alpha, T beta) {
  const int64_t mr = kernel.blocks.mr, nr = kernel.blocks.nr;
  if (rows == mr && cols == nr) {
    kernel.run(kc, a, b, c, ldc, alpha, beta);
    return;
  }
  alignas(64) T tile[kMaxTile];
  std::fill(tile, tile + mr * nr, T(0));
  if (beta != T(0))
    for (int64_t i = 0; i < rows; ++i) std::copy(c + i * ldc, c + i * ldc + cols, tile + i * nr);
  kernel.run(kc, a, b, tile, nr, alpha, beta);
  for (int64_t i = 0; i < rows; ++i) std::copy(tile + i * nr, tile + i * nr + cols, c + i * ldc);
}

// The tiles of panels [jr0, jr1) of B (packed at b_pack, first panel jr0) times the packed A block
// of `m_rows` rows whose first row is ic.
template <class T>
void multiply_block(const GemmArgs<T>& g, const GemmKernel<T>& kernel, int64_t ic, int64_t m_rows, int64_t jc,
                    int64_t n_cols, int64_t jr0, int64_t jr1, int64_t depth, const T* a_pack, const T* b_pack, T beta) {
  const BlockSizes& bs = kernel.blocks;
  const int64_t m_panels = ceil_div(m_rows, bs.mr);
  for (int64_t jr = jr0; jr < jr1; ++jr) {
    const int64_t cols = std::min(bs.nr, n_cols - jr * bs.nr);
    const T* b_panel = b_pack + (jr - jr0) * bs.nr * depth;
    for (int64_t ir = 0; ir < m_panels; ++ir) {
      const int64_t rows = std::min(bs.mr, m_rows - ir * bs.mr);
      T* c_tile = g.c + (ic + ir * bs.mr) * g.ldc + jc + jr * bs.nr;
      run_tile(kernel, depth, a_pack + ir * bs.mr * depth, b_panel, c_tile, g.ldc, rows, cols, g.alpha, beta);
    }
  }
}

template <class T>
bool narrow_product(const GemmArgs<T>& g) {
  return g.n <= kDotMaxColumns && g.a_col_stride == 1 && g.alpha == T(1) && (g.beta == T(0) || g.beta == T(1));
}

// C[i][j] = dot(row i of A, column j of B) (+ C with beta 1), with B's columns copied into rows
// unless they already are contiguous. Threads split the rows of C; each element is one dot
// product in a fixed order, so results do not depend on the thread count.
template <class T>
void gemm_by_dots(const GemmArgs<T>& g, CpuIsa isa) {
  std::vector<T> columns;
  const T* column0 = g.b;
  int64_t column_stride = g.b_col_stride;
  if (g.b_row_stride != 1) {
    columns.resize(static_cast<size_t>(g.n * g.k));
    for (int64_t j = 0; j < g.n; ++j)
      for (int64_t p = 0; p < g.k; ++p)
        columns[static_cast<size_t>(j * g.k + p)] = g.b[p * g.b_row_stride + j * g.b_col_stride];
    column0 = columns.data();
    column_stride = g.k;
  }
  std::vector<const T*> b_rows(static_cast<size_t>(g.n));
  for (int64_t j = 0; j < g.n; ++j) b_rows[static_cast<size_t>(j)] = column0 + j * column_stride;
  const ConvPoolKernels<T> kernels = conv_pool_kernels(isa, T{});
  const int64_t items = ceil_div(g.m, kDotRowsPerItem);
  parallel_for(0, items, g.m * g.n * g.k >= kMinParallelWork ? 1 : items, [&](int64_t first, int64_t last) {
    const int64_t r0 = first * kDotRowsPerItem, r1 = std::min(g.m, last * kDotRowsPerItem);
    kernels.dot_rows(r1 - r0, g.n, g.k, g.a + r0 * g.a_row_stride, g.a_row_stride, b_rows.data(), g.c + r0 * g.ldc,
                     g.ldc, g.beta);
  });
}

template <class T>
void gemm_impl(const GemmArgs<T>& g, const GemmKernel<T>& kernel, CpuIsa isa) {
  if (g.m <= 0 || g.n <= 0) return;
  if (g.k <= 0) {
    scale_c(g);
    return;
  }
  if (narrow_product(g)) return gemm_by_dots(g, isa);
  const BlockSizes& bs = kernel.blocks;
  // Even block sizes (a function of the shape only, so still thread-count independent) avoid a
  // thin last block: K = 600 runs as 300 + 300, not 512 + 88.
  const int64_t kc = ceil_div(g.k, ceil_div(g.k, bs.kc));
  const int64_t mc = round_up(ceil_div(g.m, ceil_div(g.m, bs.mc)), bs.mr);
  const int64_t nc = round_up(ceil_div(g.n, ceil_div(g.n, bs.nc)), bs.nr);
  const int64_t m_blocks = ceil_div(g.m, mc);
  const bool parallel = g.m * g.n * g.k >= kMinParallelWork;

  for (int64_t jc = 0; jc < g.n; jc += nc) {
    const int64_t n_cols = std::min(nc, g.n - jc);
    const int64_t n_panels = ceil_div(n_cols, bs.nr);
    const int threads = parallel ? parallel_width(m_blocks * n_panels) : 1;
    // Split the panels of B too when M alone gives too few work items. With one block of A each
    // part packs A again (below), so there are only as many parts as threads.
    const int64_t n_parts =
        m_blocks == 1 ? std::min<int64_t>(n_panels, threads)
                      : std::min(n_panels, std::max<int64_t>(1, ceil_div(kItemsPerThread * threads, m_blocks)));
    const int64_t items = m_blocks * n_parts;
    const auto part_panels = [&](int64_t part) {
      return std::pair{n_panels * part / n_parts, n_panels * (part + 1) / n_parts};
    };

    if (m_blocks == 1) {
      // One block of A: each work item packs its own panels of B and the block of A for every K
      // block, so the whole K loop runs in one fork-join (a shared packed B needs two per K block,
      // and each wakes the workers, tens of microseconds here). Only the small A is packed twice.
      parallel_for(0, items, parallel ? 1 : items, [&](int64_t first, int64_t last) {
        for (int64_t part = first; part < last; ++part) {
          const auto [jr0, jr1] = part_panels(part);
          const int64_t part_cols = std::min(n_cols, jr1 * bs.nr) - jr0 * bs.nr;
          T* a_pack = a_buffer<T>(mc * kc);
          T* b_pack = b_buffer<T>(kc * (jr1 - jr0) * bs.nr);
          for (int64_t pc = 0; pc < g.k; pc += kc) {
            const int64_t depth = std::min(kc, g.k - pc);
            pack_panels(g.b + pc * g.b_row_stride + (jc + jr0 * bs.nr) * g.b_col_stride, part_cols, depth,
                        g.b_col_stride, g.b_row_stride, bs.nr, 0, jr1 - jr0, b_pack, kernel.pack_rows);
            pack_panels(g.a + pc * g.a_col_stride, g.m, depth, g.a_row_stride, g.a_col_stride, bs.mr, 0,
                        ceil_div(g.m, bs.mr), a_pack, kernel.pack_rows);
            multiply_block(g, kernel, 0, g.m, jc, n_cols, jr0, jr1, depth, a_pack, b_pack, pc == 0 ? g.beta : T(1));
          }
        }
      });
      continue;
    }

    T* b_pack = b_buffer<T>(kc * nc);
    for (int64_t pc = 0; pc < g.k; pc += kc) {
      const int64_t depth = std::min(kc, g.k - pc);
      const T* b_src = g.b + pc * g.b_row_stride + jc * g.b_col_stride;
      parallel_for(0, n_panels, parallel ? 1 : n_panels, [&](int64_t first, int64_t last) {
        pack_panels(b_src, n_cols, depth, g.b_col_stride, g.b_row_stride, bs.nr, first, last, b_pack, kernel.pack_rows);
      });

      parallel_for(0, items, parallel ? 1 : items, [&](int64_t first, int64_t last) {
        T* a_pack = a_buffer<T>(mc * kc);
        int64_t packed_block = -1;
        for (int64_t item = first; item < last; ++item) {
          const int64_t block = item / n_parts;
          const auto [jr0, jr1] = part_panels(item % n_parts);
          const int64_t ic = block * mc;
          const int64_t m_rows = std::min(mc, g.m - ic);
          if (block != packed_block) {
            pack_panels(g.a + ic * g.a_row_stride + pc * g.a_col_stride, m_rows, depth, g.a_row_stride, g.a_col_stride,
                        bs.mr, 0, ceil_div(m_rows, bs.mr), a_pack, kernel.pack_rows);
            packed_block = block;
          }
          multiply_block(g, kernel, ic, m_rows, jc, n_cols, jr0, jr1, depth, a_pack, b_pack + jr0 * bs.nr * depth,
                         pc == 0 ? g.beta : T(1));
        }
      });
    }
  }
}
}  // namespace

GemmKernel<float> gemm_kernel(CpuIsa isa, int64_t m, int64_t n, float) {
  switch (isa) {
    case CpuIsa::Avx512: {
      if (n <= block_sizes::kSgemmAvx512Narrow.nr)
        return {block_sizes::kSgemmAvx512Narrow, sgemm_avx512_14x16, pack_rows_avx512};
      // Rows padded to 8 cost a little per row (more B traffic per FMA) but far less than padding
      // 16 or 32 rows to 28 or 42; by 64 rows 14-row panels win (70 vs 64 padded rows).
      const int64_t tall = round_up(m, block_sizes::kSgemmAvx512.mr), short_rows = round_up(m, 8);
      if (short_rows * 115 < tall * 100)
        return {block_sizes::kSgemmAvx512Short, sgemm_avx512_8x32, pack_rows_avx512, sgemm_avx512_8x32_taps};
      return {block_sizes::kSgemmAvx512, sgemm_avx512_14x32, pack_rows_avx512, sgemm_avx512_14x32_taps};
    }
    case CpuIsa::Avx2: return {block_sizes::kSgemmAvx2, sgemm_avx2_6x16};
    case CpuIsa::Scalar: break;
  }
  return {block_sizes::kSgemmScalar, sgemm_scalar_4x4};
}

GemmKernel<double> gemm_kernel(CpuIsa isa, int64_t, int64_t, double) {
  switch (isa) {
    case CpuIsa::Avx512: return {block_sizes::kDgemmAvx512, dgemm_avx512_14x16};
    case CpuIsa::Avx2: return {block_sizes::kDgemmAvx2, dgemm_avx2_6x8};
    case CpuIsa::Scalar: break;
  }
  return {block_sizes::kDgemmScalar, dgemm_scalar_4x4};
}

void gemm(const GemmArgs<float>& args, CpuIsa isa) {
  TT_CHECK(cpu_supports(isa), "gemm: this CPU cannot run the {} microkernel; use kernels::cpu_isa()", isa_name(isa));
  gemm_impl(args, gemm_kernel(isa, args.m, args.n, float{}), isa);
}

void gemm(const GemmArgs<double>& args, CpuIsa isa) {
  TT_CHECK(cpu_supports(isa), "gemm: this CPU cannot run the {} microkernel; use kernels::cpu_isa()", isa_name(isa));
  gemm_impl(args, gemm_kernel(isa, args.m, args.n, double{}), isa);
}

}  // namespace tinytorch::kernels::optimized
