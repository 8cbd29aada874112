// Optimizers, LR schedulers and gradient clipping against LibTorch 1.13's torch::optim and
// torch::nn::utils. Each optimizer/option combination runs 60 steps on the same parameters and the
// same gradients in both frameworks and compares every parameter after every step, in f32
// (rel 1e-5) and f64 (rel 1e-12). LibTorch's C++ API has StepLR only (and it steps one behind
// Python's); the other schedulers are checked against the closed forms in PyTorch's documentation,
// evaluated here, and OneCycleLR's momentum cycling against a torch Adam whose beta1 is set by hand.

#include <cmath>
#include <functional>
#include <memory>

#include "support/expect_error.h"
#include "support/torch_bridge.h"
#include "tinytorch/optim/optim.h"

namespace {
namespace topt = tt::optim;
using TorchOptimizer = std::unique_ptr<torch::optim::Optimizer>;
using TTOptimizer = std::unique_ptr<topt::Optimizer>;

// Parameters of a few shapes, as matching leaves in both frameworks.
struct Params {
  tt::TensorList tt;
  std::vector<at::Tensor> torch;
};

Params make_params(tt::DType dtype, uint64_t seed) {
  torch::manual_seed(seed);
  Params p;
  for (const tt::Shape& shape : {tt::Shape{5, 4}, tt::Shape{4}, tt::Shape{3, 2, 2}}) {
    at::Tensor t = torch::randn(shape, torch::dtype(tt_test::to_torch_dtype(dtype)));
    p.tt.push_back(tt_test::from_torch(t).requires_grad_());
    p.torch.push_back(t.clone().requires_grad_());
  }
  return p;
}

// Gives both copies the same gradient: noise plus a term in the parameter, so the update feeds back.
void set_gradients(Params& p, int64_t step, const std::vector<bool>& skip = {}) {
  torch::manual_seed(1000 + step);
  for (size_t i = 0; i < p.torch.size(); ++i) {
    if (i < skip.size() && skip[i]) {
      p.torch[i].mutable_grad() = at::Tensor();
      p.tt[i].set_grad(tt::Tensor());
      continue;
    }
    at::Tensor g = torch::randn_like(p.torch[i]) + 0.5 * p.torch[i].detach().sin();
    p.torch[i].mutable_grad() = g.clone();
    p.tt[i].set_grad(tt_test::from_torch(g));
  }
}

struct Tolerance {
  double rtol, atol;
};
Tolerance tolerance(tt::DType dtype) { return dtype == tt::kFloat32 ? Tolerance{1e-5, 1e-6} : Tolerance{1e-12, 1e-13}; }

struct OptimCase {
  std::string name;
  std::function<TTOptimizer(const tt::TensorList&)> tinytorch;
  std::function<TorchOptimizer(const std::vector<at::Tensor>&)> libtorch;
};

void run_case(const OptimCase& c, int64_t steps = 60) {
  for (tt::DType dtype : {tt::kFloat32, tt::kFloat64}) {
    SCOPED_TRACE(c.name + " " + tt::dtype_name(dtype));
    Params p = make_params(dtype, 7);
    TTOptimizer mine = c.tinytorch(p.tt);
    TorchOptimizer theirs = c.libtorch(p.torch);
    const Tolerance tol = tolerance(dtype);
    for (int64_t step = 0; step < steps; ++step) {
      set_gradients(p, step);
      mine->step();
      theirs->step();
      for (size_t i = 0; i < p.tt.size(); ++i) {
        ASSERT_TRUE(tt_test::all_close(p.tt[i].detach(), p.torch[i].detach(), tol.rtol, tol.atol,
                                       fmt::format("param {} after step {}", i, step + 1)));
      }
    }
  }
}

template <class Optim, class Options>
std::function<TTOptimizer(const tt::TensorList&)> tt_maker(Options options) {
  return [options](const tt::TensorList& params) { return std::make_unique<Optim>(params, options); };
}
template <class Optim, class Options>
std::function<TorchOptimizer(const std::vector<at::Tensor>&)> torch_maker(Options options) {
  return [options](const std::vector<at::Tensor>& params) { return std::make_unique<Optim>(params, options); };
}

TEST(SGD, MatchesLibTorchForEveryOptionCombination) {
  struct Combo {
    double momentum, dampening, weight_decay;
    bool nesterov;
  };
  for (const Combo& k : {Combo{0, 0, 0, false}, Combo{0.9, 0, 0, false}, Combo{0.9, 0.1, 0, false},
                         Combo{0.9, 0, 1e-2, true}, Combo{0, 0, 0.1, false}, Combo{0.5, 0.5, 1e-3, false}}) {
    run_case({fmt::format("SGD momentum {} dampening {} wd {} nesterov {}", k.momentum, k.dampening, k.weight_decay,
                          k.nesterov),
              tt_maker<topt::SGD>(topt::SGDOptions(0.05)
                                      .momentum(k.momentum)
                                      .dampening(k.dampening)
                                      .weight_decay(k.weight_decay)
                                      .nesterov(k.nesterov)),
              torch_maker<torch::optim::SGD>(torch::optim::SGDOptions(0.05)
                                                 .momentum(k.momentum)
                                                 .dampening(k.dampening)
                                                 .weight_decay(k.weight_decay)
                                                 .nesterov(k.nesterov))});
  }
}

TEST(Adam, MatchesLibTorchForEveryOptionCombination) {
  struct Combo {
    double beta1, beta2, eps, weight_decay;
    bool amsgrad;
  };
  for (const Combo& k : {Combo{0.9, 0.999, 1e-8, 0, false}, Combo{0.9, 0.999, 1e-8, 0.1, false},
                         Combo{0.9, 0.999, 1e-8, 0, true}, Combo{0.8, 0.9, 1e-6, 1e-2, true}}) {
    const std::string name =
        fmt::format("betas ({}, {}) eps {} wd {} amsgrad {}", k.beta1, k.beta2, k.eps, k.weight_decay, k.amsgrad);
    run_case({"Adam " + name,
              tt_maker<topt::Adam>(topt::AdamOptions(1e-2)
                                       .betas(k.beta1, k.beta2)
                                       .eps(k.eps)
                                       .weight_decay(k.weight_decay)
                                       .amsgrad(k.amsgrad)),
              torch_maker<torch::optim::Adam>(torch::optim::AdamOptions(1e-2)
                                                  .betas({k.beta1, k.beta2})
                                                  .eps(k.eps)
                                                  .weight_decay(k.weight_decay)
                                                  .amsgrad(k.amsgrad))});
    run_case({"AdamW " + name,
              tt_maker<topt::AdamW>(topt::AdamWOptions(1e-2)
                                        .betas(k.beta1, k.beta2)
                                        .eps(k.eps)
                                        .weight_decay(k.weight_decay)
                                        .amsgrad(k.amsgrad)),
              torch_maker<torch::optim::AdamW>(torch::optim::AdamWOptions(1e-2)
                                                   .betas({k.beta1, k.beta2})
                                                   .eps(k.eps)
                                                   .weight_decay(k.weight_decay)
                                                   .amsgrad(k.amsgrad))});
  }
  run_case({"AdamW defaults", tt_maker<topt::AdamW>(topt::AdamWOptions()),
            torch_maker<torch::optim::AdamW>(torch::optim::AdamWOptions())});
}

TEST(RMSprop, MatchesLibTorchForEveryOptionCombination) {
  struct Combo {
    double alpha, eps, weight_decay, momentum;
    bool centered;
  };
  for (const Combo& k : {Combo{0.99, 1e-8, 0, 0, false}, Combo{0.99, 1e-8, 0, 0.9, false},
                         Combo{0.99, 1e-8, 0, 0, true}, Combo{0.9, 1e-6, 0.1, 0.5, true}}) {
    run_case({fmt::format("RMSprop alpha {} eps {} wd {} momentum {} centered {}", k.alpha, k.eps, k.weight_decay,
                          k.momentum, k.centered),
              tt_maker<topt::RMSprop>(topt::RMSpropOptions(1e-3)
                                          .alpha(k.alpha)
                                          .eps(k.eps)
                                          .weight_decay(k.weight_decay)
                                          .momentum(k.momentum)
                                          .centered(k.centered)),
              torch_maker<torch::optim::RMSprop>(torch::optim::RMSpropOptions(1e-3)
                                                     .alpha(k.alpha)
                                                     .eps(k.eps)
                                                     .weight_decay(k.weight_decay)
                                                     .momentum(k.momentum)
                                                     .centered(k.centered))});
  }
}

TEST(Adagrad, MatchesLibTorchForEveryOptionCombination) {
  struct Combo {
    double lr_decay, weight_decay, initial_accumulator_value, eps;
  };
  for (const Combo& k :
       {Combo{0, 0, 0, 1e-10}, Combo{1e-2, 0, 0, 1e-10}, Combo{0, 0.1, 0.1, 1e-10}, Combo{1e-3, 1e-2, 0.5, 1e-6}}) {
    run_case({fmt::format("Adagrad lr_decay {} wd {} initial {} eps {}", k.lr_decay, k.weight_decay,
                          k.initial_accumulator_value, k.eps),
              tt_maker<topt::Adagrad>(topt::AdagradOptions(0.1)
                                          .lr_decay(k.lr_decay)
                                          .weight_decay(k.weight_decay)
                                          .initial_accumulator_value(k.initial_accumulator_value)
                                          .eps(k.eps)),
              torch_maker<torch::optim::Adagrad>(torch::optim::AdagradOptions(0.1)
                                                     .lr_decay(k.lr_decay)
                                                     .weight_decay(k.weight_decay)
                                                     .initial_accumulator_value(k.initial_accumulator_value)
                                                     .eps(k.eps))});
  }
}

TEST(Optimizer, ParamGroupsWithOwnOptionsAndMissingGradientsMatchLibTorch) {
  Params p = make_params(tt::kFloat32, 3);
  topt::SGD mine({topt::ParamGroup({p.tt[0], p.tt[1]}), topt::ParamGroup({p.tt[2]}, {{"lr", 0.2}, {"momentum", 0.5}})},
                 topt::SGDOptions(0.05).momentum(0.9));
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<at::Tensor>{p.torch[0], p.torch[1]});
  groups.emplace_back(std::vector<at::Tensor>{p.torch[2]},
                      std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(0.2).momentum(0.5)));
  torch::optim::SGD theirs(groups, torch::optim::SGDOptions(0.05).momentum(0.9));
  for (int64_t step = 0; step < 60; ++step) {
    set_gradients(p, step, {false, step % 3 == 1, step % 2 == 0});  // skipped parameters must not move
    mine.step();
    theirs.step();
    for (size_t i = 0; i < p.tt.size(); ++i)
      ASSERT_TRUE(tt_test::all_close(p.tt[i].detach(), p.torch[i].detach(), 1e-5, 1e-6,
                                     fmt::format("param {} after step {}", i, step + 1)));
  }
  EXPECT_EQ(mine.param_groups()[1].get("lr"), 0.2);
  EXPECT_EQ(mine.param_groups()[1].get("dampening"), 0.0);  // filled in from the defaults
}

