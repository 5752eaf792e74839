// Forward pass: the incremental (KV-cache) path equals a full recompute, also after the window
// slides; int8 scoring stays close to fp32; session filters and the popularity fallback.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "model/predictor.h"
#include "model/scorer.h"
#include "model/session.h"
#include "reference_forward.h"
#include "test_util.h"

using namespace forecart;
using forecart::test::random_model;
using forecart::test::tiny_config;

namespace {
struct Ev {
  uint32_t item, action;
  int64_t time;
};
std::vector<Ev> random_events(size_t n, const ModelConfig& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Ev> ev;
  int64_t t = 1'700'000'000;
  for (size_t i = 0; i < n; ++i) {
    t += static_cast<int64_t>(rng() % 100000);
    ev.push_back({static_cast<uint32_t>(rng() % c.vocab()), static_cast<uint32_t>(rng() % c.num_actions), t});
  }
  return ev;
}
}  // namespace

TEST_CASE("time buckets are log-spaced and capped", "[model]") {
  REQUIRE(time_bucket(-1, 100, 20) == 0);
  REQUIRE(time_bucket(100, -1, 20) == 0);
  REQUIRE(time_bucket(100, 100, 20) == 1);  // gap 0
  REQUIRE(time_bucket(100, 101, 20) == 2);  // gap 1 -> log2(2) = 1
  REQUIRE(time_bucket(100, 103, 20) == 3);  // gap 3 -> log2(4) = 2
  REQUIRE(time_bucket(100, 50, 20) == 1);   // clock went backwards: treated as no gap
  REQUIRE(time_bucket(0, int64_t(1) << 40, 20) == 19);
  REQUIRE(time_bucket(0, 5, 1) == 0);
}

TEST_CASE("incremental inference equals a full recompute, before and after sliding", "[model]") {
  for (bool quantize : {false, true}) {
    for (uint32_t layers : {1u, 2u, 3u}) {
      ModelConfig c = tiny_config(41, 16, layers, layers == 3 ? 4 : 2, 9);
      if (layers == 3) c.activation = Activation::kRelu;
      Model m = random_model(c, 11 + layers, quantize);
      Predictor p(m);
      auto ev = random_events(25, c, layers);  // 25 > max_len 9: the window slides in blocks 4 times
      std::vector<Token> window;
      std::vector<float> logits(c.vocab());
      int64_t prev = -1;
      for (size_t i = 0; i < ev.size(); ++i) {
        REQUIRE(p.push(ev[i].item, ev[i].action, ev[i].time).ok());
        if (window.size() == c.max_len) window.erase(window.begin(), window.end() - c.max_len / 2);  // block slide
        window.push_back({ev[i].item, ev[i].action, time_bucket(prev, ev[i].time, c.time_buckets)});
        prev = ev[i].time;
        REQUIRE(p.window() == window.size());
        const std::vector<float> ref = test::reference_forward(m, window);
        const float* last = ref.data() + (window.size() - 1) * c.dim;
        for (uint32_t j = 0; j < c.dim; ++j) REQUIRE(p.state()[j] == Approx(last[j]).margin(1e-5));
      }
      // The hidden state fully determines the heads: spot-check that logits use it.
      const Scorer scorer(m);
      scorer.logits(p, logits.data());
      for (uint32_t i = 0; i < c.vocab(); i += 7) REQUIRE(logits[i] == Approx(scorer.logit(p, i)).margin(1e-5));
    }
  }
}

TEST_CASE("reset forgets the history, and bad indices are rejected without changing state", "[model]") {
  ModelConfig c = tiny_config();
  Model m = random_model(c, 5, false);
  Predictor p(m);
  REQUIRE(p.push(3, 1, 100).ok());
  std::vector<float> s1(p.state(), p.state() + c.dim);
  REQUIRE(p.push(c.vocab(), 0, 200).code() == StatusCode::kInvalidArgument);
  REQUIRE(p.push(3, c.num_actions, 200).code() == StatusCode::kInvalidArgument);
  REQUIRE(p.window() == 1);
  for (uint32_t j = 0; j < c.dim; ++j) REQUIRE(p.state()[j] == s1[j]);
  p.reset();
  REQUIRE(p.empty());
  REQUIRE(p.push(3, 1, 100).ok());
  for (uint32_t j = 0; j < c.dim; ++j) REQUIRE(p.state()[j] == s1[j]);
}

