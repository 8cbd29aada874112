// The optimized backend's GEMM: bmm against the reference kernel on odd shapes (edge tiles), every
// transpose combination, stride-0 and strided batches, for every microkernel ISA this CPU runs;
// alpha/beta accumulation with guard cells around C; a library-free C·t check on a large product;
// bitwise independence of the thread count; matmul against LibTorch; the thread pool itself.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/optimized/gemm/gemm.h"
#include "kernels/optimized/optimized_kernels.h"
#include "kernels/optimized/thread_pool.h"
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
namespace kn = tt::kernels;
namespace opt = tt::kernels::optimized;

// Optimized (f32 accumulation in kc blocks) vs reference (one double accumulation), K <= 1100 and
// randn inputs: the f32 error is a few ulps of sqrt(K).
constexpr double kF32Tol = 1e-4;
constexpr double kF64Tol = 1e-12;

double tolerance(tt::DType dtype) { return dtype == tt::kFloat32 ? kF32Tol : kF64Tol; }

std::vector<kn::CpuIsa> supported_isas() {
  std::vector<kn::CpuIsa> isas;
  for (kn::CpuIsa isa : {kn::CpuIsa::Scalar, kn::CpuIsa::Avx2, kn::CpuIsa::Avx512})
    if (kn::cpu_supports(isa)) isas.push_back(isa);
  return isas;
}

// A [batch, rows, cols] operand; `transposed` stores it as [batch, cols, rows] and returns the
// transposed view, so the kernel sees unit stride along rows instead of columns.
tt::Tensor operand(int64_t batch, int64_t rows, int64_t cols, bool transposed, tt::DType dtype, tt::Generator& gen) {
  if (transposed) return tt::randn({batch, cols, rows}, dtype, &gen).transpose(1, 2);
  return tt::randn({batch, rows, cols}, dtype, &gen);
}

tt::Tensor reference_bmm(const tt::Tensor& a, const tt::Tensor& b) {
  tt::Tensor out = tt::empty({a.size(0), a.size(1), b.size(2)}, a.dtype());
  kn::reference_kernels().bmm(out, a, b);
  return out;
}

tt::Tensor optimized_bmm(const tt::Tensor& a, const tt::Tensor& b, kn::CpuIsa isa) {
  tt::Tensor out = tt::full({a.size(0), a.size(1), b.size(2)}, std::nan(""), a.dtype());
  opt::bmm(out, a, b, isa);
  return out;
}

void expect_matches_reference(const tt::Tensor& a, const tt::Tensor& b, const std::string& what) {
  const at::Tensor expected = tt_test::to_torch(reference_bmm(a, b));
  const double tol = tolerance(a.dtype());
  for (kn::CpuIsa isa : supported_isas())
    EXPECT_TRUE(tt_test::all_close(optimized_bmm(a, b, isa), expected, tol, tol,
                                   what + " " + kn::isa_name(isa) + " " + tt::dtype_name(a.dtype())));
}

// Restores the thread count when a test changes it.
class ThreadCountGuard {
 public:
  ThreadCountGuard() : previous_(tt::get_num_threads()) {}
  ~ThreadCountGuard() { tt::set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

TEST(Gemm, OddShapesMatchReference) {
  tt::Generator gen(11);
  const std::vector<int64_t> sizes{1, 3, 17, 63, 129};
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (int64_t m : sizes)
      for (int64_t n : sizes)
        for (int64_t k : sizes)
          expect_matches_reference(operand(1, m, k, false, dtype, gen), operand(1, k, n, false, dtype, gen),
                                   fmt::format("{}x{}x{}", m, n, k));
}

TEST(Gemm, LargeOddShapesMatchReference) {
  tt::Generator gen(12);
  // The last two need several kc blocks, so C is accumulated across K panels (with one block of A
  // and with several).
  const std::vector<std::array<int64_t, 3>> shapes{{257, 129, 63}, {3, 257, 257},  {257, 1, 257},
                                                   {257, 257, 17}, {33, 65, 1100}, {400, 50, 1100}};
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (const auto& [m, n, k] : shapes)
      expect_matches_reference(operand(1, m, k, false, dtype, gen), operand(1, k, n, false, dtype, gen),
                               fmt::format("{}x{}x{}", m, n, k));
}

TEST(Gemm, AllTransposeCombinations) {
  tt::Generator gen(13);
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64})
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        expect_matches_reference(operand(2, 37, 70, ta, dtype, gen), operand(2, 70, 45, tb, dtype, gen),
                                 fmt::format("ta={} tb={}", ta, tb));
}