TEST(Optimizer, ZeroGradDropsOrZeroesGradients) {
  Params p = make_params(tt::kFloat32, 1);
  topt::SGD sgd(p.tt, topt::SGDOptions(0.1));
  set_gradients(p, 0);
  sgd.zero_grad(false);
  for (const tt::Tensor& param : p.tt) EXPECT_EQ(param.grad().abs().sum().item(), 0.0);
  sgd.zero_grad();
  for (const tt::Tensor& param : p.tt) EXPECT_FALSE(param.grad().defined());
}

// ---- state dict ----

TEST(OptimizerStateDict, RoundTripResumesBitForBit) {
  for (const std::string kind : {"SGD", "Adam", "RMSprop", "Adagrad"}) {
    SCOPED_TRACE(kind);
    auto make = [&](const tt::TensorList& params) -> TTOptimizer {
      if (kind == "SGD")
        return std::make_unique<topt::SGD>(params, topt::SGDOptions(0.05).momentum(0.9).nesterov(true));
      if (kind == "Adam") return std::make_unique<topt::Adam>(params, topt::AdamOptions(1e-2).amsgrad(true));
      if (kind == "RMSprop") return std::make_unique<topt::RMSprop>(params, topt::RMSpropOptions().centered(true));
      return std::make_unique<topt::Adagrad>(params, topt::AdagradOptions().lr_decay(0.01));
    };
    Params a = make_params(tt::kFloat32, 11);
    TTOptimizer first = make(a.tt);
    for (int64_t step = 0; step < 10; ++step) {
      set_gradients(a, step);
      first->step();
    }
    const topt::OptimizerStateDict saved = first->state_dict();
    // A fresh optimizer on copies of the parameters, resumed from the dict, must track the original.
    Params b = a;
    for (size_t i = 0; i < a.tt.size(); ++i) b.tt[i] = a.tt[i].detach().clone().requires_grad_();
    TTOptimizer resumed = make(b.tt);
    resumed->param_groups()[0].options["lr"] = 123.0;  // overwritten by the load
    resumed->load_state_dict(saved);
    EXPECT_EQ(resumed->param_groups()[0].get("lr"), first->param_groups()[0].get("lr"));
    EXPECT_EQ(resumed->state(b.tt[0]).step, 10);
    for (int64_t step = 10; step < 20; ++step) {
      set_gradients(a, step);
      for (size_t i = 0; i < a.tt.size(); ++i) b.tt[i].set_grad(a.tt[i].grad().clone());
      first->step();
      resumed->step();
      for (size_t i = 0; i < a.tt.size(); ++i)
        ASSERT_TRUE(tt_test::all_close(b.tt[i].detach(), tt_test::to_torch(a.tt[i].detach()), 0, 0, "resumed"));
    }
    // The saved dict is a snapshot: stepping on did not change it.
    EXPECT_EQ(saved.state.at(0).step, 10);
  }
}

