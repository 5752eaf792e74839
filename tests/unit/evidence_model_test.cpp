// Tests of the evidence terms on the model side (model/evidence.h), in the native and the WASM suites:
// the follow and repeat values, the logit terms as the scorer adds them (all at once and for one
// id), the evidence section of the model file, and a session's scores with the terms.
#include <catch2/catch.hpp>
#include <cmath>

#include "fcm_test_util.h"
#include "format/fcm.h"
#include "model/evidence.h"
#include "model/session.h"
#include "test_util.h"

using namespace forecart;

namespace {

// Followers: 1 -> {2: 1.0, 3: 0.5}, 2 -> {3: 2.0}, 3 -> {}, vocab 5.
FollowTable small_table() {
  FollowTable t;
  t.offsets = {0, 0, 2, 3, 3, 3};
  t.items = {2, 3, 3};
  t.weights = {1.0f, 0.5f, 2.0f};
  return t;
}

}  // namespace

TEST_CASE("follow values weigh the newest three window items 1, 1/2, 1/4", "[evidence]") {
  const FollowTable t = small_table();
  SparseScores s;
  const uint32_t history[] = {2, 1, 2};  // newest last: 2 (weight 1), 1 (1/2), 2 (1/4)
  follow_scores(t, history, 3, &s);
  CHECK(test::sparse_value(s, 2) == Approx(0.5f * 1.0f));
  CHECK(test::sparse_value(s, 3) == Approx(1.0f * 2.0f + 0.5f * 0.5f + 0.25f * 2.0f));
  for (size_t i = 1; i < s.size(); ++i) CHECK(s[i - 1].first < s[i].first);
  const uint32_t longer[] = {1, 1, 3, 3, 3};  // only the newest three count: item 3 has no followers
  follow_scores(t, longer, 5, &s);
  CHECK(s.empty());
  const uint32_t unknown[] = {0, 4};
  follow_scores(t, unknown, 2, &s);
  CHECK(s.empty());
}

TEST_CASE("repeat values decay with the age of each window event", "[evidence]") {
  SparseScores s;
  const uint32_t window[] = {3, 1, 3, 0, 2};
  repeat_scores(window, 5, 0.5f, &s);
  REQUIRE(s.size() == 3);  // the unknown id 0 is never named
  CHECK(test::sparse_value(s, 2) == Approx(1.0f));
  CHECK(test::sparse_value(s, 1) == Approx(0.125f));
  CHECK(test::sparse_value(s, 3) == Approx(0.25f + 0.0625f));
}

TEST_CASE("the logit terms: all at once equal one id at a time, and none when inactive", "[evidence]") {
  Evidence e;
  e.follow = small_table();
  const uint32_t window[] = {3, 2, 1};
  std::vector<float> logits(5, 0.0f);
  SparseScores scratch;
  add_evidence(e, window, 3, logits.data(), &scratch);
  for (float z : logits) CHECK(z == 0.0f);  // all weights zero: inactive
  e.params = {1.5f, 0.5f, -1.0f, 2.0f, 0.7f};
  REQUIRE(e.params.validate().ok());
  add_evidence(e, window, 3, logits.data(), &scratch);
  for (uint32_t id = 0; id < 5; ++id) CHECK(logits[id] == Approx(evidence_term(e, window, 3, id)).margin(1e-6));
  // Item 2: followed 1 (weight 1 x 1.0) and sits in the window at age 1; item 4: nothing.
  CHECK(logits[2] == Approx(1.5f + 0.5f * std::log(1.0f) + (-1.0f + 2.0f * std::log(0.7f))));
  CHECK(logits[4] == 0.0f);
  CHECK(logits[0] == 0.0f);
  e.params.repeat_decay = 0.0f;
  CHECK_FALSE(e.params.validate().ok());
  e.params.repeat_decay = 0.5f;
  e.params.follow_bump = NAN;
  CHECK_FALSE(e.params.validate().ok());
}

