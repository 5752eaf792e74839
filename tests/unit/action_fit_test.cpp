// Tests of the training side of the next-action head (train/action_fit.h): the prior counted on
// the training events with its table chosen on the validation targets (hand-computed), and the
// whole head trained and fitted where the next action depends on the item, which no count of
// actions can know.
#include "train/action_fit.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "data/events.h"
#include "model/action_head.h"
#include "model/config.h"
#include "test_util.h"
#include "train/baselines.h"
#include "train/trainer.h"

using namespace forecart;

namespace {

struct Ev {
  uint32_t item, action;
  int64_t time;
};

data::Dataset dataset(const std::vector<std::vector<Ev>>& seqs, uint32_t items, uint32_t actions) {
  data::Dataset ds;
  ds.action_names = {"view", "cart", "purchase"};
  ds.action_names.resize(actions);
  for (uint32_t i = 0; i < items; ++i) ds.item_ids.push_back("sku-" + std::to_string(i + 1));
  ds.item_category.assign(items, data::kNoCategory);
  for (uint32_t u = 0; u < seqs.size(); ++u) {
    ds.user_ids.push_back("u" + std::to_string(u));
    ds.sequences.emplace_back();
    for (const Ev& e : seqs[u]) ds.sequences.back().push_back({u, e.item, e.action, data::kNoCategory, e.time});
  }
  return ds;
}

// A one-block model of the given width, heads, window and epochs, trained on one thread.
train::TrainerOptions tiny_options(uint32_t dim, uint32_t heads, uint32_t max_len, uint32_t epochs) {
  train::TrainerOptions o;
  o.model.dim = dim;
  o.model.layers = 1;
  o.model.heads = heads;
  o.model.max_len = max_len;
  o.epochs = epochs;
  o.graph.threads = 1;
  return o;
}

// Two users of five events (the last two held out): training pairs u0 (0 -> 1, 1 -> 2), u1 (0 -> 0,
// 0 -> 1), the first of each at bucket 0, the second at the bucket of a 10 s gap. Validation
// targets: u0's 0 after action 2, u1's `u1_valid` after action 1 (both at the 10 s bucket).
data::Dataset two_users(uint32_t u1_valid) {
  return dataset({{{0, 0, 0}, {1, 1, 10}, {2, 2, 20}, {3, 0, 30}, {4, 1, 40}},
                  {{0, 0, 0}, {1, 0, 10}, {2, 1, 20}, {3, u1_valid, 30}, {4, 0, 40}}},
                 5, 3);
}

}  // namespace

TEST_CASE("the action prior is counted on training events, its table chosen on the validation targets",
          "[action_head][train]") {
  ModelConfig c = test::tiny_config(5);
  const uint32_t b10 = time_bucket(0, 10, c.time_buckets);
  REQUIRE(b10 != 0);
  double lt = 0, lp = 0;
  // u1's validation target is purchase (2): P(2 | cart, 10 s) = (1 + 3 x 0.5) / 4 = 0.625 beats
  // P(2 | cart) = (1 + 1) / (1 + 3) = 0.5, so the table with time buckets wins.
  const ActionHead timed = train::count_action_prior(two_users(2), c, &lt, &lp);
  REQUIRE(timed.validate(3, c.time_buckets).ok());
  CHECK(timed.buckets == c.time_buckets);
  CHECK(lt == Approx(-(std::log(1.0 / 3) + std::log(0.625)) / 2));
  CHECK(lp == Approx(-(std::log(1.0 / 3) + std::log(0.5)) / 2));
  // Marginal of the six training events (3 views, 2 carts, 1 purchase), add-one: 4/9, 3/9, 2/9.
  CHECK(timed.marginal[0] == Approx(4.0 / 9));
  CHECK(timed.marginal[2] == Approx(2.0 / 9));
  // (view, bucket 0): counts (1, 1, 0) + 3 x P(. | view) = (2, 3, 1) / 6, over 2 + 3.
  const float* r = timed.prior_row(Token{1, 0, 0});
  CHECK(std::exp(r[0]) == Approx(0.4));
  CHECK(std::exp(r[1]) == Approx(0.5));
  CHECK(std::exp(r[2]) == Approx(0.1));
  r = timed.prior_row(Token{1, 0, b10});  // counts (0, 1, 0): (1, 2.5, 0.5) / 4
  CHECK(std::exp(r[1]) == Approx(0.625));
  r = timed.prior_row(Token{1, 2, b10});  // never seen: uniform
  CHECK(std::exp(r[0]) == Approx(1.0 / 3));

  // u1's validation target is a view: P(0 | cart, 10 s) = 0.1875 < P(0 | cart) = 0.25: no buckets.
  const ActionHead plain = train::count_action_prior(two_users(0), c, &lt, &lp);
  REQUIRE(plain.validate(3, c.time_buckets).ok());
  CHECK(plain.buckets == 1);
  CHECK(lp < lt);
  r = plain.prior_row(Token{1, 0, b10});  // the bucket is ignored: P(. | view) = (2, 3, 1) / 6
  CHECK(std::exp(r[0]) == Approx(2.0 / 6));
  CHECK(std::exp(r[1]) == Approx(3.0 / 6));
  CHECK(plain.prior_row(Token{1, 0, 0}) == plain.prior_row(Token{1, 0, b10}));
  // The `transition` baseline of eval is the same table (one count, train/baselines.h).
  const auto baselines = train::ActionBaselines::build(two_users(0), {0, 1, 2}, 3);
  float t[3];
  for (uint32_t l = 0; l < 3; ++l) {
    baselines.probs(train::ActionBaselines::kTransition, l, t);
    for (uint32_t a = 0; a < 3; ++a) CHECK(t[a] == Approx(std::exp(plain.prior_row(Token{1, l, 0})[a])));
  }

  c.num_actions = 1;  // one action: no head
  CHECK_FALSE(train::count_action_prior(two_users(0), c).active());
}

