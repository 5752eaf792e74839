// Tests of the next-action metrics (train/metrics.h) on hand-computed cases, and of the action
// baselines (train/baselines.h) counted from training events.
#include "train/metrics.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "train/baselines.h"

using namespace forecart;
using namespace forecart::train;

TEST_CASE("next-action metrics: accuracy, macro-F1, log-loss, ECE, AUC and per-action figures", "[metrics]") {
  // 4 cases, 2 actions (0 = view, 1 = purchase).
  const std::vector<uint32_t> truth = {0, 0, 1, 1};
  const std::vector<float> probs = {0.95f, 0.05f,   // right, confidence 0.95
                                    0.35f, 0.65f,   // wrong (predicts 1), confidence 0.65
                                    0.25f, 0.75f,   // right, 0.75
                                    0.85f, 0.15f};  // wrong (predicts 0), 0.85
  const ActionMetrics m = action_metrics(truth, probs, /*purchase=*/1, 2);
  CHECK(m.accuracy == Approx(0.5));
  // class 0: tp 1, fp 1, fn 1 -> F1 0.5; class 1: tp 1, fp 1, fn 1 -> 0.5.
  CHECK(m.macro_f1 == Approx(0.5));
  CHECK(m.log_loss == Approx(-(std::log(0.95) + std::log(0.35) + std::log(0.75) + std::log(0.15)) / 4));
  // Bins: 0.65 -> 6 (acc 0), 0.75 -> 7 (acc 1), 0.85 -> 8 (acc 0), 0.95 -> 9 (acc 1).
  CHECK(m.ece == Approx((0.65 + 0.25 + 0.85 + 0.05) / 4));
  REQUIRE(m.reliability.size() == 10);  // the diagram behind it
  CHECK(m.reliability[5].count == 0);
  CHECK(m.reliability[6].count == 1);
  CHECK(m.reliability[6].confidence == Approx(0.65));
  CHECK(m.reliability[6].accuracy == 0.0);
  CHECK(m.reliability[9].accuracy == 1.0);
  // Purchase scores 0.05, 0.65 (negatives) vs 0.75, 0.15 (positives): pairs won 0.75>0.05, 0.75>0.65,
  // 0.15>0.05 -> 3/4.
  CHECK(m.purchase_auc == Approx(0.75));
  REQUIRE(m.precision.size() == 2);
  CHECK(m.precision[0] == Approx(0.5));
  CHECK(m.recall[1] == Approx(0.5));
  // Ties count one half, a constant scores 0.5; no purchase action leaves the AUC unavailable.
  const std::vector<float> flat = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  CHECK(action_metrics(truth, flat, 1, 2).purchase_auc == Approx(0.5));
  CHECK(action_metrics(truth, flat, -1, 2).purchase_auc < 0);
  // A certain wrong answer costs the floor, not infinity.
  const ActionMetrics sure = action_metrics({0}, {0.0f, 1.0f}, 1, 2);
  CHECK(sure.log_loss == Approx(-std::log(1e-12)));
  CHECK(sure.ece == Approx(1.0));
}

TEST_CASE("action baselines: majority, last action and the smoothed transition table", "[metrics][baselines]") {
  data::Dataset ds;
  ds.action_names = {"view", "cart"};
  ds.item_ids = {"a"};
  ds.item_category = {data::kNoCategory};
  // One user of 6 events: the training prefix is the first 4 (view, view, cart, view).
  ds.user_ids = {"u"};
  ds.sequences = {{{0, 0, 0, data::kNoCategory, 1},
                   {0, 0, 0, data::kNoCategory, 2},
                   {0, 0, 1, data::kNoCategory, 3},
                   {0, 0, 0, data::kNoCategory, 4},
                   {0, 0, 1, data::kNoCategory, 5},
                   {0, 0, 1, data::kNoCategory, 6}}};
  const ActionBaselines b = ActionBaselines::build(ds, {0, 1}, 2);
  float p[2];
  b.probs(ActionBaselines::kMajority, 1, p);  // (3 + 1) / 6 views, (1 + 1) / 6 carts
  CHECK(p[0] == Approx(4.0 / 6));
  CHECK(p[1] == Approx(2.0 / 6));
  b.probs(ActionBaselines::kLast, 1, p);
  CHECK(p[0] == 0.0f);
  CHECK(p[1] == 1.0f);
  b.probs(ActionBaselines::kTransition, 0, p);  // after a view: view once, cart once, + 1 each
  CHECK(p[0] == Approx(0.5));
  b.probs(ActionBaselines::kTransition, 1, p);  // after a cart: view once -> (1+1)/3, cart (0+1)/3
  CHECK(p[0] == Approx(2.0 / 3));
  CHECK(p[1] == Approx(1.0 / 3));
  CHECK(std::string(ActionBaselines::name(ActionBaselines::kTransition)) == "transition");
}
