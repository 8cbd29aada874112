// Tensor printing. The expected strings follow Python PyTorch's repr (torch/_tensor_str.py): four
// decimals, "1." for integral floats, scientific notation for wide ranges, right-aligned columns,
// 80-column wrapping, "..." summaries above 1000 elements. TinyTorch's own choices: the dtype
// suffix reads "dtype=float64" (no "torch." module) and grad_fn names are TinyTorch's node names.
#include <limits>
#include <sstream>

#include "support/op_harness.h"

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

std::string str(const tt::Tensor& t) {
  std::ostringstream os;
  os << t;
  EXPECT_EQ(os.str(), t.to_string());
  return os.str();
}

TEST(Printing, FloatsUseFourDecimals) {
  EXPECT_EQ(str(tt::tensor({1.0, 2.5, 3.0, 4.0}, {2, 2})), "tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])");
  EXPECT_EQ(str(tt::tensor({-1.5, 10.25, 0.0})), "tensor([-1.5000, 10.2500,  0.0000])");
  EXPECT_EQ(str(tt::tensor({0.1, 0.123456})), "tensor([0.1000, 0.1235])");
  EXPECT_EQ(str(tt::tensor({1.5, -kInf, kNan})), "tensor([1.5000,   -inf,    nan])");
}

TEST(Printing, IntegralFloatsEndWithDot) {
  EXPECT_EQ(str(tt::tensor({1.0, 2.0, 3.0})), "tensor([1., 2., 3.])");
  EXPECT_EQ(str(tt::tensor({-1.0, 10.0, 3.0})), "tensor([-1., 10.,  3.])");
  EXPECT_EQ(str(tt::zeros({3})), "tensor([0., 0., 0.])");
  EXPECT_EQ(str(tt::tensor({100000000.0, 50000000.0})), "tensor([100000000.,  50000000.])");
  // Width comes from the nonzero finite values only; nan, inf and zeros are not padded against.
  EXPECT_EQ(str(tt::tensor({1.0, kNan, kInf})), "tensor([1., nan, inf])");
  EXPECT_EQ(str(tt::tensor({-0.0, 1.0})), "tensor([-0., 1.])");
}

TEST(Printing, ScientificForWideRanges) {
  EXPECT_EQ(str(tt::tensor({1e-5, 1.0})), "tensor([1.0000e-05, 1.0000e+00])");
  EXPECT_EQ(str(tt::tensor({-1e-5, 1.0})), "tensor([-1.0000e-05,  1.0000e+00])");
  EXPECT_EQ(str(tt::tensor({1e9, 2.5})), "tensor([1.0000e+09, 2.5000e+00])");
  EXPECT_EQ(str(tt::tensor({1e9, 2e9})), "tensor([1.0000e+09, 2.0000e+09])");
  // Integral values whose magnitudes differ by more than 1000x switch too.
  EXPECT_EQ(str(tt::tensor({1.0, 10000.0})), "tensor([1.0000e+00, 1.0000e+04])");
  EXPECT_EQ(str(tt::tensor({1.0, 1000.0})), "tensor([   1., 1000.])");
}

TEST(Printing, IntegersAndBools) {
  EXPECT_EQ(str(tt::tensor({1, -20, 300})), "tensor([  1, -20, 300])");
  EXPECT_EQ(str(tt::tensor(std::vector<bool>{true, false, true})), "tensor([ True, False,  True])");
  EXPECT_EQ(str(tt::full({2, 1}, 7, tt::kInt64)), "tensor([[7],\n        [7]])");
}

TEST(Printing, ZeroDim) {
  EXPECT_EQ(str(tt::full({}, 3.5)), "tensor(3.5000)");
  EXPECT_EQ(str(tt::full({}, 2.0)), "tensor(2.)");
  EXPECT_EQ(str(tt::full({}, -7, tt::kInt64)), "tensor(-7)");
  EXPECT_EQ(str(tt::full({}, 1, tt::kBool)), "tensor(True)");
  EXPECT_EQ(str(tt::full({}, 0.25, tt::kFloat64)), "tensor(0.2500, dtype=float64)");
}

TEST(Printing, NestingAndIndentation) {
  EXPECT_EQ(str(tt::arange(12).view({2, 3, 2})),
            "tensor([[[ 0,  1],\n"
            "         [ 2,  3],\n"
            "         [ 4,  5]],\n"
            "\n"
            "        [[ 6,  7],\n"
            "         [ 8,  9],\n"
            "         [10, 11]]])");
  // Printing follows logical order, whatever the strides.
  EXPECT_EQ(str(tt::arange(6).view({2, 3}).t()), "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])");
  EXPECT_EQ(str(tt::arange(4, tt::kFloat32).view({1, 1, 2, 2})),
            "tensor([[[[0., 1.],\n"
            "          [2., 3.]]]])");
}

