// Tests of the next-action head at inference (model/action_head.h): the prior row, alpha and the
// temperature; the stored marginal for an empty history; the file section round trip, older files
// without it, and corrupt fields refused. Part of the WASM suite too.
#include "model/action_head.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "fcm_test_util.h"
#include "format/fcm.h"
#include "model/layers.h"
#include "model/predictor.h"
#include "model/session.h"
#include "test_util.h"

using namespace forecart;
using namespace forecart::fcm_test;

namespace {

// A head for A = 3 actions and B buckets: row (l, b) = log of (0.6, 0.3, 0.1) rotated by l + b.
ActionHead make_head(uint32_t buckets) {
  ActionHead h;
  h.actions = 3;
  h.buckets = buckets;
  h.marginal = {0.7f, 0.2f, 0.1f};
  const float p[3] = {0.6f, 0.3f, 0.1f};
  for (uint32_t l = 0; l < 3; ++l)
    for (uint32_t b = 0; b < buckets; ++b)
      for (uint32_t a = 0; a < 3; ++a) h.log_prior.push_back(std::log(p[(a + l + b) % 3]));
  return h;
}

void softmax_of(const float* z, float scale, float* out) {
  for (int a = 0; a < 3; ++a) out[a] = z[a] * scale;
  softmax_inplace(out, 3);
}

}  // namespace

TEST_CASE("the action head is the prior row plus alpha x the correction, over the temperature", "[action_head]") {
  ActionHead h = make_head(12);
  REQUIRE(h.validate(3, 12).ok());
  const float z[3] = {0.5f, -1.0f, 2.0f};
  const Token last{4, 1, 2};  // row (1, 2): rotation 3 = none
  float out[3], ref[3];
  action_probs_from(ActionHead{}, z, last, 3, out);  // no head: softmax of the learned logits
  softmax_of(z, 1.0f, ref);
  for (int a = 0; a < 3; ++a) CHECK(out[a] == Approx(ref[a]));
  h.alpha = 0.0f;  // the prior alone
  action_probs_from(h, z, last, 3, out);
  CHECK(out[0] == Approx(0.6f));
  CHECK(out[1] == Approx(0.3f));
  CHECK(out[2] == Approx(0.1f));
  const Token other{4, 0, 1};  // row (0, 1): rotated by one
  action_probs_from(h, z, other, 3, out);
  CHECK(out[0] == Approx(0.3f));
  CHECK(out[2] == Approx(0.6f));
  h.alpha = 1.0f;
  h.temperature = 2.0f;
  action_probs_from(h, z, last, 3, out);
  const float mixed[3] = {std::log(0.6f) + z[0], std::log(0.3f) + z[1], std::log(0.1f) + z[2]};
  softmax_of(mixed, 0.5f, ref);
  for (int a = 0; a < 3; ++a) CHECK(out[a] == Approx(ref[a]));
}

TEST_CASE("a predictor's head: the stored marginal when empty, the head on the learned logits after events",
          "[action_head]") {
  const ModelConfig c = test::tiny_config();
  Model plain = test::random_model(c, 11, /*quantize=*/false);
  Model headed = test::random_model(c, 11, /*quantize=*/false);
  headed.action_head = make_head(c.time_buckets);
  headed.action_head.alpha = 0.5f;
  headed.action_head.temperature = 1.5f;
  Predictor p0(plain), p1(headed);
  float a0[3], a1[3];
  p1.action_probs(a1);
  CHECK(a1[0] == 0.7f);  // exactly the stored prior, not a softmax of a learned bias
  CHECK(a1[1] == 0.2f);
  CHECK(a1[2] == 0.1f);
  REQUIRE(p0.push(3, 2, 1000).ok());
  REQUIRE(p1.push(3, 2, 1000).ok());
  REQUIRE(p0.push(5, 1, 1600).ok());
  REQUIRE(p1.push(5, 1, 1600).ok());
  p0.action_probs(a0);  // softmax(z): ln a0 = z + a constant, which the softmax below cancels
  p1.action_probs(a1);
  const Token last = p1.tokens()[1];
  const float* prior = headed.action_head.prior_row(last);
  float mixed[3], ref[3];
  for (int a = 0; a < 3; ++a) mixed[a] = prior[a] + 0.5f * std::log(a0[a]);
  softmax_of(mixed, 1.0f / 1.5f, ref);
  for (int a = 0; a < 3; ++a) CHECK(a1[a] == Approx(ref[a]).epsilon(1e-4));
}

