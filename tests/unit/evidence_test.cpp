// Tests of the training side of the evidence terms: the follow table counted from training events only
// (train/follow_table.h) and the fit on the validation split (train/evidence_fit.h). The model side
// (values, logit terms, file section, session scores) is in evidence_model_test.cpp.
#include "model/evidence.h"

#include <catch2/catch.hpp>

#include "data/split.h"
#include "test_util.h"
#include "train/eval.h"
#include "train/evidence_fit.h"
#include "train/follow_table.h"
#include "train/trainer.h"

using namespace forecart;

namespace {

// A dataset of user sequences of dataset item indices (item i has id "sku-<i+1>"), no times.
data::Dataset dataset(const std::vector<std::vector<uint32_t>>& seqs, uint32_t items) {
  data::Dataset ds;
  ds.action_names = {"view"};
  for (uint32_t i = 0; i < items; ++i) ds.item_ids.push_back("sku-" + std::to_string(i + 1));
  ds.item_category.assign(items, data::kNoCategory);
  for (uint32_t u = 0; u < seqs.size(); ++u) {
    ds.user_ids.push_back("u" + std::to_string(u));
    ds.sequences.emplace_back();
    for (uint32_t it : seqs[u]) ds.sequences.back().push_back({u, it, 0, data::kNoCategory, -1});
  }
  return ds;
}

// Each user u walks a chain of 6 items u, u+1, ... (mod 20).
std::vector<std::vector<uint32_t>> chains(uint32_t users) {
  std::vector<std::vector<uint32_t>> seqs;
  for (uint32_t u = 0; u < users; ++u) {
    std::vector<uint32_t> s;
    for (uint32_t k = 0; k < 6; ++k) s.push_back((u + k) % 20);
    seqs.push_back(s);
  }
  return seqs;
}

}  // namespace

TEST_CASE("the follow table counts training events only, nearer followers weigh more", "[evidence]") {
  // Users of 5 events: the last two (validation, test targets) never count.
  const data::Dataset ds = dataset({{0, 1, 2, 3, 4}, {0, 1, 5, 5, 5}, {0, 2}}, 6);
  std::vector<uint32_t> map(6);
  for (uint32_t i = 0; i < 6; ++i) map[i] = i + 1;
  const FollowTable t = train::build_follow_table(ds, map, 7, 0);
  REQUIRE(t.validate(7).ok());
  SparseScores s;
  const uint32_t h[] = {1};  // followers of vocab 1 (dataset item 0)
  follow_scores(t, h, 1, &s);
  // User 0's prefix 0,1,2: 1 at distance 1, 2 at distance 2; user 1's prefix 0,1,5: 1 at 1, 5 at 2;
  // user 2 (2 events) trains entirely: 2 at distance 1.
  CHECK(test::sparse_value(s, 2) == Approx(2.0f));
  CHECK(test::sparse_value(s, 3) == Approx(0.5f + 1.0f));
  CHECK(test::sparse_value(s, 6) == Approx(0.5f));
  CHECK(test::sparse_value(s, 4) == 0.0f);  // dataset item 3 only appears as a held-out event
  CHECK(test::sparse_value(s, 5) == 0.0f);
  const FollowTable top1 = train::build_follow_table(ds, map, 7, 1);
  follow_scores(top1, h, 1, &s);
  REQUIRE(s.size() == 1);
  CHECK(s[0].first == 2);  // the heaviest follower (2.0), the tie 1.5 vs 2.0 is no tie
}

TEST_CASE("the fit finds the follow term where the next item is its follower", "[evidence][fit]") {
  // Every user walks a chain a, a+1, a+2, ... (mod 20): the follower of the last item is the target.
  const data::Dataset ds = dataset(chains(120), 20);
  ModelConfig c = test::tiny_config(20, 8, 1, 1, 8);
  c.num_actions = 1;
  Model m = test::random_model(c, 5, /*quantize=*/false, /*categories=*/false);
  m.meta.action_names = {"view"};
  train::EvidenceFitOptions o;
  o.threads = 1;
  train::EvidenceFitReport rep;
  REQUIRE(train::fit_evidence(ds, o, &m, &rep).ok());
  CHECK(rep.users == 120);
  CHECK(rep.ndcg10_after > rep.ndcg10_before);
  CHECK(rep.hr10_after == Approx(1.0));  // the follower is always in the top 10 now
  CHECK(m.evidence.active());
  CHECK(m.evidence.params.follow_bump > 0.0f);
  CHECK(!m.evidence.follow.empty());
  // No evidence wanted: nothing fitted, the model unchanged.
  Model n = test::random_model(c, 5, false, false);
  n.meta.action_names = {"view"};
  o.follow_top = 0;
  o.repeat = false;
  REQUIRE(train::fit_evidence(ds, o, &n, &rep).ok());
  CHECK_FALSE(n.evidence.active());
}

TEST_CASE("the fit users train without their newest training event, and the fit scores them alone", "[evidence][fit]") {
  // 40 chains of 6 events (training prefixes of 4) and one user of 2 events (training only).
  std::vector<std::vector<uint32_t>> seqs = chains(40);
  seqs.push_back({3, 4});
  const data::Dataset ds = dataset(seqs, 20);
  train::TrainerOptions o;
  o.model.dim = 8;
  o.model.layers = 1;
  o.model.heads = 1;
  o.model.max_len = 8;
  o.epochs = 1;
  o.graph.max_batch = 16;
  o.graph.threads = 1;
  o.fit_users = 8;
  auto held = train::train_model(ds, o);
  REQUIRE(held.ok());
  o.fit_users = 0;
  auto all = train::train_model(ds, o);
  REQUIRE(all.ok());
  // Each of the 8 fit users loses one target (4 events: 3 targets, then 2); the others keep theirs.
  CHECK(all.value().train_tokens == 40 * 3 + 1);
  CHECK(held.value().train_tokens == all.value().train_tokens - 8);
  CHECK(held.value().evidence_fit.users == 8);
  CHECK(all.value().evidence_fit.users == 40);
  CHECK(data::fit_users(data::make_split(ds), 8).size() == 8);

  // eval scores exactly the users it is given, and refuses a user that is not held out.
  Model m = Model::from_weights(all.value().weights, all.value().meta, /*quantize=*/false);
  train::EvalOptions eo;
  eo.threads = 1;
  eo.baselines = false;
  eo.fold = data::Fold::kValidation;
  eo.users = {0, 7, 9};
  auto r = train::evaluate(m, ds, eo);
  REQUIRE(r.ok());
  CHECK(r.value().users == 3);
  eo.users = {0, 40};  // user 40 has 2 events
  CHECK_FALSE(train::evaluate(m, ds, eo).ok());
  eo.users = {9, 7};
  CHECK_FALSE(train::evaluate(m, ds, eo).ok());
}