TEST(OptimizerStateDict, MismatchesAreNamed) {
  Params p = make_params(tt::kFloat32, 2);
  topt::Adam adam(p.tt, topt::AdamOptions().amsgrad(true));
  set_gradients(p, 0);
  adam.step();
  const topt::OptimizerStateDict saved = adam.state_dict();

  topt::SGD sgd(p.tt, topt::SGDOptions(0.1));
  EXPECT_TRUE(tt_test::throws_with([&] { sgd.load_state_dict(saved); }, {"SGD.load_state_dict", "saved by Adam"}));

  topt::Adam fewer({p.tt[0], p.tt[1]});
  EXPECT_TRUE(tt_test::throws_with([&] { fewer.load_state_dict(saved); },
                                   {"Adam.load_state_dict", "group 0 holds 3 parameters in the state dict but 2"}));

  topt::Adam two_groups({topt::ParamGroup({p.tt[0]}), topt::ParamGroup({p.tt[1], p.tt[2]})}, topt::AdamOptions());
  EXPECT_TRUE(tt_test::throws_with([&] { two_groups.load_state_dict(saved); },
                                   {"1 parameter groups but this optimizer has 2"}));

  Params other_shapes = make_params(tt::kFloat32, 2);
  other_shapes.tt[1] = tt::zeros({7}).requires_grad_();
  topt::Adam reshaped(other_shapes.tt, topt::AdamOptions().amsgrad(true));
  EXPECT_TRUE(
      tt_test::throws_with([&] { reshaped.load_state_dict(saved); }, {"parameter 1", "shape [7]", "shape [4]"}));

  topt::OptimizerStateDict no_amsgrad = saved;
  no_amsgrad.param_groups[0].options["amsgrad"] = 0.0;
  topt::Adam plain(p.tt, topt::AdamOptions());
  EXPECT_TRUE(
      tt_test::throws_with([&] { plain.load_state_dict(no_amsgrad); }, {"unexpected buffer(s) [max_exp_avg_sq]"}));

  topt::OptimizerStateDict missing_option = saved;
  missing_option.param_groups[0].options.erase("beta2");
  EXPECT_TRUE(tt_test::throws_with([&] { plain.load_state_dict(missing_option); }, {"lacks option(s) beta2"}));
  // A failed load leaves the optimizer as it was.
  EXPECT_EQ(plain.param_groups()[0].get("amsgrad"), 0.0);
}

