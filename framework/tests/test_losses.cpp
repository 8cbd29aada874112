// Loss functions against torch::nn::functional: cross_entropy (ignore_index, label smoothing, the
// [N, C, d...] form, every reduction), nll_loss, mse_loss and binary_cross_entropy_with_logits, in
// f32/f64 with gradcheck, plus the error messages for bad targets and shapes.
#include <cmath>

#include "support/expect_error.h"
#include "support/op_harness.h"

namespace {
namespace F = torch::nn::functional;
using namespace tt_test;

const std::vector<tt::Reduction> kReductions = {tt::Reduction::None, tt::Reduction::Mean, tt::Reduction::Sum};

std::string reduction_name(tt::Reduction r) {
  return r == tt::Reduction::None ? "none" : r == tt::Reduction::Mean ? "mean" : "sum";
}

// Sets the LibTorch options' reduction to match `r`.
template <class Options>
Options with_reduction(Options options, tt::Reduction r) {
  switch (r) {
    case tt::Reduction::None: options.reduction(torch::kNone); break;
    case tt::Reduction::Mean: options.reduction(torch::kMean); break;
    case tt::Reduction::Sum: options.reduction(torch::kSum); break;
  }
  return options;
}

int64_t torch_reduction(tt::Reduction r) {
  return r == tt::Reduction::None   ? at::Reduction::None
         : r == tt::Reduction::Mean ? at::Reduction::Mean
                                    : at::Reduction::Sum;
}

// Class-score input and its int64 target, as [N, C, d...] and [N, d...].
struct ClassShapes {
  tt::Shape scores;
  tt::Shape target;
  Layout layout = Layout::Contiguous;
};

const std::vector<ClassShapes> kClassShapes = {
    {{5, 4}, {5}},
    {{3, 4, 2, 2}, {3, 2, 2}},
    {{2, 5, 3}, {2, 3}, Layout::Transposed},  // scores stored [2, 3, 5]: class dim not contiguous
    {{6, 3}, {6}, Layout::Strided},
    {{4}, {}},  // one sample, 0-d target
};

std::vector<Input> class_inputs(const ClassShapes& s) {
  return {Input{s.scores, Domain::Normal, s.layout},
          index_input(s.target, s.scores.size() == 1 ? s.scores[0] : s.scores[1])};
}

// Replaces every target equal to 1 by `ignore` in both frameworks, so each case has ignored positions.
tt::Tensor ignore_ones(const tt::Tensor& target, int64_t ignore) {
  return tt::where(tt::eq(target, 1), tt::full({}, ignore, tt::kInt64), target);
}
at::Tensor ignore_ones(const at::Tensor& target, int64_t ignore) {
  return torch::where(target == 1, torch::full({}, ignore, torch::kLong), target);
}

void check_cross_entropy(int64_t ignore_index, double smoothing, bool mask_ones) {
  int variant = 0;
  for (const ClassShapes& s : kClassShapes) {
    for (tt::Reduction r : kReductions) {
      check_op(make_case(
          "cross_entropy#" + std::to_string(variant++) + " " + reduction_name(r) + " ignore " +
              std::to_string(ignore_index) + " smoothing " + std::to_string(smoothing),
          class_inputs(s),
          [=](const TL& x) {
            tt::Tensor target = mask_ones ? ignore_ones(x[1], ignore_index) : x[1];
            return tt::cross_entropy(x[0], target, {ignore_index, smoothing, r});
          },
          [=](const AL& x) {
            at::Tensor target = mask_ones ? ignore_ones(x[1], ignore_index) : x[1];
            auto options = F::CrossEntropyFuncOptions().ignore_index(ignore_index).label_smoothing(smoothing);
            return F::cross_entropy(x[0], target, with_reduction(options, r));
          }));
    }
  }
}

TEST(CrossEntropy, MatchesLibTorch) { check_cross_entropy(-100, 0.0, false); }

TEST(CrossEntropy, IgnoredTargetsAreExcludedFromLossAndMean) { check_cross_entropy(-100, 0.0, true); }

TEST(CrossEntropy, IgnoreIndexInsideClassRange) { check_cross_entropy(2, 0.0, false); }

TEST(CrossEntropy, LabelSmoothing) { check_cross_entropy(-100, 0.1, false); }

TEST(CrossEntropy, LabelSmoothingWithIgnoredTargets) { check_cross_entropy(-100, 0.25, true); }

TEST(CrossEntropy, LargeLogitsAreStable) {
  OpCase c = make_case(
      "cross_entropy large logits", {Input{{4, 6}}, index_input({4}, 6)},
      [](const TL& x) { return tt::cross_entropy(x[0] * 1000.0, x[1]); },
      [](const AL& x) { return F::cross_entropy(x[0] * 1000.0, x[1]); });
  c.f32 = {1e-5, 1e-3};
  c.gradcheck = false;  // the 1000x scale makes finite differences meaningless
  check_op(c);
}

TEST(CrossEntropy, AllTargetsIgnoredGivesNaNMeanAsLibTorch) {
  tt::Tensor logits = tt::randn({3, 4}, tt::kFloat64);
  tt::Tensor target = tt::full({3}, -100, tt::kInt64);
  at::Tensor expected = F::cross_entropy(tt_test::to_torch(logits), tt_test::to_torch(target));
  ASSERT_TRUE(std::isnan(expected.item<double>()));
  EXPECT_TRUE(std::isnan(tt::cross_entropy(logits, target).item()));
}

TEST(NllLoss, MatchesLibTorch) {
  int variant = 0;
  for (const ClassShapes& s : kClassShapes) {
    for (tt::Reduction r : kReductions) {
      for (bool mask_ones : {false, true}) {
        check_op(make_case(
            "nll_loss#" + std::to_string(variant++) + " " + reduction_name(r) + (mask_ones ? " ignored" : ""),
            class_inputs(s),
            [=](const TL& x) {
              tt::Tensor log_probs = tt::log_softmax(x[0], s.scores.size() == 1 ? 0 : 1);
              return tt::nll_loss(log_probs, mask_ones ? ignore_ones(x[1], -100) : x[1], -100, r);
            },
            [=](const AL& x) {
              const bool single = s.scores.size() == 1;
              at::Tensor log_probs = torch::log_softmax(x[0], single ? 0 : 1);
              at::Tensor target = mask_ones ? ignore_ones(x[1], -100) : x[1];
              // F::nll_loss wants a batch dim; the [C] form is reached through ATen's nll_loss_nd.
              if (single) return torch::nll_loss_nd(log_probs, target, {}, torch_reduction(r), -100);
              return F::nll_loss(log_probs, target, with_reduction(F::NLLLossFuncOptions().ignore_index(-100), r));
            }));
      }
    }
  }
}

// Pairs of same-shaped (input, target) inputs in several layouts.
std::vector<std::vector<Input>> pair_inputs(Domain target_domain) {
  return {
      {{{3, 4}}, {{3, 4}, target_domain}},
      {{{2, 3, 4}, Domain::Normal, Layout::Transposed}, {{2, 3, 4}, target_domain, Layout::Strided}},
      {{{5}}, {{5}, target_domain, Layout::Strided}},
      {{{}}, {{}, target_domain}},
  };
}

// A loss of (input, target) under every reduction; the lambdas take the reduction.
void check_pair_loss(const std::string& name, Domain target_domain,
                     std::function<tt::Tensor(const TL&, tt::Reduction)> tt_fn,
                     std::function<at::Tensor(const AL&, tt::Reduction)> torch_fn) {
  int variant = 0;
  for (const auto& inputs : pair_inputs(target_domain)) {
    for (tt::Reduction r : kReductions) {
      check_op(make_case(
          name + "#" + std::to_string(variant++) + " " + reduction_name(r), inputs,
          [tt_fn, r](const TL& x) { return tt_fn(x, r); }, [torch_fn, r](const AL& x) { return torch_fn(x, r); }));
    }
  }
}

TEST(MseLoss, MatchesLibTorch) {
  check_pair_loss(
      "mse_loss", Domain::Normal, [](const TL& x, tt::Reduction r) { return tt::mse_loss(x[0], x[1], r); },
      [](const AL& x, tt::Reduction r) { return F::mse_loss(x[0], x[1], with_reduction(F::MSELossFuncOptions(), r)); });
}

TEST(BinaryCrossEntropyWithLogits, MatchesLibTorch) {
  check_pair_loss(
      "bce_with_logits", Domain::Unit,
      [](const TL& x, tt::Reduction r) { return tt::binary_cross_entropy_with_logits(x[0], x[1], r); },
      [](const AL& x, tt::Reduction r) {
        return F::binary_cross_entropy_with_logits(x[0], x[1],
                                                   with_reduction(F::BinaryCrossEntropyWithLogitsFuncOptions(), r));
      });
}

TEST(BinaryCrossEntropyWithLogits, LargeLogitsAreStable) {
  // |logits| up to ~100: exp(-x) overflows f32 in the naive form log(1 + exp(-x)).
  OpCase c = make_case(
      "bce_with_logits large", {Input{{4, 5}}, Input{{4, 5}, Domain::Unit}},
      [](const TL& x) { return tt::binary_cross_entropy_with_logits(x[0] * 40.0, x[1], tt::Reduction::None); },
      [](const AL& x) {
        return F::binary_cross_entropy_with_logits(
            x[0] * 40.0, x[1], F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
      });
  c.f32 = {1e-5, 1e-4};
  check_op(c);
}

TEST(LossErrors, CrossEntropyTargetShapeMismatch) {
  tt::Tensor logits = tt::zeros({4, 5});
  EXPECT_TRUE(throws_with(
      [&] {
        tt::cross_entropy(logits, tt::zeros({4, 3}, tt::kInt64));
      },
      {"cross_entropy", "[4, 3]", "[4, 5]", "expected target shape [4]"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::nll_loss(tt::zeros({2, 5, 3}), tt::zeros({2, 5}, tt::kInt64));
      },
      {"nll_loss", "[2, 5]", "[2, 5, 3]", "[2, 3]"}));
}

TEST(LossErrors, TargetOutOfRangeNamesValueAndClassCount) {
  tt::Tensor logits = tt::zeros({3, 5});
  EXPECT_TRUE(throws_with(
      [&] {
        tt::cross_entropy(logits, tt::tensor<int64_t>({0, 5, 1}));
      },
      {"cross_entropy", "target value 5", "5 classes", "[0, 5)", "ignore_index (-100)"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::cross_entropy(logits, tt::tensor<int64_t>({0, -1, 1}));
      },
      {"target value -1", "5 classes"}));
  EXPECT_TRUE(throws_with(
      [&] {
        tt::nll_loss(logits, tt::tensor<int64_t>({7, 0, 1}));
      },
      {"nll_loss", "target value 7"}));
}

TEST(LossErrors, NonInt64TargetIsRejected) {
  tt::Tensor logits = tt::zeros({3, 5});
  EXPECT_TRUE(throws_with([&] { tt::cross_entropy(logits, tt::zeros({3})); },
                          {"cross_entropy", "int64", "float32", ".to(tt::kInt64)"}));
}

TEST(LossErrors, LabelSmoothingOutOfRange) {
  tt::Tensor logits = tt::zeros({3, 5});
  tt::Tensor target = tt::zeros({3}, tt::kInt64);
  EXPECT_TRUE(throws_with(
      [&] {
        tt::cross_entropy(logits, target, {-100, 1.5, tt::Reduction::Mean});
      },
      {"cross_entropy", "label_smoothing", "[0, 1]", "1.5"}));
}

TEST(LossErrors, MseShapeMismatch) {
  EXPECT_TRUE(throws_with([&] { tt::mse_loss(tt::zeros({4, 1}), tt::zeros({4})); }, {"mse_loss", "[4, 1]", "[4]"}));
}

TEST(LossErrors, BceShapeMismatchAndIntegerTarget) {
  EXPECT_TRUE(throws_with(
      [&] {
        tt::binary_cross_entropy_with_logits(tt::zeros({4}), tt::zeros({4, 2}));
      },
      {"binary_cross_entropy_with_logits", "[4]", "[4, 2]"}));
  EXPECT_TRUE(throws_with([&] { tt::binary_cross_entropy_with_logits(tt::zeros({4}), tt::zeros({4}, tt::kInt64)); },
                          {"binary_cross_entropy_with_logits", "target", "int64"}));
}
}  // namespace