TEST_CASE("int8 model predictions stay close to the fp32 model", "[model][quant]") {
  ModelConfig c = tiny_config(500, 32, 2, 2, 16);
  Model f = random_model(c, 9, false), q = random_model(c, 9, true);
  Session sf(f), sq(q);
  auto ev = random_events(10, c, 3);
  for (auto& e : ev) {
    REQUIRE(sf.record_index(e.item, e.action, e.time).ok());
    REQUIRE(sq.record_index(e.item, e.action, e.time).ok());
  }
  std::vector<uint32_t> all;
  for (uint32_t i = 1; i < c.vocab(); ++i) all.push_back(i);
  std::vector<float> pf, pq;
  sf.score_items(all, &pf);
  sq.score_items(all, &pq);
  // Probabilities: the int8 item table moves logits by a few hundredths at most here.
  for (size_t i = 0; i < all.size(); ++i) REQUIRE(std::fabs(std::log(pq[i]) - std::log(pf[i])) < 0.1);
  Prediction a, b;
  REQUIRE(sf.predict({10, {}, {}, -1}, &a).ok());
  REQUIRE(sq.predict({10, {}, {}, -1}, &b).ok());
  std::set<uint32_t> top_f, top_q;
  for (auto& s : a.items) top_f.insert(s.index);
  for (auto& s : b.items) top_q.insert(s.index);
  size_t overlap = 0;
  for (auto id : top_q) overlap += top_f.count(id);
  REQUIRE(overlap >= 8);
}

TEST_CASE("session: ids, filters, top-k order, probabilities and the popularity fallback", "[model][session]") {
  ModelConfig c = tiny_config(60);
  Model m = random_model(c, 21, true);
  Session s(m);

  Prediction pop;
  REQUIRE(s.predict({5, {}, {}, -1}, &pop).ok());
  REQUIRE(pop.from_popularity);
  REQUIRE(pop.items.size() == 5);
  for (size_t i = 0; i < 5; ++i) REQUIRE(pop.items[i].index == i + 1);  // popularity 1/(i+2) decreasing
  float asum = 0;
  for (float a : pop.actions) asum += a;
  REQUIRE(asum == Approx(1.0f));

  REQUIRE(s.record("sku-4", "view", 1000).ok());
  REQUIRE(s.record("not-in-catalogue", "cart", 1010).ok());  // unknown id maps to id 0
  REQUIRE(s.record("sku-9", "teleport", 1020).code() == StatusCode::kInvalidArgument);
  REQUIRE(s.predictor().window() == 2);
  REQUIRE(s.predictor().tokens()[1].item == 0);

  Prediction all;
  REQUIRE(s.predict({c.num_items, {}, {}, -1}, &all).ok());
  REQUIRE_FALSE(all.from_popularity);
  REQUIRE(all.items.size() == c.num_items);
  double total = 0;
  for (size_t i = 0; i < all.items.size(); ++i) {
    total += all.items[i].score;
    REQUIRE(all.items[i].index != 0);
    if (i) REQUIRE(all.items[i - 1].score >= all.items[i].score);
  }
  REQUIRE(total == Approx(1.0).epsilon(1e-4));

  Prediction ex;
  const uint32_t best = all.items[0].index, second = all.items[1].index;
  REQUIRE(s.predict({3, {best}, {}, -1}, &ex).ok());
  REQUIRE(ex.items[0].index == second);
  REQUIRE(ex.items[0].score == all.items[1].score);  // scores are before filters

  Prediction allow;
  REQUIRE(s.predict({10, {}, {7, 3, 3, 200, 0}, -1}, &allow).ok());  // duplicates, out of range, unknown id
  REQUIRE(allow.items.size() == 2);
  std::set<uint32_t> got{allow.items[0].index, allow.items[1].index};
  REQUIRE(got == std::set<uint32_t>{3, 7});

  Prediction cat;
  REQUIRE(s.predict({100, {}, {}, 1}, &cat).ok());
  REQUIRE(cat.items.size() == 20);
  for (auto& it : cat.items) REQUIRE(m.meta.item_category[it.index - 1] == 1);
  REQUIRE(s.predict({5, {}, {}, 3}, &cat).code() == StatusCode::kInvalidArgument);

  // Filters leave no residue: the same unfiltered call gives the same answer again.
  Prediction again;
  REQUIRE(s.predict({c.num_items, {}, {}, -1}, &again).ok());
  for (size_t i = 0; i < again.items.size(); ++i) REQUIRE(again.items[i].index == all.items[i].index);

  std::vector<float> scores;
  s.score_items({best, 0, 9999}, &scores);
  REQUIRE(scores[0] == all.items[0].score);
  REQUIRE(scores[1] == 0.0f);
  REQUIRE(scores[2] == 0.0f);
}

