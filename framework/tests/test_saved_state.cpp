// What a backend keeps for backward is its own business (KernelTable::relu_forward, max_pool2d): the
// optimized backend keeps relu's mask as one bit per element and each max-pooling maximum as its
// window tap in bit planes. Checked here: every ISA's bit planes against the layout's definition;
// relu and max-pool outputs and gradients equal to the reference backend's bit for bit (both only
// select values) on odd sizes, a transposed input, NaN and signed zeros; 1 vs 2 threads; a backward
// run after the backend was switched; and the bytes a relu -> max_pool graph keeps alive.
#include <cstring>
#include <random>

#include "kernels/kernel_table.h"
#include "kernels/optimized/cpu_features.h"
#include "kernels/optimized/span_kernels.h"
#include "support/op_harness.h"
#include "tinytorch/memory.h"

namespace {
namespace kn = tinytorch::kernels;
namespace opt = tinytorch::kernels::optimized;
using Op = std::function<tt::Tensor(const tt::Tensor&)>;

struct Result {
  tt::Tensor out, grad;
};

// op on a fresh leaf holding x, forward under `forward_backend`, backward (of a seeded upstream
// gradient) under `backward_backend`, with `threads` threads.
Result run(const std::string& forward_backend, const std::string& backward_backend, int threads, const tt::Tensor& x,
           const Op& op, bool transposed = false) {
  const int previous_threads = tt::get_num_threads();
  tt::set_num_threads(threads);
  tt::Tensor leaf = x.clone().requires_grad_();
  Result r;
  {
    tt::BackendGuard guard(forward_backend);
    r.out = op(transposed ? leaf.transpose(0, 1) : leaf);
  }
  tt::Generator gen(99);
  const tt::Tensor upstream = tt::randn(r.out.sizes(), r.out.dtype(), &gen);
  {
    tt::BackendGuard guard(backward_backend);
    r.out.backward(upstream);
  }
  r.grad = leaf.grad();
  tt::set_num_threads(previous_threads);
  return r;
}

bool bitwise_equal(const tt::Tensor& a, const tt::Tensor& b) {
  const tt::Tensor x = a.contiguous(), y = b.contiguous();
  return x.sizes() == y.sizes() && x.dtype() == y.dtype() &&
         std::memcmp(x.storage()->data(), y.storage()->data(), x.numel() * x.element_size()) == 0;
}

void expect_same(const Result& got, const Result& want, const std::string& what) {
  EXPECT_TRUE(bitwise_equal(got.out, want.out)) << what << " output";
  EXPECT_TRUE(bitwise_equal(got.grad, want.grad)) << what << " gradient";
}

// Seeded normal values with every fifth element +0, -0 or NaN in turn.
tt::Tensor relu_input(const tt::Shape& shape, tt::DType dtype) {
  tt::Generator gen(7);
  tt::Tensor x = tt::randn(shape, tt::kFloat64, &gen);
  double* p = x.data_ptr<double>();
  const double specials[] = {0.0, -0.0, std::nan("")};
  for (int64_t i = 0; i < x.numel(); i += 5) p[i] = specials[(i / 5) % 3];
  return x.to(dtype);
}

Op relu_op() {
  return [](const tt::Tensor& x) { return tt::relu(x); };
}

Op max_pool_op(tt::Pair kernel, tt::Pair stride = {0, 0}, tt::Pair padding = {0, 0}, tt::Pair dilation = {1, 1}) {
  return [=](const tt::Tensor& x) { return tt::max_pool2d(x, kernel, stride, padding, dilation); };
}

TEST(BitPlanes, EveryIsaPacksAndUnpacksByTheLayout) {
  std::mt19937 rng(3);
  for (kn::CpuIsa isa : {kn::CpuIsa::Scalar, kn::CpuIsa::Avx2, kn::CpuIsa::Avx512}) {
    if (!kn::cpu_supports(isa)) continue;
    const opt::BitPlaneKernels& k = opt::span_kernels(isa).bits;
    for (int bits = 1; bits <= 8; ++bits)
      for (int64_t n : {1, 5, 63, 64, 65, 200}) {
        std::vector<uint8_t> codes(n), back(n);
        for (uint8_t& c : codes) c = static_cast<uint8_t>(rng() & ((1u << bits) - 1));
        std::vector<uint64_t> words(opt::bit_plane_words(n, bits), ~uint64_t{0});
        k.pack(words.data(), codes.data(), n, bits);
        const std::string what =
            std::string(kn::isa_name(isa)) + " bits " + std::to_string(bits) + " n " + std::to_string(n);
        for (int64_t j = 0; j < (n + 63) / 64 * 64; ++j)
          for (int b = 0; b < bits; ++b) {
            const uint64_t bit = (words[j / 64 * bits + b] >> (j % 64)) & 1;
            ASSERT_EQ(bit, j < n ? (codes[j] >> b) & 1u : 0u) << what << " code " << j << " bit " << b;
          }
        k.unpack(back.data(), words.data(), n, bits);
        EXPECT_EQ(back, codes) << what;
      }
  }
}

TEST(ReluSavedState, MatchesReferenceOnOddSizesAndLayouts) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (int64_t n : {1, 3, 17, 63, 64, 65, 129, 1000, 4097}) {
      const tt::Tensor x = relu_input({n}, dtype);
      const std::string what = std::string(tt::dtype_name(dtype)) + " n " + std::to_string(n);
      expect_same(run("optimized", "optimized", 2, x, relu_op()), run("reference", "reference", 1, x, relu_op()), what);
      const tt::Tensor wide = relu_input({3, n}, dtype);
      expect_same(run("optimized", "optimized", 2, wide, relu_op(), true),
                  run("reference", "reference", 1, wide, relu_op(), true), what + " transposed");
    }
}