TEST(Printing, LongRowsWrapAtEightyColumns) {
  EXPECT_EQ(str(tt::arange(20, tt::kFloat32) / 4),
            "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000, 1.2500, 1.5000, 1.7500, 2.0000,\n"
            "        2.2500, 2.5000, 2.7500, 3.0000, 3.2500, 3.5000, 3.7500, 4.0000, 4.2500,\n"
            "        4.5000, 4.7500])");
  EXPECT_EQ(str(tt::arange(30)),
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
            "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])");
  // Rows of a matrix sit one column further in, so fit one element fewer per line here.
  EXPECT_EQ(str(tt::ones({2, 10}) / 2),
            "tensor([[0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000,\n"
            "         0.5000],\n"
            "        [0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000, 0.5000,\n"
            "         0.5000]])");
}

TEST(Printing, SummarizesAboveAThousandElements) {
  EXPECT_EQ(str(tt::arange(2000)), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  EXPECT_EQ(str(tt::arange(1000)).find("..."), std::string::npos);
  EXPECT_EQ(str(tt::arange(2000).view({100, 20})),
            "tensor([[   0,    1,    2,  ...,   17,   18,   19],\n"
            "        [  20,   21,   22,  ...,   37,   38,   39],\n"
            "        [  40,   41,   42,  ...,   57,   58,   59],\n"
            "        ...,\n"
            "        [1940, 1941, 1942,  ..., 1957, 1958, 1959],\n"
            "        [1960, 1961, 1962,  ..., 1977, 1978, 1979],\n"
            "        [1980, 1981, 1982,  ..., 1997, 1998, 1999]])");
  EXPECT_EQ(str(tt::arange(1120).view({8, 2, 70})),
            "tensor([[[   0,    1,    2,  ...,   67,   68,   69],\n"
            "         [  70,   71,   72,  ...,  137,  138,  139]],\n"
            "\n"
            "        [[ 140,  141,  142,  ...,  207,  208,  209],\n"
            "         [ 210,  211,  212,  ...,  277,  278,  279]],\n"
            "\n"
            "        [[ 280,  281,  282,  ...,  347,  348,  349],\n"
            "         [ 350,  351,  352,  ...,  417,  418,  419]],\n"
            "\n"
            "        ...,\n"
            "\n"
            "        [[ 700,  701,  702,  ...,  767,  768,  769],\n"
            "         [ 770,  771,  772,  ...,  837,  838,  839]],\n"
            "\n"
            "        [[ 840,  841,  842,  ...,  907,  908,  909],\n"
            "         [ 910,  911,  912,  ...,  977,  978,  979]],\n"
            "\n"
            "        [[ 980,  981,  982,  ..., 1047, 1048, 1049],\n"
            "         [1050, 1051, 1052,  ..., 1117, 1118, 1119]]])");
}

TEST(Printing, ElidedValuesDoNotChangeTheFormat) {
  tt::Tensor x = tt::ones({2000});
  x.narrow(0, 1000, 1).fill_(0.5);
  x.narrow(0, 1500, 1).fill_(1e-9);
  EXPECT_EQ(str(x), "tensor([1., 1., 1.,  ..., 1., 1., 1.])");
}

TEST(Printing, DtypeSuffix) {
  EXPECT_EQ(str(tt::tensor({1.5, 2.0}, {}, tt::kFloat64)), "tensor([1.5000, 2.0000], dtype=float64)");
  EXPECT_EQ(str(tt::tensor({1.5, 2.0}).to(tt::kBFloat16)), "tensor([1.5000, 2.0000], dtype=bfloat16)");
  EXPECT_EQ(str(tt::tensor({1.5, 2.0}).to(tt::kFloat16)), "tensor([1.5000, 2.0000], dtype=float16)");
  EXPECT_EQ(str(tt::tensor({1.5, 2.0})), "tensor([1.5000, 2.0000])");
}

TEST(Printing, EmptyTensors) {
  EXPECT_EQ(str(tt::zeros({0})), "tensor([])");
  EXPECT_EQ(str(tt::zeros({0, 3})), "tensor([], size=(0, 3))");
  EXPECT_EQ(str(tt::zeros({3, 0}, tt::kFloat64)), "tensor([], size=(3, 0), dtype=float64)");
  EXPECT_EQ(str(tt::zeros({0}, tt::kInt64)), "tensor([], dtype=int64)");
}

TEST(Printing, AutogradSuffix) {
  tt::Tensor x = tt::ones({2}).requires_grad_();
  EXPECT_EQ(str(x), "tensor([1., 1.], requires_grad=True)");
  EXPECT_EQ(str(x * 2), "tensor([2., 2.], grad_fn=<MulBackward>)");
  EXPECT_EQ(str(tt::ones({2}, tt::kFloat64).requires_grad_()), "tensor([1., 1.], dtype=float64, requires_grad=True)");
  EXPECT_EQ(str((x * 2).detach()), "tensor([2., 2.])");
  {
    tt::NoGradGuard no_grad;
    EXPECT_EQ(str(x * 2), "tensor([2., 2.])");
  }
  EXPECT_EQ(str(tt::Tensor()), "tensor(undefined)");
}

}  // namespace
