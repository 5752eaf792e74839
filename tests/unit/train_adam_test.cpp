// AdamW (bias-corrected update, decoupled decay on weight matrices only), gradient clipping, and
// a few AdamW steps through TrainGraph lowering the loss of a tiny random problem.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "test_util.h"
#include "train/adam.h"
#include "train/graph.h"

using namespace forecart;
using namespace forecart::train;

TEST_CASE("AdamW: first steps match the formula, and decay hits weight matrices only", "[train][adam]") {
  const ModelConfig c = test::tiny_config(5, 4, 1, 2, 3);
  ModelWeights w = ModelWeights::random(c, 1);
  for (float& x : w.arena) x += 0.5f;  // non-zero everywhere, so decay is visible
  AdamOptions o;
  o.lr = 0.01f;
  o.weight_decay = 0.1f;
  auto made = AdamW::create(w.layout, o);
  REQUIRE(made.ok());
  AdamW& adam = made.value();
  std::vector<float> g(w.arena.size());
  for (size_t i = 0; i < g.size(); ++i) g[i] = 0.01f * static_cast<float>(static_cast<int>(i % 7) - 3);
  const std::vector<float> p0 = w.arena;
  REQUIRE(adam.step(w.arena, g).ok());
  REQUIRE(adam.steps() == 1);
  for (const ParamTensor& t : w.layout.tensors) {
    const bool matrix = t.name.size() > 2 && t.name.compare(t.name.size() - 2, 2, "_w") == 0;
    for (size_t k = 0; k < t.size(); ++k) {
      const size_t i = t.offset + k;
      REQUIRE(adam.decays(i) == matrix);
      // Step 1: m_hat = g, v_hat = g^2, so the update is lr * g / (|g| + eps).
      const double decayed = matrix ? p0[i] * (1.0 - 0.01 * 0.1) : p0[i];
      const double expect = decayed - 0.01 * g[i] / (std::fabs(g[i]) + 1e-8);
      INFO(t.name << "[" << k << "]");
      REQUIRE(w.arena[i] == Approx(expect).margin(1e-6));
    }
  }
  // Step 2 with a zero gradient: m_hat = 0.9 m1 / (1 - 0.81), v_hat = 0.98 v1 / (1 - 0.98^2).
  const std::vector<float> p1 = w.arena;
  const std::vector<float> zero(g.size(), 0.0f);
  REQUIRE(adam.step(w.arena, zero, 0.02f).ok());
  const size_t i = w.layout.find("item_bias")->offset + 1;  // g = 0.01 * ((i % 7) - 3)
  const double m1 = 0.1 * g[i], v1 = 0.02 * g[i] * g[i];
  const double mh = 0.9 * m1 / (1 - 0.81), vh = 0.98 * v1 / (1 - 0.98 * 0.98);
  REQUIRE(w.arena[i] == Approx(p1[i] - 0.02 * mh / (std::sqrt(vh) + 1e-8)).margin(1e-6));

  AdamOptions emb = o;
  emb.decay_embeddings = true;
  auto with_emb = AdamW::create(w.layout, emb);
  REQUIRE(with_emb.ok());
  REQUIRE(with_emb.value().decays(w.layout.find("item_emb")->offset));
  REQUIRE(with_emb.value().decays(w.layout.find("pos_emb")->offset));
  REQUIRE(!with_emb.value().decays(w.layout.find("item_bias")->offset));
  REQUIRE(!with_emb.value().decays(w.layout.find("lnf_g")->offset));

  std::vector<float> short_grads(3);
  REQUIRE(adam.step(w.arena, short_grads).code() == StatusCode::kInvalidArgument);
  AdamOptions bad = o;
  bad.beta2 = 1.0f;
  REQUIRE(AdamW::create(w.layout, bad).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("clip_grad_norm returns the norm and rescales above the limit", "[train][adam]") {
  std::vector<float> g = {3.0f, 4.0f};
  REQUIRE(clip_grad_norm(g.data(), g.size(), 10.0) == Approx(5.0));
  REQUIRE(g[0] == 3.0f);
  REQUIRE(clip_grad_norm(g.data(), g.size(), 1.0) == Approx(5.0));
  REQUIRE(g[0] == Approx(0.6f));
  REQUIRE(g[1] == Approx(0.8f));
  REQUIRE(clip_grad_norm(g.data(), g.size(), 0.0) == Approx(1.0));  // 0 = no clipping
  g[1] = std::nanf("");
  REQUIRE(!std::isfinite(clip_grad_norm(g.data(), g.size(), 1.0)));
  REQUIRE(g[0] == Approx(0.6f));  // untouched
}

TEST_CASE("a few AdamW steps lower the loss of a tiny random problem", "[train][adam]") {
  const ModelConfig c = test::tiny_config(30, 16, 2, 2, 8);
  ModelWeights w = ModelWeights::random(c, 3);
  // A learnable pattern: the next item is (item * 7 + 3) mod 30 + 1, the next action item % 3.
  std::mt19937_64 rng(4);
  TrainBatch batch;
  for (int s = 0; s < 16; ++s) {
    const size_t n = 3 + rng() % 6;
    std::vector<Token> toks(n);
    std::vector<uint32_t> ni(n), na(n);
    uint32_t item = 1 + static_cast<uint32_t>(rng() % 30);
    for (size_t i = 0; i < n; ++i) {
      toks[i] = {item, static_cast<uint32_t>(rng() % 3), static_cast<uint32_t>(rng() % 12)};
      item = (item * 7 + 3) % 30 + 1;
      ni[i] = item;
      na[i] = item % 3;
    }
    batch.add_sequence(toks.data(), ni.data(), na.data(), n);
  }
  for (uint32_t neg : {0u, 10u}) {
    ModelWeights p = w;
    GraphOptions opt;
    opt.max_batch = 16;
    opt.dropout = 0.1f;
    opt.neg_samples = neg;
    opt.threads = 2;
    auto graph = TrainGraph::create(c, opt);
    REQUIRE(graph.ok());
    AdamOptions ao;
    ao.lr = 3e-3f;
    ao.weight_decay = 0.01f;
    auto adam = AdamW::create(p.layout, ao);
    REQUIRE(adam.ok());
    std::vector<float> grads(p.arena.size());
    StepStats before, after;
    // Measured with full softmax and without dropout, before and after.
    GraphOptions eval_opt;
    eval_opt.max_batch = 16;
    auto eval = TrainGraph::create(c, eval_opt);
    REQUIRE(eval.ok());
    REQUIRE(eval.value().step(p.arena, batch, false, nullptr, &before).ok());
    for (int step = 0; step < 40; ++step) {
      REQUIRE(graph.value().step(p.arena, batch, true, &grads, nullptr).ok());
      REQUIRE(std::isfinite(clip_grad_norm(grads.data(), grads.size(), 1.0)));
      REQUIRE(adam.value().step(p.arena, grads).ok());
    }
    REQUIRE(eval.value().step(p.arena, batch, false, nullptr, &after).ok());
    INFO("neg_samples " << neg << ": loss " << before.loss << " -> " << after.loss);
    REQUIRE(after.item_loss < 0.7 * before.item_loss);
    REQUIRE(after.action_loss < before.action_loss);
  }
}