TEST(Gemm, BroadcastAndStridedBatches) {
  tt::Generator gen(14);
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    const tt::Tensor a = operand(4, 19, 33, false, dtype, gen);
    const tt::Tensor b = operand(4, 33, 21, true, dtype, gen);
    const tt::Tensor a_shared = operand(1, 19, 33, false, dtype, gen).expand({4, 19, 33});
    const tt::Tensor b_shared = operand(1, 33, 21, true, dtype, gen).expand({4, 33, 21});
    ASSERT_EQ(a_shared.stride(0), 0);
    expect_matches_reference(a_shared, b, "stride-0 a");
    expect_matches_reference(a, b_shared, "stride-0 b");
    expect_matches_reference(a_shared, b_shared, "stride-0 both");
    // Every other row and column: no unit stride anywhere.
    const tt::Tensor a_strided = tt::randn({4, 38, 66}, dtype, &gen).slice(1, 0, 38, 2).slice(2, 0, 66, 2);
    expect_matches_reference(a_strided, b, "strided a");
  }
}

TEST(Gemm, ManySmallBatchesMatchReference) {
  tt::Generator gen(15);
  expect_matches_reference(operand(12, 8, 40, false, tt::kFloat32, gen), operand(12, 40, 9, true, tt::kFloat32, gen),
                           "12 batches");
}

TEST(Gemm, Int64FallsBackToReference) {
  const tt::Tensor a = tt::randint(-5, 5, {2, 7, 9});
  const tt::Tensor b = tt::randint(-5, 5, {2, 9, 4});
  tt::Tensor out = tt::empty({2, 7, 4}, tt::kInt64);
  opt::bmm(out, a, b);
  EXPECT_EQ(out.to_vector<int64_t>(), reference_bmm(a, b).to_vector<int64_t>());
}

TEST(Gemm, EmptyDepthGivesZeros) {
  tt::Generator gen(16);
  for (kn::CpuIsa isa : supported_isas()) {
    const tt::Tensor out = optimized_bmm(tt::randn({2, 5, 0}, {}, &gen), tt::randn({2, 0, 6}, {}, &gen), isa);
    for (float v : out.to_vector<float>()) EXPECT_EQ(v, 0.0f) << kn::isa_name(isa);
  }
  EXPECT_EQ(optimized_bmm(tt::randn({2, 0, 3}), tt::randn({2, 3, 4}), kn::cpu_isa()).numel(), 0);
}