TEST(Optimizer, BadOptionsAndParametersAreNamed) {
  tt::Tensor w = tt::zeros({2, 3}).requires_grad_();
  EXPECT_TRUE(tt_test::throws_with([&] { topt::SGD({w}, topt::SGDOptions(0.1).nesterov(true)); },
                                   {"SGD", "Nesterov", "momentum > 0", "dampening 0"}));
  EXPECT_TRUE(tt_test::throws_with([&] { topt::SGD({w}, topt::SGDOptions(-1)); }, {"SGD", "invalid lr -1", ">= 0"}));
  EXPECT_TRUE(tt_test::throws_with([&] { topt::Adam({w}, topt::AdamOptions().betas(0.9, 1.5)); },
                                   {"Adam", "beta2 1.5", "[0, 1)"}));
  EXPECT_TRUE(
      tt_test::throws_with([&] { topt::RMSprop({w}, topt::RMSpropOptions().alpha(-0.5)); }, {"RMSprop", "alpha -0.5"}));
  EXPECT_TRUE(tt_test::throws_with([&] { topt::Adagrad({w}, topt::AdagradOptions().lr_decay(-1)); },
                                   {"Adagrad", "lr_decay -1"}));
  EXPECT_TRUE(tt_test::throws_with([&] { topt::SGD({w * 2.0}, topt::SGDOptions(0.1)); },
                                   {"SGD", "not a leaf", "[2, 3]", "detach()"}));
  EXPECT_TRUE(tt_test::throws_with(
      [&] {
        topt::SGD({w, w}, topt::SGDOptions(0.1));
      },
      {"parameters 0 and 1", "same tensor"}));
  EXPECT_TRUE(tt_test::throws_with([&] { topt::SGD(tt::TensorList{}, topt::SGDOptions(0.1)); },
                                   {"SGD", "at least one parameter"}));
  EXPECT_TRUE(
      tt_test::throws_with([&] { topt::SGD({tt::arange(3)}, topt::SGDOptions(0.1)); }, {"SGD", "int64", "float32"}));
  topt::SGD sgd({w}, topt::SGDOptions(0.1));
  EXPECT_TRUE(
      tt_test::throws_with([&] { sgd.add_param_group(topt::ParamGroup({w})); }, {"already belongs to group 0"}));
  EXPECT_TRUE(tt_test::throws_with(
      [&] {
        sgd.add_param_group(topt::ParamGroup({tt::zeros({1}).requires_grad_()}, {{"moment", 0.9}}));
      },
      {"unknown option 'moment'", "momentum"}));
}

