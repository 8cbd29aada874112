// Error messages, one test per class of mistake (shape, dtype, device, index). Each message must
// name the op, show the offending shapes/dtypes/values and suggest a fix.
#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
using tt_test::throws_with;

TEST(Errors, BroadcastMismatchNamesOpAndShapes) {
  const tt::Tensor a = tt::ones({2, 3}), b = tt::ones({4}), c = tt::ones({5, 1, 3});
  EXPECT_TRUE(throws_with([&] { tt::add(a, b); }, {"add", "[2, 3]", "[4]", "broadcast"}));
  EXPECT_TRUE(throws_with([&] { a* b; }, {"mul", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_with([&] { c - tt::ones({2, 2}); }, {"sub", "[5, 1, 3]", "[2, 2]"}));
  EXPECT_TRUE(throws_with([&] { tt::where(tt::gt(a, 0), a, b); }, {"where", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_with([&] { tt::zeros({3}).copy_(a); }, {"copy_", "[2, 3]", "[3]"}));
  EXPECT_TRUE(throws_with([&] { a.expand({4, 3}); }, {"expand", "[2, 3]", "[4, 3]"}));
  EXPECT_TRUE(throws_with([&] { tt::matmul(a, a); }, {"matmul", "[2, 3]", "transpose"}));
  EXPECT_TRUE(throws_with([&] { tt::cat({a, b}); }, {"cat", "[2, 3]", "[4]"}));
}

TEST(Errors, InvalidViewNamesShapes) {
  const tt::Tensor x = tt::zeros({2, 3});
  EXPECT_TRUE(throws_with([&] { x.view({4}); }, {"view", "[4]", "[2, 3]", "6"}));
  EXPECT_TRUE(throws_with([&] { x.reshape({4, -1}); }, {"reshape", "[4, -1]", "[2, 3]"}));
  EXPECT_TRUE(throws_with([&] { x.view({-1, -1}); }, {"view", "-1"}));
  EXPECT_TRUE(throws_with([&] { x.t().view({6}); }, {"view", "non-contiguous", "[3, 2]", "[6]", ".reshape()"}));
  EXPECT_TRUE(throws_with([&] { x.permute({1, 1}); }, {"permute", "[1, 1]"}));
}

TEST(Errors, StorageOnlyDtypesPointToConversion) {
  const tt::Tensor h = tt::ones({2}).to(tt::kBFloat16);
  EXPECT_TRUE(throws_with([&] { h + h; }, {"add", "bfloat16", "storage-only", ".to(tt::kFloat32)"}));
  EXPECT_TRUE(throws_with([&] { h.exp(); }, {"bfloat16", "storage-only", ".to(tt::kFloat32)"}));
  EXPECT_TRUE(throws_with([&] { tt::ones({2}).to(tt::kFloat16).sum(); }, {"sum", "float16", ".to(tt::kFloat32)"}));
  EXPECT_TRUE(throws_with([&] { tt::matmul(h.view({1, 2}), h.view({2, 1})); }, {"matmul", "bfloat16"}));
}

TEST(Errors, FloatingOnlyOpsNameTheDtype) {
  const tt::Tensor i = tt::arange(4);
  EXPECT_TRUE(throws_with([&] { i.mean(); }, {"mean", "int64", "floating", ".to(tt::kFloat32)"}));
  EXPECT_TRUE(throws_with([&] { tt::var(i); }, {"var", "int64"}));
  EXPECT_TRUE(throws_with([&] { tt::rand({2}, tt::kInt64); }, {"rand", "int64"}));
  EXPECT_TRUE(throws_with([&] { tt::where(i, i, i); }, {"where", "bool", "int64"}));
  EXPECT_TRUE(throws_with([&] { i.data_ptr<float>(); }, {"data_ptr", "int64", "float32"}));
}

TEST(Errors, DeviceWithoutBackend) {
  const tt::Tensor x = tt::ones({2});
  EXPECT_TRUE(throws_with([&] { x.to(tt::Device::CUDA); }, {"to", "cuda", "CUDA backend", "TINYTORCH_CUDA"}));
  EXPECT_TRUE(throws_with([] { tt::zeros({2}, tt::TensorOptions().device(tt::Device::CUDA)); }, {"cuda"}));
  EXPECT_TRUE(x.to(tt::Device::CPU).is_same(x));
}

TEST(Errors, IndexOutOfRangeNamesIndexAndSize) {
  const tt::Tensor x = tt::zeros({3, 4});
  EXPECT_TRUE(throws_with([&] { x.select(0, 3); }, {"select", "index 3", "size 3", "[3, 4]"}));
  EXPECT_TRUE(throws_with([&] { x.select(1, -5); }, {"select", "-5", "size 4"}));
  EXPECT_TRUE(throws_with([&] { x[7]; }, {"select", "7", "size 3"}));
  EXPECT_TRUE(throws_with([&] { x.narrow(1, 2, 3); }, {"narrow", "[2, 5)", "size 4"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::zeros({}).item<float>();
        x.item();
      },
      {"item", "[3, 4]", "12"}));
}

TEST(Errors, DimOutOfRangeNamesValidRange) {
  const tt::Tensor x = tt::zeros({3, 4});
  EXPECT_TRUE(throws_with([&] { x.sum({2}); }, {"sum", "dim 2", "2 dims", "-2 to 1"}));
  EXPECT_TRUE(throws_with([&] { x.transpose(0, -3); }, {"transpose", "dim -3", "-2 to 1"}));
  EXPECT_TRUE(throws_with([&] { x.unsqueeze(3); }, {"unsqueeze", "dim 3", "-3 to 2"}));
  EXPECT_TRUE(throws_with([&] { x.size(5); }, {"size", "dim 5"}));
  EXPECT_TRUE(throws_with([&] { tt::softmax(x, 2); }, {"dim 2", "-2 to 1"}));
  EXPECT_TRUE(throws_with([&] { tt::zeros({}).sum({1}); }, {"sum", "dim 1", "0 dims"}));
}

TEST(Errors, UndefinedTensor) {
  const tt::Tensor undefined;
  EXPECT_TRUE(throws_with([&] { undefined.sizes(); }, {"undefined tensor"}));
}

}  // namespace