// C = alpha·A·B + beta·C0 through the internal entry point, with C inside a wider buffer (ldc > n)
// whose extra columns are guard cells that must stay untouched. beta = 0 must ignore C0 even if NaN.
TEST(Gemm, AlphaBetaWithGuardCells) {
  const int64_t m = 45, n = 70, k = 38, ldc = n + 3;
  tt::Generator gen(17);
  std::vector<double> a(m * k), b(k * n), c0(m * ldc);
  for (double& v : a) v = gen.next_normal();
  for (double& v : b) v = gen.next_normal();
  for (double& v : c0) v = gen.next_normal();
  const double guard = -777.25;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = n; j < ldc; ++j) c0[i * ldc + j] = guard;

  for (kn::CpuIsa isa : supported_isas())
    for (double beta : {0.0, 1.0, 0.5}) {
      const double alpha = 1.5;
      std::vector<float> a32(a.begin(), a.end()), b32(b.begin(), b.end()), c(c0.begin(), c0.end());
      if (beta == 0)
        for (int64_t i = 0; i < m; ++i) std::fill(c.begin() + i * ldc, c.begin() + i * ldc + n, std::nanf(""));
      opt::GemmArgs<float> g;
      g.m = m, g.n = n, g.k = k;
      // A read transposed from a [K, M] buffer, B row-major.
      std::vector<float> a_t(k * m);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t p = 0; p < k; ++p) a_t[p * m + i] = a32[i * k + p];
      g.a = a_t.data(), g.a_row_stride = 1, g.a_col_stride = m;
      g.b = b32.data(), g.b_row_stride = n, g.b_col_stride = 1;
      g.c = c.data(), g.ldc = ldc, g.alpha = static_cast<float>(alpha), g.beta = static_cast<float>(beta);
      opt::gemm(g, isa);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          double expected = beta * c0[i * ldc + j];
          for (int64_t p = 0; p < k; ++p) expected += alpha * double(a32[i * k + p]) * b32[p * n + j];
          ASSERT_NEAR(c[i * ldc + j], expected, kF32Tol * 10)
              << kn::isa_name(isa) << " beta=" << beta << " at " << i << "," << j;
        }
        for (int64_t j = n; j < ldc; ++j) ASSERT_EQ(c[i * ldc + j], guard) << "guard cell overwritten at " << i;
      }
    }
}

// BLIS's library-free check: C·t against A·(B·t) for a random vector t, in double, with a bound
// proportional to |A|·(|B|·|t|).
TEST(Gemm, LargeProductVectorCheck) {
  tt::BackendGuard backend("optimized");
  const int64_t m = 512, n = 384, k = 700;
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    tt::Generator gen(18);
    const tt::Tensor a = tt::randn({m, k}, dtype, &gen), b = tt::randn({k, n}, dtype, &gen);
    const std::vector<double> c = tt::matmul(a, b).to_vector<double>();
    const std::vector<double> av = a.to_vector<double>(), bv = b.to_vector<double>();
    std::vector<double> t(n), bt(k, 0.0), bt_abs(k, 0.0);
    for (double& v : t) v = gen.next_normal();
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) {
        bt[p] += bv[p * n + j] * t[j];
        bt_abs[p] += std::abs(bv[p * n + j] * t[j]);
      }
    const double eps = dtype == tt::kFloat32 ? 1.2e-7 : 2.3e-16;
    for (int64_t i = 0; i < m; ++i) {
      double ct = 0, abt = 0, bound = 0;
      for (int64_t j = 0; j < n; ++j) ct += c[i * n + j] * t[j];
      for (int64_t p = 0; p < k; ++p) {
        abt += av[i * k + p] * bt[p];
        bound += std::abs(av[i * k + p]) * bt_abs[p];
      }
      ASSERT_NEAR(ct, abt, 4 * std::sqrt(double(k)) * eps * bound) << tt::dtype_name(dtype) << " row " << i;
    }
  }
}

TEST(Gemm, BitwiseIndependentOfThreadCount) {
  ThreadCountGuard restore;
  tt::Generator gen(19);
  // Large square, skinny M (panels of N split across threads), deep K with one block of A (the K
  // loop inside one fork-join) and with several (a shared packed B per K block), many small batches.
  const std::vector<std::pair<tt::Tensor, tt::Tensor>> cases{
      {operand(1, 300, 400, false, tt::kFloat32, gen), operand(1, 400, 500, false, tt::kFloat32, gen)},
      {operand(1, 5, 300, false, tt::kFloat32, gen), operand(1, 300, 3000, true, tt::kFloat32, gen)},
      {operand(1, 100, 1300, false, tt::kFloat32, gen), operand(1, 1300, 200, false, tt::kFloat32, gen)},
      {operand(1, 700, 1100, true, tt::kFloat32, gen), operand(1, 1100, 160, false, tt::kFloat32, gen)},
      {operand(1, 2000, 300, false, tt::kFloat32, gen), operand(1, 300, 10, true, tt::kFloat32, gen)},  // narrow
      {operand(9, 40, 60, false, tt::kFloat64, gen), operand(9, 60, 50, false, tt::kFloat64, gen)},
  };
  for (const auto& [a, b] : cases) {
    std::vector<tt::Tensor> results;
    for (int threads : {1, 2, 3}) {
      tt::set_num_threads(threads);
      results.push_back(optimized_bmm(a, b, kn::cpu_isa()));
    }
    const size_t bytes = results[0].numel() * results[0].element_size();
    for (size_t i = 1; i < results.size(); ++i)
      EXPECT_EQ(std::memcmp(results[0].raw_data(), results[i].raw_data(), bytes), 0)
          << "shape " << tt::shape_str(results[0].sizes()) << ": 1 thread vs " << i + 1;
  }
}

