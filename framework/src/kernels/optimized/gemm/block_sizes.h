// Cache blocking per ISA and dtype for the GEMM driver (gemm.cpp) and its microkernels.
//   mr x nr: register tile of one microkernel call (nr a multiple of the vector width);
//   kc:      depth of the packed panels; a larger kc amortises each load/store of the C tile;
//   mc:      rows of the packed A block, which stays in L2 (mc a multiple of mr);
//   nc:      columns of the packed B block, shared by all threads (nc a multiple of nr).
// The AVX-512 rows were picked by timing 2048^3 on AMD Zen 5 (48 KiB L1D, 1 MiB L2 per core): kc = 512
// beat 256 and 384 although the kc x nr micro-panel of B then streams from L2 instead of sitting in
// L1. The AVX2 and scalar rows are conservative defaults, not tuned.
#pragma once

#include <cstdint>

namespace tinytorch::kernels::optimized {

struct BlockSizes {
  int64_t mr, nr, mc, kc, nc;
};

namespace block_sizes {
// 14x32 f32: 28 zmm accumulators (of 32) keep both FMA pipes busy through the 4-cycle latency.
inline constexpr BlockSizes kSgemmAvx512{14, 32, 336, 512, 4096};
// 14x16 f32 for products at most 16 columns wide (a classifier head: N = 10).
inline constexpr BlockSizes kSgemmAvx512Narrow{14, 16, 336, 512, 4096};
// 8x32 f32 for products with few rows (16 or 32 output channels of a convolution), which 14-row
// panels would pad by up to 75%; its 16 accumulators still cover the pipes' 8 chains.
inline constexpr BlockSizes kSgemmAvx512Short{8, 32, 336, 512, 4096};
inline constexpr BlockSizes kDgemmAvx512{14, 16, 168, 512, 4096};
// 6x16 f32 / 6x8 f64: 12 ymm accumulators (of 16).
inline constexpr BlockSizes kSgemmAvx2{6, 16, 144, 256, 4096};
inline constexpr BlockSizes kDgemmAvx2{6, 8, 96, 256, 4096};
// 4x4: 16 scalar accumulators fit the 16 SSE registers of baseline x86-64.
inline constexpr BlockSizes kSgemmScalar{4, 4, 64, 256, 1024};
inline constexpr BlockSizes kDgemmScalar{4, 4, 64, 256, 1024};
}  // namespace block_sizes

}  // namespace tinytorch::kernels::optimized