// ---- learning-rate schedulers ----

// Steps `scheduler` n times, returning the rate the optimizer holds before each of its n steps.
template <class MakeScheduler>
std::vector<double> lr_sequence(MakeScheduler make, int64_t n, double lr = 0.1) {
  tt::Tensor w = tt::zeros({1}).requires_grad_();
  topt::SGD sgd({w}, topt::SGDOptions(lr).momentum(0.9));
  auto scheduler = make(sgd);
  std::vector<double> lrs;
  for (int64_t i = 0; i < n; ++i) {
    lrs.push_back(sgd.param_groups()[0].get("lr"));
    scheduler.step();
  }
  return lrs;
}

void expect_sequence(const std::vector<double>& actual, const std::function<double(int64_t)>& expected) {
  for (size_t t = 0; t < actual.size(); ++t)
    ASSERT_NEAR(actual[t], expected(static_cast<int64_t>(t)), 1e-12 * std::abs(expected(t)) + 1e-15) << "step " << t;
}

TEST(StepLR, MatchesPyTorchAndLibTorchOneStepLater) {
  const auto mine = lr_sequence([](topt::Optimizer& o) { return topt::StepLR(o, 3, 0.5); }, 20);
  expect_sequence(mine, [](int64_t t) { return 0.1 * std::pow(0.5, t / 3); });  // PyTorch's closed form
  // LibTorch 1.13's C++ StepLR decays one step() later than torch.optim's (its counter starts at 0
  // without an initial step), so its rate after t + 1 steps is PyTorch's rate after t.
  at::Tensor w = torch::zeros({1}, torch::requires_grad());
  torch::optim::SGD sgd({w}, torch::optim::SGDOptions(0.1));
  torch::optim::StepLR theirs(sgd, 3, 0.5);
  for (size_t t = 0; t < mine.size(); ++t) {
    theirs.step();
    ASSERT_DOUBLE_EQ(sgd.param_groups()[0].options().get_lr(), mine[t]) << "step " << t;
  }
}