TEST(Gemm, MatmulMatchesLibTorch) {
  tt::BackendGuard backend("optimized");
  tt::Generator gen(20);
  const std::vector<std::pair<tt::Tensor, tt::Tensor>> cases{
      {tt::randn({64, 128}, {}, &gen), tt::randn({128, 96}, {}, &gen)},
      {tt::randn({3, 50, 70}, {}, &gen), tt::randn({70, 33}, {}, &gen)},
      {tt::randn({2, 1, 17, 31}, {}, &gen), tt::randn({4, 31, 9}, {}, &gen)},
      {tt::randn({200, 150}, {}, &gen).t(), tt::randn({130, 200}, {}, &gen).t()},
  };
  for (const auto& [a, b] : cases) {
    const at::Tensor expected = torch::matmul(tt_test::to_torch(a), tt_test::to_torch(b));
    EXPECT_TRUE(tt_test::all_close(tt::matmul(a, b), expected, kF32Tol, kF32Tol,
                                   "matmul " + tt::shape_str(a.sizes()) + " x " + tt::shape_str(b.sizes())));
  }
}

TEST(Gemm, OptimizedBackendIsRegistered) {
  const std::vector<std::string> names = tt::available_backends();
  EXPECT_NE(std::find(names.begin(), names.end(), "optimized"), names.end());
  const std::string isa = kn::cpu_isa_name();
  EXPECT_TRUE(isa == "avx512" || isa == "avx2" || isa == "scalar") << isa;
  EXPECT_TRUE(kn::cpu_supports(kn::cpu_isa()));
}

TEST(ThreadPool, ParallelForCoversRangeOnce) {
  ThreadCountGuard restore;
  for (int threads : {1, 2, 3}) {
    tt::set_num_threads(threads);
    EXPECT_EQ(tt::get_num_threads(), threads);
    for (int64_t grain : {1, 4, 100}) {
      std::vector<std::atomic<int>> hits(37);
      opt::parallel_for(3, 40, grain, [&](int64_t first, int64_t last) {
        for (int64_t i = first; i < last; ++i) hits[i - 3]++;
        // Nested regions run inline on the calling thread.
        opt::parallel_for(0, 10, 1, [](int64_t, int64_t) {});
      });
      for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i], 1) << "index " << i + 3 << " grain " << grain;
    }
  }
}

TEST(ThreadPool, WorkerExceptionReachesCaller) {
  ThreadCountGuard restore;
  tt::set_num_threads(2);
  EXPECT_THROW(opt::parallel_for(0, 2, 1,
                                 [](int64_t first, int64_t) {
                                   if (first == 1) throw tt::Error("boom from worker");
                                 }),
               tt::Error);
  // The pool is still usable afterwards.
  std::atomic<int64_t> sum{0};
  opt::parallel_for(0, 100, 1, [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i) sum += i;
  });
  EXPECT_EQ(sum, 4950);
}

TEST(ThreadPool, BadThreadCountMessage) {
  EXPECT_TRUE(tt_test::throws_with([] { tt::set_num_threads(0); }, {"set_num_threads", "got 0", "[1, 1024]"}));
}

}  // namespace
