// View ops against LibTorch: values, shapes, strides and storage offsets, whether a view is legal
// (TinyTorch throws exactly when LibTorch does), storage sharing and write-through, when reshape
// copies, and gradients through chains of views (check_op + gradcheck).
#include <functional>

#include "support/op_harness.h"

namespace {
using namespace tt_test;

tt::Shape shape_of(at::IntArrayRef sizes) { return tt::Shape(sizes.begin(), sizes.end()); }

// A TinyTorch tensor and its LibTorch twin, built by the same sequence of view ops.
struct Twin {
  tt::Tensor tt;
  at::Tensor at;
};

Twin apply(const Twin& p, const std::function<tt::Tensor(const tt::Tensor&)>& f,
           const std::function<at::Tensor(const at::Tensor&)>& g) {
  return {f(p.tt), g(p.at)};
}

// Sizes, strides, offset and values equal LibTorch's.
::testing::AssertionResult same_view(const tt::Tensor& actual, const at::Tensor& expected) {
  if (actual.strides() != shape_of(expected.strides()))
    return ::testing::AssertionFailure() << "strides " << tt::shape_str(actual.strides()) << " vs LibTorch "
                                         << tt::shape_str(shape_of(expected.strides())) << " (shape "
                                         << tt::shape_str(actual.sizes()) << ")";
  if (actual.storage_offset() != expected.storage_offset())
    return ::testing::AssertionFailure() << "storage offset " << actual.storage_offset() << " vs LibTorch "
                                         << expected.storage_offset();
  return all_close(actual, expected, 0, 0, "view");
}

// Base tensors in several layouts; values 0..n-1 so any misplaced element shows.
std::vector<std::pair<std::string, Twin>> bases() {
  auto make = [](const tt::Shape& shape) {
    tt::Tensor t = tt::arange(tt::numel_of(shape), tt::kFloat32).reshape(shape);
    return Twin{t, tt_test::to_torch(t)};
  };
  std::vector<std::pair<std::string, Twin>> out;
  out.push_back({"contiguous", make({2, 3, 4})});
  out.push_back({"transposed", apply(
                                   make({4, 3}), [](auto& t) { return t.t(); }, [](auto& t) { return t.t(); })});
  out.push_back({"permuted", apply(
                                 make({2, 3, 4}),
                                 [](auto& t) {
                                   return t.permute({2, 0, 1});
                                 },
                                 [](auto& t) {
                                   return t.permute({2, 0, 1});
                                 })});
  out.push_back({"transposed_outer", apply(
                                         make({2, 3, 4}), [](auto& t) { return t.transpose(0, 1); },
                                         [](auto& t) { return t.transpose(0, 1); })});
  out.push_back({"step_slice", apply(
                                   make({4, 6}), [](auto& t) { return t.slice(1, 0, std::nullopt, 2); },
                                   [](auto& t) { return t.slice(1, 0, c10::nullopt, 2); })});
  out.push_back({"narrow_rows", apply(
                                    make({6, 4}), [](auto& t) { return t.narrow(0, 1, 3); },
                                    [](auto& t) { return t.narrow(0, 1, 3); })});
  out.push_back({"narrow_cols", apply(
                                    make({3, 8}), [](auto& t) { return t.narrow(1, 2, 4); },
                                    [](auto& t) { return t.narrow(1, 2, 4); })});
  out.push_back({"expanded", apply(
                                 make({3, 1}),
                                 [](auto& t) {
                                   return t.expand({3, 4});
                                 },
                                 [](auto& t) {
                                   return t.expand({3, 4});
                                 })});
  out.push_back({"unit_dims", apply(
                                  make({2, 1, 3, 1}), [](auto& t) { return t.transpose(0, 2); },
                                  [](auto& t) { return t.transpose(0, 2); })});
  out.push_back(
      {"column", apply(
                     make({3, 4}), [](auto& t) { return t.select(1, 1); }, [](auto& t) { return t.select(1, 1); })});
  out.push_back({"batched_transpose", apply(
                                          make({2, 3, 2, 2}), [](auto& t) { return t.transpose(2, 3); },
                                          [](auto& t) { return t.transpose(2, 3); })});
  return out;
}

// Every ordered way of writing n as a product of up to `parts` factors > 1, plus variants with a
// 1 inserted, plus -1 forms.
std::vector<tt::Shape> candidate_shapes(int64_t n) {
  std::vector<tt::Shape> out;
  std::function<void(int64_t, tt::Shape)> factor = [&](int64_t rest, tt::Shape prefix) {
    if (rest == 1) {
      if (!prefix.empty()) out.push_back(prefix);
      return;
    }
    if (prefix.size() == 3) return;
    for (int64_t f = 2; f <= rest; ++f)
      if (rest % f == 0) {
        tt::Shape next = prefix;
        next.push_back(f);
        factor(rest / f, next);
      }
  };
  factor(n, {});
  const size_t plain = out.size();
  for (size_t i = 0; i < plain; ++i) {
    for (size_t at = 0; at <= out[i].size(); ++at) {
      tt::Shape with_one = out[i];
      with_one.insert(with_one.begin() + static_cast<int64_t>(at), 1);
      out.push_back(with_one);
    }
    tt::Shape inferred = out[i];
    inferred[0] = -1;
    out.push_back(inferred);
  }
  out.push_back({-1});
  return out;
}

TEST(Views, ViewLegalityMatchesTorch) {
  int legal = 0, illegal = 0;
  for (const auto& [name, base] : bases()) {
    for (const tt::Shape& shape : candidate_shapes(base.tt.numel())) {
      SCOPED_TRACE(name + " " + tt::shape_str(base.tt.sizes()) + " -> " + tt::shape_str(shape));
      bool torch_throws = false, tt_throws = false;
      at::Tensor expected;
      tt::Tensor actual;
      try {
        expected = base.at.view(shape);
      } catch (const c10::Error&) {
        torch_throws = true;
      }
      try {
        actual = base.tt.view(shape);
      } catch (const tt::Error& e) {
        tt_throws = true;
        EXPECT_NE(std::string(e.what()).find("reshape"), std::string::npos);  // the hint
      }
      ASSERT_EQ(tt_throws, torch_throws);
      if (torch_throws) {
        ++illegal;
        continue;
      }
      ++legal;
      EXPECT_TRUE(same_view(actual, expected));
      EXPECT_EQ(actual.storage(), base.tt.storage());
    }
  }
  // The candidate set must exercise both outcomes.
  EXPECT_GT(legal, 50);
  EXPECT_GT(illegal, 50);
}

TEST(Views, ReshapeCopiesOnlyWhenNeeded) {
  for (const auto& [name, base] : bases()) {
    for (const tt::Shape& shape : candidate_shapes(base.tt.numel())) {
      SCOPED_TRACE(name + " " + tt::shape_str(base.tt.sizes()) + " -> " + tt::shape_str(shape));
      at::Tensor expected = base.at.reshape(shape);
      tt::Tensor actual = base.tt.reshape(shape);
      EXPECT_TRUE(all_close(actual, expected, 0, 0, "reshape"));
      EXPECT_EQ(actual.storage() == base.tt.storage(), expected.is_alias_of(base.at));
      if (actual.storage() != base.tt.storage()) {
        EXPECT_TRUE(actual.is_contiguous());
      }
    }
  }
}

TEST(Views, StridesAndValuesMatchTorch) {
  for (const auto& [name, base] : bases()) {
    SCOPED_TRACE(name);
    const tt::Tensor& t = base.tt;
    const at::Tensor& a = base.at;
    const int64_t last = t.dim() - 1;
    EXPECT_TRUE(same_view(t, a));
    EXPECT_TRUE(same_view(t.transpose(0, last), a.transpose(0, last)));
    if (t.dim() >= 2) {
      EXPECT_TRUE(same_view(t.transpose(-1, -2), a.transpose(-1, -2)));
    }
    tt::Shape reversed;
    for (int64_t d = last; d >= 0; --d) reversed.push_back(d);
    EXPECT_TRUE(same_view(t.permute(reversed), a.permute(reversed)));
    EXPECT_TRUE(same_view(t.narrow(0, 1, t.size(0) - 1), a.narrow(0, 1, a.size(0) - 1)));
    EXPECT_TRUE(same_view(t.narrow(-1, -1, 1), a.narrow(-1, -1, 1)));
    EXPECT_TRUE(same_view(t.slice(0, 1), a.slice(0, 1)));
    EXPECT_TRUE(same_view(t.slice(last, -3, std::nullopt, 2), a.slice(last, -3, c10::nullopt, 2)));
    EXPECT_TRUE(same_view(t.slice(last, 0, 100, 3), a.slice(last, 0, 100, 3)));
    EXPECT_TRUE(same_view(t.slice(0, -100, -1), a.slice(0, -100, -1)));
    EXPECT_TRUE(same_view(t.slice(0, 2, 1), a.slice(0, 2, 1)));  // empty: end before start
    EXPECT_TRUE(same_view(t.select(0, -1), a.select(0, -1)));
    EXPECT_TRUE(same_view(t.select(last, 0), a.select(last, 0)));
    EXPECT_TRUE(same_view(t[1], a[1]));
    for (int64_t d = 0; d <= t.dim(); ++d) EXPECT_TRUE(same_view(t.unsqueeze(d), a.unsqueeze(d)));
    EXPECT_TRUE(same_view(t.unsqueeze(-1), a.unsqueeze(-1)));
    EXPECT_TRUE(same_view(t.squeeze(), a.squeeze()));
    for (int64_t d = 0; d < t.dim(); ++d) EXPECT_TRUE(same_view(t.squeeze(d), a.squeeze(d)));
    EXPECT_TRUE(all_close(t.flatten(), a.flatten(), 0, 0));
    if (t.dim() >= 2) {
      EXPECT_TRUE(all_close(t.flatten(1), a.flatten(1), 0, 0));
    }
    EXPECT_TRUE(all_close(t.contiguous(), a.contiguous(), 0, 0));
    EXPECT_TRUE(t.contiguous().is_contiguous());
    EXPECT_EQ(t.is_contiguous(), a.is_contiguous());
    EXPECT_EQ(t.contiguous().storage() == t.storage(), a.is_contiguous());
  }
}

TEST(Views, ExpandUsesStrideZero) {
  tt::Tensor t = tt::arange(3, tt::kFloat32).view({3, 1});
  at::Tensor a = tt_test::to_torch(t);
  EXPECT_TRUE(same_view(t.expand({3, 5}), a.expand({3, 5})));
  EXPECT_EQ(t.expand({3, 5}).strides(), (tt::Shape{1, 0}));
  EXPECT_TRUE(same_view(t.expand({2, 3, 4}), a.expand({2, 3, 4})));
  EXPECT_TRUE(same_view(t.expand({-1, 2}), a.expand({-1, 2})));
  EXPECT_TRUE(same_view(t.expand({1, 3, 1}), a.expand({1, 3, 1})));
  EXPECT_TRUE(same_view(t.t().expand({4, 3}), a.t().expand({4, 3})));
  tt::Tensor scalar = tt::full({}, 2.0);
  EXPECT_TRUE(same_view(scalar.expand({2, 2}), tt_test::to_torch(scalar).expand({2, 2})));
  EXPECT_EQ(t.expand({3, 5}).storage(), t.storage());
  EXPECT_THROW(t.expand({4, 5}), tt::Error);
  EXPECT_THROW(t.expand({5}), tt::Error);
}

TEST(Views, ZeroDimAndEmpty) {
  tt::Tensor s = tt::full({}, 3.0);
  at::Tensor a = torch::full({}, 3.0);
  EXPECT_TRUE(same_view(s.view({1, 1}), a.view({1, 1})));
  EXPECT_TRUE(same_view(s.unsqueeze(0), a.unsqueeze(0)));
  EXPECT_TRUE(all_close(s.flatten(), a.flatten(), 0, 0));
  EXPECT_TRUE(same_view(tt::ones({1, 1}).view({}), torch::ones({1, 1}).view(at::IntArrayRef{})));
  EXPECT_TRUE(same_view(s.expand({1, 2}), a.expand({1, 2})));
  tt::Tensor e = tt::zeros({0, 3});
  at::Tensor ae = torch::zeros({0, 3});
  EXPECT_TRUE(all_close(e.view({3, 0}), ae.view({3, 0}), 0, 0));
  EXPECT_TRUE(all_close(e.t().reshape({-1}), ae.t().reshape({-1}), 0, 0));
}

TEST(Views, WriteThroughViewShowsInBase) {
  tt::Tensor base = tt::zeros({3, 4, 5}, tt::TensorOptions().requires_grad(true));
  at::Tensor expected = torch::zeros({3, 4, 5}, torch::requires_grad());
  // Views made with grad mode on, written under no_grad, as an optimizer step does.
  tt::Tensor v1 = base.transpose(0, 2).select(1, -1);
  tt::Tensor v2 = base.slice(2, -4, std::nullopt, 2).narrow(0, 1, 2);
  tt::Tensor v3 = base.view({12, 5})[7];
  at::Tensor e1 = expected.transpose(0, 2).select(1, -1);
  at::Tensor e2 = expected.slice(2, -4, c10::nullopt, 2).narrow(0, 1, 2);
  at::Tensor e3 = expected.view({12, 5})[7];
  {
    tt::NoGradGuard no_grad;
    torch::NoGradGuard torch_no_grad;
    v1.fill_(1);
    e1.fill_(1);
    v2.copy_(tt::arange(1, 9, 1, tt::kFloat32).view({2, 4}).t().unsqueeze(0).expand({2, 4, 2}));
    e2.copy_(torch::arange(1, 9, torch::kFloat).view({2, 4}).t().unsqueeze(0).expand({2, 4, 2}));
    v3.add_(tt::full({5}, 10.0));
    e3.add_(torch::full({5}, 10.0));
    base.select(0, 0).select(0, 0).mul_(3);
    expected.select(0, 0).select(0, 0).mul_(3);
  }
  EXPECT_TRUE(all_close(base, expected, 0, 0, "base after writes through views"));
  EXPECT_TRUE(all_close(v1, e1, 0, 0, "view sees writes of other views"));
}

// Gradients through chains of views, against LibTorch and by finite differences.
TEST(Views, GradientThroughViewChains) {
  check_op(make_case(
      "transpose-slice-select", {{{3, 4, 5}}},
      [](const TL& x) { return x[0].transpose(0, 2).slice(0, 1, std::nullopt, 2).select(1, -1); },
      [](const AL& x) { return x[0].transpose(0, 2).slice(0, 1, c10::nullopt, 2).select(1, -1); }));
  check_op(make_case(
      "view-permute-narrow", {{{2, 3, 4}, tt_test::Domain::Normal, Layout::Transposed}},
      [](const TL& x) {
        return x[0].reshape({6, 4}).permute({1, 0}).narrow(1, 2, 3);
      },
      [](const AL& x) {
        return x[0].reshape({6, 4}).permute({1, 0}).narrow(1, 2, 3);
      }));
  check_op(make_case(
      "unsqueeze-expand-flatten", {{{3, 2}, tt_test::Domain::Normal, Layout::Strided}},
      [](const TL& x) {
        return x[0].unsqueeze(1).expand({3, 4, 2}).flatten(0, 1);
      },
      [](const AL& x) {
        return x[0].unsqueeze(1).expand({3, 4, 2}).flatten(0, 1);
      }));
  check_op(make_case(
      "squeeze-t-view", {{{1, 4, 1, 3}}},
      [](const TL& x) {
        return x[0].squeeze().t().contiguous().view({2, -1});
      },
      [](const AL& x) {
        return x[0].squeeze().t().contiguous().view({2, -1});
      }));
  check_op(make_case(
      "overlapping-views", {{{4, 6}}},
      // Two views of one tensor meet again: their gradients must add up in the shared base.
      [](const TL& x) { return x[0].narrow(1, 0, 4) * x[0].narrow(1, 2, 4) + x[0].t().slice(0, 1, 5); },
      [](const AL& x) { return x[0].narrow(1, 0, 4) * x[0].narrow(1, 2, 4) + x[0].t().slice(0, 1, 5); }));
  check_op(make_case(
      "views-with-math", {{{2, 3}}, {{3}}},
      [](const TL& x) {
        return (x[0].unsqueeze(-1) * x[1].view({1, 1, 3})).permute({2, 0, 1}).select(2, 1);
      },
      [](const AL& x) {
        return (x[0].unsqueeze(-1) * x[1].view({1, 1, 3})).permute({2, 0, 1}).select(2, 1);
      }));
}

TEST(Views, SharedStorageAndSeparateCopies) {
  tt::Tensor x = tt::randn({4, 5});
  for (const tt::Tensor& v : {x.view({20}), x.t(), x.narrow(0, 1, 2), x.select(1, 3), x.unsqueeze(0), x.flatten(),
                              x.slice(1, 0, std::nullopt, 2), x.expand({2, 4, 5}), x.reshape({5, 4})})
    EXPECT_EQ(v.storage(), x.storage());
  EXPECT_NE(x.clone().storage(), x.storage());
  EXPECT_NE(x.t().reshape({20}).storage(), x.storage());
  EXPECT_NE(x.t().contiguous().storage(), x.storage());
}

TEST(Views, InvalidArgumentsThrow) {
  tt::Tensor x = tt::zeros({2, 3});
  EXPECT_THROW(x.view({-1, -1}), tt::Error);
  EXPECT_THROW(x.view({4, -1}), tt::Error);
  EXPECT_THROW(x.view({7}), tt::Error);
  EXPECT_THROW(x.permute({0, 0}), tt::Error);
  EXPECT_THROW(x.permute({0}), tt::Error);
  EXPECT_THROW(x.narrow(1, 2, 2), tt::Error);
  EXPECT_THROW(x.select(0, 2), tt::Error);
  EXPECT_THROW(x.select(0, -3), tt::Error);
  EXPECT_THROW(x.slice(0, 0, 1, 0), tt::Error);
  EXPECT_THROW(x.transpose(0, 2), tt::Error);
  EXPECT_THROW(x.unsqueeze(3), tt::Error);
  EXPECT_THROW(x.flatten(1, 0), tt::Error);
  EXPECT_THROW(tt::zeros({2, 2, 2}).t(), tt::Error);
}

}  // namespace