TEST(MultiStepLR, MatchesClosedForm) {
  const std::vector<int64_t> milestones{2, 5, 5, 11};
  const auto mine = lr_sequence([&](topt::Optimizer& o) { return topt::MultiStepLR(o, milestones, 0.3); }, 15);
  expect_sequence(mine, [&](int64_t t) {
    const auto passed = std::count_if(milestones.begin(), milestones.end(), [t](int64_t m) { return m <= t; });
    return 0.1 * std::pow(0.3, static_cast<double>(passed));
  });
}

TEST(CosineAnnealingLR, MatchesClosedFormOverSeveralPeriods) {
  for (int64_t t_max : {1, 7, 10}) {
    const auto mine = lr_sequence([&](topt::Optimizer& o) { return topt::CosineAnnealingLR(o, t_max, 1e-3); }, 45);
    expect_sequence(mine, [&](int64_t t) {
      return 1e-3 + (0.1 - 1e-3) * (1 + std::cos(M_PI * static_cast<double>(t) / static_cast<double>(t_max))) / 2;
    });
  }
}

TEST(LinearLR, WarmUpMatchesClosedForm) {
  for (auto [start, end] : {std::pair{0.1, 1.0}, std::pair{1.0 / 3, 1.0}, std::pair{1.0, 0.25}}) {
    const auto mine = lr_sequence([&](topt::Optimizer& o) { return topt::LinearLR(o, start, end, 8); }, 14);
    expect_sequence(mine, [&](int64_t t) { return 0.1 * (start + (end - start) * std::min<double>(t, 8) / 8); });
  }
}

// OneCycleLR's documented schedule, written out independently of the implementation.
double one_cycle_value(int64_t t, int64_t total, double pct, double start, double peak, double end, bool linear) {
  auto anneal = [linear](double a, double b, double f) {
    return linear ? a + (b - a) * f : b + (a - b) / 2 * (1 + std::cos(M_PI * f));
  };
  const double up_end = pct * static_cast<double>(total) - 1;
  if (static_cast<double>(t) <= up_end) return anneal(start, peak, static_cast<double>(t) / up_end);
  return anneal(peak, end, (static_cast<double>(t) - up_end) / (static_cast<double>(total - 1) - up_end));
}

TEST(OneCycleLR, RateAndMomentumMatchClosedForm) {
  for (bool linear : {false, true}) {
    const int64_t total = 40;
    tt::Tensor w = tt::zeros({1}).requires_grad_();
    topt::SGD sgd({w}, topt::SGDOptions(0.1).momentum(0.9));
    topt::OneCycleLR scheduler(sgd, 0.5, total, topt::OneCycleOptions().anneal_strategy(linear ? "linear" : "cos"));
    for (int64_t t = 0; t < total; ++t) {
      const double lr = one_cycle_value(t, total, 0.3, 0.5 / 25, 0.5, 0.5 / 25 / 1e4, linear);
      const double momentum = one_cycle_value(t, total, 0.3, 0.95, 0.85, 0.95, linear);
      ASSERT_NEAR(sgd.param_groups()[0].get("lr"), lr, 1e-12) << "step " << t;
      ASSERT_NEAR(sgd.param_groups()[0].get("momentum"), momentum, 1e-12) << "step " << t;
      if (t + 1 < total) scheduler.step();
    }
    scheduler.step();
    EXPECT_TRUE(
        tt_test::throws_with([&] { scheduler.step(); }, {"OneCycleLR", "tried to step 41 times", "total_steps is 40"}));
  }
}

TEST(OneCycleLR, ThreePhaseMatchesClosedForm) {
  const int64_t total = 30;
  const auto mine = lr_sequence(
      [&](topt::Optimizer& o) { return topt::OneCycleLR(o, 1.0, total, topt::OneCycleOptions().three_phase(true)); },
      total);
  expect_sequence(mine, [&](int64_t t) {
    auto cos_anneal = [](double a, double b, double f) { return b + (a - b) / 2 * (1 + std::cos(M_PI * f)); };
    const double e1 = 0.3 * total - 1, e2 = 2 * 0.3 * total - 2, e3 = total - 1;
    const double td = static_cast<double>(t);
    if (td <= e1) return cos_anneal(0.04, 1.0, td / e1);
    if (td <= e2) return cos_anneal(1.0, 0.04, (td - e1) / (e2 - e1));
    return cos_anneal(0.04, 0.04 / 1e4, (td - e2) / (e3 - e2));
  });
}