TEST(ReluSavedState, BitwiseIndependentOfThreadCount) {
  const tt::Tensor x = relu_input({300007}, tt::kFloat32);
  expect_same(run("optimized", "optimized", 2, x, relu_op()), run("optimized", "optimized", 1, x, relu_op()),
              "relu 300007");
}

TEST(MaxPoolSavedState, WindowsOfMoreThan256TapsKeepPositions) {
  tt::Generator gen(5);
  const tt::Tensor x = tt::randn({2, 3, 20, 20}, tt::kFloat32, &gen);
  expect_same(run("optimized", "optimized", 2, x, max_pool_op({17, 17}, {1, 1})),
              run("reference", "reference", 1, x, max_pool_op({17, 17}, {1, 1})), "17x17 window");
}

// The backward runs on the kernel table of its forward, whose saved format it reads (so it equals a
// run on that backend alone, also where overlapping windows sum gradients in a backend's own order).
TEST(SavedState, BackwardAfterSwitchingBackendsUsesTheForwardsKernels) {
  tt::Generator gen(11);
  const tt::Tensor x = tt::randn({2, 3, 9, 10}, tt::kFloat32, &gen);
  for (const auto& [name, op] : {std::pair{"relu", relu_op()}, std::pair{"max_pool2d 2x2", max_pool_op({2, 2})},
                                 std::pair{"max_pool2d 3x3", max_pool_op({3, 3}, {2, 2}, {1, 1})}}) {
    expect_same(run("optimized", "reference", 1, x, op), run("optimized", "optimized", 1, x, op),
                std::string(name) + " optimized then reference");
    expect_same(run("reference", "optimized", 1, x, op), run("reference", "reference", 1, x, op),
                std::string(name) + " reference then optimized");
  }
}

// Bytes a relu -> 2x2 max_pool graph keeps for backward beyond its output, per input element: the
// reference keeps relu's output (4 bytes) and an int64 index per output (8 / 4 = 2 bytes); the
// optimized backend a mask bit (1/8 byte) and a 2-bit tap per output (1/16 byte), plus word rounding.
TEST(SavedState, ReluThenMaxPoolKeepsBitsInsteadOfTheActivation) {
  const int64_t planes = 4 * 16, side = 32, n = planes * side * side;
  tt::Generator gen(13);
  const tt::Tensor x = tt::randn({4, 16, side, side}, tt::kFloat32, &gen).requires_grad_();
  const auto kept_bytes = [&](const std::string& backend) {
    tt::BackendGuard guard(backend);
    const int64_t before = tt::memory::stats().current_bytes;
    const tt::Tensor y = tt::max_pool2d(tt::relu(x), {2, 2});
    return tt::memory::stats().current_bytes - before - y.numel() * 4;
  };
  EXPECT_EQ(kept_bytes("reference"), n * 4 + n / 4 * 8);
  const int64_t mask_bytes = opt::bit_plane_words(n, 1) * 8;
  const int64_t tap_bytes = planes * opt::bit_plane_words(side * side / 4, 2) * 8;
  EXPECT_EQ(kept_bytes("optimized"), mask_bytes + tap_bytes);
  EXPECT_LE(mask_bytes + tap_bytes, n * 3 / 16 + planes * 16);
}

}  // namespace