TEST_CASE("explain: the drop in logit when each event is left out, checked by recomputation", "[model][session]") {
  ModelConfig c = tiny_config(30, 16, 2, 2, 6);
  Model m = random_model(c, 33, false);
  Session s(m);
  auto ev = random_events(6, c, 5);  // fills max_len 6 exactly
  for (auto& e : ev) REQUIRE(s.record_index(e.item, e.action, e.time).ok());
  const size_t W = s.predictor().window();
  REQUIRE(W == 6);
  std::vector<uint32_t> items = {1, 5, 29};
  std::vector<float> drops;
  REQUIRE(s.explain(items, &drops).ok());
  REQUIRE(drops.size() == items.size() * W);
  std::vector<Token> toks(s.predictor().tokens(), s.predictor().tokens() + W);
  for (size_t j = 0; j < W; ++j) {
    std::vector<Token> rest;
    for (size_t i = 0; i < W; ++i)
      if (i != j) rest.push_back(toks[i]);
    // Independent path: full recompute of the shorter history, then the tied head by hand.
    const std::vector<float> hidden = test::reference_forward(m, rest);
    const float* h = hidden.data() + (rest.size() - 1) * c.dim;
    const float* bias = m.rest.arena.data() + m.rest.layout.find("item_bias")->offset;
    for (size_t i = 0; i < items.size(); ++i) {
      float logit = bias[items[i]];
      for (uint32_t k = 0; k < c.dim; ++k) logit += h[k] * m.items.f32[items[i] * c.dim + k];
      REQUIRE(drops[i * W + j] == Approx(Scorer(m).logit(s.predictor(), items[i]) - logit).margin(1e-4));
    }
  }
  bool any = false;
  for (float d : drops) any |= std::fabs(d) > 1e-3f;
  REQUIRE(any);
  REQUIRE(s.explain({c.vocab()}, &drops).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("status codes: every code below kNumStatusCodes has its own JS name, none past it") {
  std::set<std::string> names;
  for (int32_t i = 0; i < kNumStatusCodes; ++i) {
    const std::string name = status_code_name(static_cast<StatusCode>(i));
    REQUIRE(name != "unknown_status");
    REQUIRE(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
    names.insert(name);
  }
  REQUIRE(names.size() == static_cast<size_t>(kNumStatusCodes));
  REQUIRE(std::string(status_code_name(StatusCode::kOk)) == "ok");
  REQUIRE(std::string(status_code_name(static_cast<StatusCode>(kNumStatusCodes))) == "unknown_status");
}

TEST_CASE("admit_model_file: a file fits while kLoadMemoryFactor times its size fits the maximum") {
  const size_t max = 256u << 20;
  REQUIRE(admit_model_file(0, max).ok());
  REQUIRE(admit_model_file(static_cast<size_t>(max / kLoadMemoryFactor) - 1, max).ok());
  const Status refused = admit_model_file(static_cast<size_t>(max / kLoadMemoryFactor) + 1024, max);
  REQUIRE(refused.code() == StatusCode::kLimitExceeded);
  REQUIRE(refused.message().find("the maximum is 256 MiB") != std::string::npos);
}