TEST(OneCycleLR, CyclesAdamBeta1LikeTorchAdamWithBetasSetPerStep) {
  Params p = make_params(tt::kFloat32, 5);
  topt::Adam mine(p.tt, topt::AdamOptions(1e-3));
  topt::OneCycleLR scheduler(mine, 1e-2, 60);
  torch::optim::Adam theirs(p.torch, torch::optim::AdamOptions(1e-3));
  for (int64_t step = 0; step < 60; ++step) {
    auto& options = static_cast<torch::optim::AdamOptions&>(theirs.param_groups()[0].options());
    options.lr(one_cycle_value(step, 60, 0.3, 1e-2 / 25, 1e-2, 1e-2 / 25 / 1e4, false));
    options.betas({one_cycle_value(step, 60, 0.3, 0.95, 0.85, 0.95, false), 0.999});
    set_gradients(p, step);
    mine.step();
    theirs.step();
    if (step + 1 < 60) scheduler.step();
    for (size_t i = 0; i < p.tt.size(); ++i)
      ASSERT_TRUE(tt_test::all_close(p.tt[i].detach(), p.torch[i].detach(), 1e-5, 1e-6,
                                     fmt::format("param {} after step {}", i, step + 1)));
  }
  EXPECT_TRUE(tt_test::throws_with([&] { topt::OneCycleLR(*std::make_unique<topt::Adagrad>(p.tt), 0.1, 10); },
                                   {"OneCycleLR", "Adagrad has no momentum", "cycle_momentum(false)"}));
}

// ---- gradient clipping ----

TEST(ClipGradNorm, MatchesLibTorchForEveryNormType) {
  for (double norm_type : {2.0, 1.0, 3.0, topt::kInfNorm, 0.0}) {
    for (double max_norm : {0.5, 1e3}) {
      SCOPED_TRACE(fmt::format("norm_type {} max_norm {}", norm_type, max_norm));
      Params p = make_params(tt::kFloat32, 9);
      set_gradients(p, 0);
      const double mine = topt::clip_grad_norm_(p.tt, max_norm, norm_type);
      const double theirs = torch::nn::utils::clip_grad_norm_(p.torch, max_norm, norm_type);
      EXPECT_NEAR(mine, theirs, 1e-5 * theirs);
      for (size_t i = 0; i < p.tt.size(); ++i)
        EXPECT_TRUE(tt_test::all_close(p.tt[i].grad(), p.torch[i].grad(), 1e-5, 1e-7, "clipped gradient"));
    }
  }
}

TEST(ClipGradNorm, SkipsMissingGradientsAndRejectsNonFiniteOnRequest) {
  Params p = make_params(tt::kFloat64, 4);
  set_gradients(p, 0, {false, true, false});
  EXPECT_NEAR(topt::clip_grad_norm_(p.tt, 0.1), torch::nn::utils::clip_grad_norm_(p.torch, 0.1), 1e-12);
  EXPECT_FALSE(p.tt[1].grad().defined());
  EXPECT_EQ(topt::clip_grad_norm_({tt::zeros({2}).requires_grad_()}, 1.0), 0.0);
  p.tt[0].set_grad(tt::full({5, 4}, std::nan(""), tt::kFloat64));
  EXPECT_TRUE(tt_test::throws_with([&] { topt::clip_grad_norm_(p.tt, 1.0, 2.0, true); },
                                   {"clip_grad_norm_", "nan", "error_if_nonfinite = false"}));
}

TEST(ClipGradValue, MatchesLibTorch) {
  Params p = make_params(tt::kFloat32, 6);
  set_gradients(p, 0);
  topt::clip_grad_value_(p.tt, 0.3);
  torch::nn::utils::clip_grad_value_(p.torch, 0.3);
  for (size_t i = 0; i < p.tt.size(); ++i)
    EXPECT_TRUE(tt_test::all_close(p.tt[i].grad(), p.torch[i].grad(), 0, 0, "clipped gradient"));
}

}  // namespace