TEST_CASE("the trained head learns what the counts cannot, and its calibration is fitted on validation",
          "[action_head][train]") {
  // The action of event k + 1 is a cart after an even item and a view after an odd one: the
  // previous action says nothing about it (it depends on the item before), the item does.
  std::vector<std::vector<Ev>> seqs;
  uint64_t state = 12345;
  for (uint32_t u = 0; u < 300; ++u) {
    std::vector<Ev> s;
    uint32_t action = 0;
    for (uint32_t k = 0; k < 8; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const uint32_t item = static_cast<uint32_t>((state >> 33) % 30);
      s.push_back({item, action, -1});
      action = item % 2 == 0 ? 1 : 0;
    }
    seqs.push_back(s);
  }
  const data::Dataset ds = dataset(seqs, 30, 2);
  train::TrainerOptions o = tiny_options(16, 2, 8, 15);
  o.patience = 100;
  o.graph.max_batch = 32;
  o.graph.dropout = 0.1f;
  // Attached: the items are random, so only the action loss can teach the state the item's parity
  // (detached, the default, the head reads what the item loss taught the state).
  o.graph.action_detached = false;
  o.adam.lr = 1e-2f;
  o.fit_evidence = false;
  auto r = train::train_model(ds, o);
  REQUIRE(r.ok());
  const train::TrainResult& res = r.value();
  REQUIRE(res.action_head.active());
  const train::ActionFitReport& f = res.action_fit;
  CHECK(f.users == 300);
  CHECK(f.log_loss_prior == Approx(std::log(2.0)).margin(0.05));  // the counts: about a coin
  CHECK(f.log_loss_after < f.log_loss_prior - 0.3);
  CHECK(f.log_loss_after <= f.log_loss_before + 1e-9);  // the fit never does worse than as trained
  CHECK(f.accuracy_after > 0.9);
  CHECK(res.action_head.alpha > 0.0f);
  for (const auto& e : res.log) CHECK(e.val_action_loss >= 0);

  o.action_prior = false;  // the learned head alone, as older models
  auto plain = train::train_model(ds, o);
  REQUIRE(plain.ok());
  CHECK_FALSE(plain.value().action_head.active());
}

TEST_CASE("the per-action shift (train --action-shift) fits the validation targets' base rates, and is off by default",
          "[action_head][train]") {
  // Training positions are views after views; every validation target is a cart after a view. The
  // prior cannot know it, the shift (fitted on those targets) does.
  std::vector<std::vector<Ev>> seqs;
  for (uint32_t u = 0; u < 200; ++u) {
    std::vector<Ev> s;
    for (uint32_t k = 0; k < 6; ++k) s.push_back({(u * 7 + k) % 20, 0, -1});
    s[4].action = 1;  // the validation target (index n - 2)
    seqs.push_back(s);
  }
  const data::Dataset ds = dataset(seqs, 20, 2);
  train::TrainerOptions o = tiny_options(8, 1, 6, 2);
  o.fit_evidence = false;
  CHECK_FALSE(o.action_fit.shift);
  auto plain = train::train_model(ds, o);
  REQUIRE(plain.ok());
  CHECK(plain.value().action_head.shift.empty());

  o.action_fit.shift = true;
  auto shifted = train::train_model(ds, o);
  REQUIRE(shifted.ok());
  const ActionHead& h = shifted.value().action_head;
  REQUIRE(h.shift.size() == 2);
  CHECK(h.shift[1] - h.shift[0] > 1.0f);  // carts up
  const train::ActionFitReport& f = shifted.value().action_fit;
  CHECK(f.log_loss_after < f.log_loss_no_shift - 0.5);
  CHECK(f.accuracy_after > 0.99);  // every validation target is a cart
}