TEST_CASE("the action head round-trips in its section, older files have none, corrupt fields are refused",
          "[action_head][format][sections]") {
  Model m = make_model(/*quantize=*/true);
  REQUIRE(m.config.num_actions == 3);
  m.action_head = make_head(m.config.time_buckets);
  m.action_head.alpha = 0.7f;
  m.action_head.temperature = 1.3f;
  m.action_head.shift = {0.0f, 0.25f, -0.5f};
  const Bytes b = must_write(m);
  Result<Model> r = read_model(b.data(), b.size());
  REQUIRE(r.ok());
  const ActionHead& h = r.value().action_head;
  CHECK(h.active());
  CHECK(h.buckets == m.config.time_buckets);
  CHECK(h.alpha == 0.7f);
  CHECK(h.temperature == 1.3f);
  CHECK(h.shift == m.action_head.shift);
  CHECK(h.marginal == m.action_head.marginal);
  CHECK(h.log_prior == m.action_head.log_prior);
  bool required = false;
  for (const auto& s : map_file(b).sections)
    if (s.tag == static_cast<uint32_t>(FcmSectionTag::kActionHead))
      required = !(get_u32(b, s.flags_at) & kFcmSectionSkippable);
  CHECK(required);  // it changes the probabilities: a reader that does not know it must refuse the file

  const Bytes plain = must_write(make_model(true));  // as older files: no section, the learned head alone
  Result<Model> rp = read_model(plain.data(), plain.size());
  REQUIRE(rp.ok());
  CHECK_FALSE(rp.value().action_head.active());

  Model bad = m;
  bad.action_head.temperature = 0.0f;
  CHECK(code_of(must_write(bad)) == StatusCode::kCorruptModel);
  CHECK(message_of(must_write(bad)).find("temperature") != std::string::npos);
  bad = m;
  bad.action_head.buckets = m.config.time_buckets - 1;
  bad.action_head.log_prior.resize(3 * bad.action_head.buckets * 3);
  CHECK(code_of(must_write(bad)) == StatusCode::kCorruptModel);
  CHECK(message_of(must_write(bad)).find("action_head") != std::string::npos);
  bad = m;
  bad.action_head.shift = {0.0f, 1.0f};  // not one per action
  CHECK(message_of(must_write(bad)).find("shift") != std::string::npos);
  bad = m;
  bad.action_head.marginal = {0.5f, 0.2f, 0.1f};  // sums to 0.8
  CHECK(message_of(must_write(bad)).find("marginal") != std::string::npos);
}

TEST_CASE("explain gives each window event's drop in every next-action probability", "[action_head][explain]") {
  const ModelConfig c = test::tiny_config();
  Model m = test::random_model(c, 13, /*quantize=*/false);
  m.action_head = make_head(c.time_buckets);
  m.action_head.alpha = 0.8f;
  Session s(m);
  REQUIRE(s.record_index(3, 0, 100).ok());
  REQUIRE(s.record_index(7, 1, 160).ok());
  REQUIRE(s.record_index(9, 2, 5000).ok());
  std::vector<float> drops, actions;
  REQUIRE(s.explain({3, 7}, &drops, &actions).ok());
  REQUIRE(actions.size() == 3 * 3);
  float full[3];
  s.predictor().action_probs(full);
  const Token* toks = s.predictor().tokens();
  for (size_t j = 0; j < 3; ++j) {
    std::vector<Token> without;
    for (size_t i = 0; i < 3; ++i)
      if (i != j) without.push_back(toks[i]);
    Predictor p(m);
    REQUIRE(p.assign(without.data(), without.size()).ok());
    float part[3];
    p.action_probs(part);
    float sum = 0.0f;
    for (size_t a = 0; a < 3; ++a) {
      CHECK(actions[j * 3 + a] == Approx(full[a] - part[a]).margin(1e-6));
      sum += actions[j * 3 + a];
    }
    CHECK(sum == Approx(0.0f).margin(1e-5));
  }
  std::vector<float> only;
  REQUIRE(s.explain({3}, &only).ok());  // without the actions output: items only, unchanged
  CHECK(only.size() == 3);
}