TEST_CASE("evidence round-trips through the model file and bad tables are refused", "[evidence][format]") {
  Model m = fcm_test::make_model(/*quantize=*/true);
  const size_t V = m.config.vocab();
  m.evidence.params = {2.0f, 1.0f, 0.5f, 0.25f, 0.7f};
  m.evidence.follow.offsets.assign(V + 1, 2);
  m.evidence.follow.offsets[0] = 0;
  m.evidence.follow.offsets[1] = 2;
  m.evidence.follow.items = {2, 3};
  m.evidence.follow.weights = {1.5f, 0.25f};
  const fcm_test::Bytes b = fcm_test::must_write(m);
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  const Evidence& e = r.value().evidence;
  CHECK(e.params.follow_bump == 2.0f);
  CHECK(e.params.repeat_decay == 0.7f);
  CHECK(e.follow.offsets == m.evidence.follow.offsets);
  CHECK(e.follow.items == m.evidence.follow.items);
  CHECK(e.follow.weights == m.evidence.follow.weights);
  Result<ModelFileInfo> info = inspect_model(b.data(), b.size());
  REQUIRE(info.ok());
  bool required = false;
  for (const auto& s : info.value().sections)
    if (s.tag == static_cast<uint32_t>(FcmSectionTag::kEvidence)) required = !(s.flags & kFcmSectionSkippable);
  CHECK(required);  // it changes the scores: a reader that does not know it must refuse the file

  Model bad = m;
  bad.evidence.follow.items[1] = static_cast<uint32_t>(V);  // outside the vocabulary
  const fcm_test::Bytes bb = fcm_test::must_write(bad);
  Result<Model> rb = read_model(bb.data(), bb.size());
  CHECK(rb.status().code() == StatusCode::kCorruptModel);
  CHECK(rb.status().message().find("evidence") != std::string::npos);
  bad = m;
  bad.evidence.follow.offsets[2] = 1;  // descending offsets
  const fcm_test::Bytes bo = fcm_test::must_write(bad);
  CHECK(read_model(bo.data(), bo.size()).status().code() == StatusCode::kCorruptModel);
  // No evidence: no section.
  const fcm_test::Bytes plain = fcm_test::must_write(fcm_test::make_model(true));
  Result<ModelFileInfo> pi = inspect_model(plain.data(), plain.size());
  REQUIRE(pi.ok());
  CHECK(pi.value().sections.empty());
}

TEST_CASE("a session's scores include the evidence and stay probabilities", "[evidence][session]") {
  Model m = test::random_model(test::tiny_config(), 3, /*quantize=*/true);
  const size_t V = m.config.vocab();
  m.evidence.follow.offsets.assign(V + 1, 1);
  m.evidence.follow.offsets[0] = m.evidence.follow.offsets[1] = 0;
  m.evidence.follow.items = {7};  // vocab 7 follows vocab 1
  m.evidence.follow.weights = {1.0f};
  Session plain(m);
  REQUIRE(plain.record("sku-1", "view", -1).ok());
  std::vector<float> before(V);
  plain.logits(before.data());
  m.evidence.params.follow_bump = 40.0f;  // overwhelming: item 7 must come first
  Session s(m);
  REQUIRE(s.record("sku-1", "view", -1).ok());
  std::vector<float> after(V);
  s.logits(after.data());
  CHECK(after[7] == Approx(before[7] + 40.0f));
  for (uint32_t id = 1; id < V; ++id)
    if (id != 7) CHECK(after[id] == before[id]);
  PredictOptions o;
  o.k = static_cast<size_t>(V - 1);
  Prediction p;
  REQUIRE(s.predict(o, &p).ok());
  REQUIRE(!p.items.empty());
  CHECK(p.items[0].index == 7);
  double total = 0;
  for (const auto& it : p.items) total += it.score;
  CHECK(total == Approx(1.0).epsilon(1e-4));
  // explain(): leaving out the one event leaves item 7 its bias alone (no state, no evidence).
  std::vector<float> why;
  REQUIRE(s.explain({7}, &why).ok());
  REQUIRE(why.size() == 1);
  const float bias7 = m.rest.tensor("item_bias")[7];
  CHECK(why[0] == Approx(after[7] - bias7).margin(1e-3));
}
