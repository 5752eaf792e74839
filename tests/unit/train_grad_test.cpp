// Trainer math: finite-difference checks of every backward (layers, embeddings, cross-entropy)
// and of the whole model through TrainGraph (full and sampled softmax, dropout), the training
// forward against the naive reference forward (reference_forward.h), determinism for a seed and thread count, and bad
// input.
//
// Finite differences: central, step h = 1e-3, on fp32 code with the objective summed in double.
// The fp32 rounding of the objective (about 1e-7 relative) divided by 2h gives an absolute noise
// floor near 1e-4 for the layer checks and 2e-4 for the whole model (tens of fp32 ops deep); the
// truncation error h^2/6 f''' is below 1e-6. So a check passes when
//   |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)
// with atol = 5e-4 and rtol = 1e-2 (layers) or atol = 1e-3 and rtol = 2e-2 (whole model). A wrong
// term in a backward is typically off by O(|gradient|), far outside these bounds.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "model/forward.h"
#include "model/layers.h"
#include "reference_forward.h"
#include "test_util.h"
#include "train/backward.h"
#include "train/graph.h"

using namespace forecart;
using namespace forecart::train;

namespace {

std::vector<float> randn(size_t n, uint64_t seed, float std = 1.0f, float mean = 0.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> dist(mean, std);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

double dot(const float* a, const float* b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

struct Tol {
  double atol, rtol;
};
constexpr Tol kLayerTol{5e-4, 1e-2};
constexpr Tol kModelTol{1e-3, 2e-2};
constexpr float kStep = 1e-3f;

// Central difference of f() with respect to *x.
double numeric_grad(float* x, const std::function<double()>& f) {
  const float saved = *x;
  *x = saved + kStep;
  const double fp = f();
  *x = saved - kStep;
  const double fm = f();
  *x = saved;
  return (fp - fm) / (2.0 * kStep);
}

// Checks analytic[i] against the numeric gradient for every i in `which` of buffer x.
void check_grads(const char* what, float* x, const float* analytic, const std::vector<size_t>& which,
                 const std::function<double()>& f, Tol tol) {
  for (size_t i : which) {
    const double num = numeric_grad(x + i, f);
    const double an = analytic[i];
    const double bound = tol.atol + tol.rtol * std::max(std::fabs(an), std::fabs(num));
    INFO(what << "[" << i << "]: analytic " << an << " numeric " << num);
    CHECK(std::fabs(an - num) <= bound);
  }
}

std::vector<size_t> all(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Layer backward passes. Each objective is L = sum(w * forward(...)) with random w, so the
// backward is run with dout = w.

TEST_CASE("layernorm_backward matches finite differences", "[train][grad]") {
  const size_t T = 3, C = 8;
  auto inp = randn(T * C, 1, 1.5f, 0.3f), g = randn(C, 2, 0.5f, 1.0f), b = randn(C, 3, 0.5f), w = randn(T * C, 4);
  std::vector<float> out(T * C), mean(T), rstd(T);
  auto f = [&] {
    layernorm_forward(out.data(), mean.data(), rstd.data(), inp.data(), g.data(), b.data(), T, C, 1e-5f);
    return dot(w.data(), out.data(), T * C);
  };
  f();
  std::vector<float> dinp(T * C, 0.0f), dg(C, 0.0f), db(C, 0.0f);
  layernorm_backward(dinp.data(), dg.data(), db.data(), w.data(), inp.data(), g.data(), mean.data(), rstd.data(), T, C);
  check_grads("dinp", inp.data(), dinp.data(), all(T * C), f, kLayerTol);
  check_grads("dg", g.data(), dg.data(), all(C), f, kLayerTol);
  check_grads("db", b.data(), db.data(), all(C), f, kLayerTol);
}

TEST_CASE("linear_backward matches finite differences, and the GEMM forward matches linear_forward", "[train][grad]") {
  const size_t T = 4, C = 5, OC = 7;
  auto inp = randn(T * C, 5), W = randn(OC * C, 6, 0.5f), bias = randn(OC, 7), w = randn(T * OC, 8);
  std::vector<float> out(T * OC), ref(T * OC);
  linear_forward_gemm(out.data(), inp.data(), W.data(), bias.data(), T, C, OC);
  linear_forward(ref.data(), inp.data(), W.data(), bias.data(), T, C, OC);
  for (size_t i = 0; i < T * OC; ++i) REQUIRE(out[i] == Approx(ref[i]).margin(1e-5));
  auto f = [&] {
    linear_forward_gemm(out.data(), inp.data(), W.data(), bias.data(), T, C, OC);
    return dot(w.data(), out.data(), T * OC);
  };
  std::vector<float> dinp(T * C, 0.0f), dW(OC * C, 0.0f), db(OC, 0.0f);
  linear_backward(dinp.data(), dW.data(), db.data(), w.data(), inp.data(), W.data(), T, C, OC);
  check_grads("dinp", inp.data(), dinp.data(), all(T * C), f, kLayerTol);
  check_grads("dW", W.data(), dW.data(), all(OC * C), f, kLayerTol);
  check_grads("dbias", bias.data(), db.data(), all(OC), f, kLayerTol);

  // Accumulates: a second call doubles every gradient.
  auto dinp2 = dinp, dW2 = dW, db2 = db;
  linear_backward(dinp2.data(), dW2.data(), db2.data(), w.data(), inp.data(), W.data(), T, C, OC);
  for (size_t i = 0; i < dW.size(); ++i) REQUIRE(dW2[i] == Approx(2.0f * dW[i]).margin(1e-6));
  for (size_t i = 0; i < dinp.size(); ++i) REQUIRE(dinp2[i] == Approx(2.0f * dinp[i]).margin(1e-6));
}

TEST_CASE("attention_backward matches finite differences (causal, 2 heads)", "[train][grad]") {
  const size_t T = 5, C = 8, NH = 2;
  auto qkv = randn(T * 3 * C, 9), w = randn(T * C, 10);
  std::vector<float> out(T * C), att(NH * T * T);
  auto f = [&] {
    attention_forward(out.data(), att.data(), qkv.data(), 3 * C, qkv.data() + C, qkv.data() + 2 * C, 3 * C, T, 0, C,
                      NH);
    return dot(w.data(), out.data(), T * C);
  };
  f();
  std::vector<float> dqkv(T * 3 * C, 0.0f);
  attention_backward(dqkv.data(), w.data(), qkv.data(), att.data(), T, C, NH);
  check_grads("dqkv", qkv.data(), dqkv.data(), all(T * 3 * C), f, kLayerTol);
  // The last token's key and value reach nothing but its own output.
  auto w_last = w;
  std::fill(w_last.begin() + (T - 1) * C, w_last.end(), 0.0f);
  std::vector<float> d2(T * 3 * C, 0.0f);
  attention_backward(d2.data(), w_last.data(), qkv.data(), att.data(), T, C, NH);
  for (size_t i = C; i < 3 * C; ++i) REQUIRE(d2[(T - 1) * 3 * C + i] == 0.0f);
}

TEST_CASE("gelu_backward and relu_backward match finite differences", "[train][grad]") {
  std::vector<float> x;
  for (int i = -40; i <= 40; ++i) x.push_back(0.1f * static_cast<float>(i) + 0.013f);  // never exactly 0
  const size_t n = x.size();
  auto w = randn(n, 11);
  std::vector<float> y(n);
  auto fg = [&] {
    gelu_forward(y.data(), x.data(), n);
    return dot(w.data(), y.data(), n);
  };
  std::vector<float> yv(n);
  gelu_forward_vec(yv.data(), x.data(), n);
  gelu_forward(y.data(), x.data(), n);
  for (size_t i = 0; i < n; ++i) REQUIRE(yv[i] == Approx(y[i]).margin(1e-6));
  std::vector<float> dx(n, 0.0f);
  gelu_backward(dx.data(), x.data(), w.data(), n);
  check_grads("gelu", x.data(), dx.data(), all(n), fg, kLayerTol);

  auto fr = [&] {
    relu_forward(y.data(), x.data(), n);
    return dot(w.data(), y.data(), n);
  };
  std::fill(dx.begin(), dx.end(), 0.0f);
  relu_backward(dx.data(), x.data(), w.data(), n);
  check_grads("relu", x.data(), dx.data(), all(n), fr, kLayerTol);
}

TEST_CASE("embedding_backward scatter-adds repeated ids", "[train][grad]") {
  const size_t C = 4, V = 6, A = 3, TB = 5, P = 4;
  auto item = randn(V * C, 12), action = randn(A * C, 13), time = randn(TB * C, 14), pos = randn(P * C, 15);
  const std::vector<Token> tokens = {{2, 0, 0}, {5, 1, 3}, {2, 1, 4}, {0, 2, 1}, {2, 0, 3}};
  const std::vector<uint32_t> positions = {0, 1, 2, 0, 1};  // two sequences
  const size_t T = tokens.size();
  auto w = randn(T * C, 16);
  auto f = [&] {
    double s = 0.0;
    for (size_t t = 0; t < T; ++t)
      for (size_t i = 0; i < C; ++i) {
        const float x = item[tokens[t].item * C + i] + action[tokens[t].action * C + i] +
                        time[tokens[t].time_bucket * C + i] + pos[positions[t] * C + i];
        s += static_cast<double>(w[t * C + i]) * x;
      }
    return s;
  };
  std::vector<float> di(V * C, 0.0f), da(A * C, 0.0f), dt(TB * C, 0.0f), dp(P * C, 0.0f);
  embedding_backward(di.data(), da.data(), dt.data(), dp.data(), w.data(), tokens.data(), positions.data(), T, C);
  check_grads("ditem", item.data(), di.data(), all(V * C), f, kLayerTol);
  check_grads("daction", action.data(), da.data(), all(A * C), f, kLayerTol);
  check_grads("dtime", time.data(), dt.data(), all(TB * C), f, kLayerTol);
  check_grads("dpos", pos.data(), dp.data(), all(P * C), f, kLayerTol);
  // Item 2 is used three times: its gradient is the sum of three rows of w.
  for (size_t i = 0; i < C; ++i) REQUIRE(di[2 * C + i] == Approx(w[i] + w[2 * C + i] + w[4 * C + i]));
  for (size_t i = 0; i < C; ++i) REQUIRE(di[1 * C + i] == 0.0f);  // unused row
}

TEST_CASE("softmax cross-entropy: loss, gradient, masked logits", "[train][grad]") {
  const size_t n = 7, target = 3;
  auto z = randn(n, 17, 2.0f);
  z[5] = -std::numeric_limits<float>::infinity();  // masked: no mass
  auto loss_of = [&] {
    std::vector<float> tmp = z;
    return softmax_xent_backward_inplace(tmp.data(), n, target, 1.0f);
  };
  double ref = 0.0, mx = -1e30;
  for (size_t i = 0; i < n; ++i)
    if (i != 5) mx = std::max(mx, static_cast<double>(z[i]));
  for (size_t i = 0; i < n; ++i)
    if (i != 5) ref += std::exp(z[i] - mx);
  ref = std::log(ref) + mx - z[target];
  REQUIRE(loss_of() == Approx(ref).epsilon(1e-6));
  std::vector<float> g = z;
  softmax_xent_backward_inplace(g.data(), n, target, 0.5f);
  REQUIRE(std::fabs(g[5]) < 1e-30f);  // no mass that fp32 can see
  for (float& v : g) v *= 2.0f;       // undo the scale
  std::vector<size_t> which = {0, 1, 2, 3, 4, 6};
  check_grads("dz", z.data(), g.data(), which, loss_of, kLayerTol);
}

// ---------------------------------------------------------------------------------------------
// The whole model.

namespace {

ModelConfig grad_config() {
  ModelConfig c = test::tiny_config(/*items=*/37, /*dim=*/16, /*layers=*/2, /*heads=*/2, /*max_len=*/12);
  c.num_actions = 3;
  return c;
}

// Random weights with std 0.3 (outputs far from uniform) and non-trivial LayerNorm gains/biases,
// so that every term of every backward matters.
ModelWeights grad_weights(const ModelConfig& c, uint64_t seed) {
  ModelWeights w = ModelWeights::random(c, seed);
  std::mt19937_64 rng(seed + 1);
  std::normal_distribution<float> n01(0.0f, 1.0f);
  for (const auto& t : w.layout.tensors) {
    const bool gain = t.name.size() >= 2 && t.name.compare(t.name.size() - 2, 2, "_g") == 0;
    const bool bias = t.rows == 1 && !gain;
    for (size_t i = 0; i < t.size(); ++i) {
      float& x = w.arena[t.offset + i];
      x = gain ? 1.0f + 0.2f * n01(rng) : bias ? 0.1f * n01(rng) : 15.0f * x;
    }
  }
  return w;
}

// Four sequences (lengths 5, 12, 1, 7): item 0 (unknown) appears as an input; item 30 only as an
// input, item 7 only as a target; some positions have no target.
TrainBatch grad_batch(const ModelConfig& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  TrainBatch b;
  for (size_t len : {5, 12, 1, 7}) {
    std::vector<Token> toks(len);
    std::vector<uint32_t> ni(len), na(len);
    for (size_t i = 0; i < len; ++i) {
      uint32_t item = 1 + static_cast<uint32_t>(rng() % 20);
      if (item == 7) item = 30;
      toks[i] = {item, static_cast<uint32_t>(rng() % c.num_actions), static_cast<uint32_t>(rng() % c.time_buckets)};
      ni[i] = 1 + static_cast<uint32_t>(rng() % 25);
      if (ni[i] == 30) ni[i] = 7;
      na[i] = static_cast<uint32_t>(rng() % c.num_actions);
    }
    if (len > 2) {
      toks[1].item = 0;
      ni[len - 2] = 0;  // no target here
      ni[0] = 7;
    }
    b.add_sequence(toks.data(), ni.data(), na.data(), len);
  }
  return b;
}

// Parameter entries to check: 3 random ones in every tensor, plus item_emb rows used as an
// input only (30), as a target only (7), the unknown id's row (0) and a row never used (36).
std::vector<std::pair<std::string, size_t>> entries_to_check(const ModelWeights& w, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<std::string, size_t>> out;
  for (const auto& t : w.layout.tensors)
    for (int k = 0; k < 3; ++k) out.emplace_back(t.name, t.offset + rng() % t.size());
  const size_t d = w.config.dim;
  for (size_t row : {30, 7, 0, 36})
    for (size_t i : {size_t{0}, d / 2, d - 1}) out.emplace_back("item_emb row " + std::to_string(row), row * d + i);
  for (size_t row : {30, 7, 0})
    out.emplace_back("item_bias " + std::to_string(row), w.layout.find("item_bias")->offset + row);
  return out;
}

void check_model_grads(const GraphOptions& opt, bool training, uint64_t seed) {
  const ModelConfig c = grad_config();
  ModelWeights w = grad_weights(c, seed);
  const TrainBatch batch = grad_batch(c, seed + 7);
  auto made = TrainGraph::create(c, opt);
  REQUIRE(made.ok());
  TrainGraph& graph = made.value();
  std::vector<float> grads(w.arena.size());
  StepStats st;
  graph.set_step_count(5);
  REQUIRE(graph.step(w.arena, batch, training, &grads, &st).ok());
  REQUIRE(st.positions > 0);
  REQUIRE(std::isfinite(st.loss));
  auto f = [&] {
    graph.set_step_count(5);  // same dropout masks and negatives every time
    StepStats s;
    REQUIRE(graph.step(w.arena, batch, training, nullptr, &s).ok());
    return s.loss;
  };
  REQUIRE(f() == st.loss);  // the no-gradient pass computes the same loss
  size_t nonzero = 0;
  for (const auto& [name, i] : entries_to_check(w, seed + 3)) {
    const double num = numeric_grad(&w.arena[i], f);
    const double an = grads[i];
    nonzero += an != 0.0;
    INFO(name << " [arena " << i << "]: analytic " << an << " numeric " << num);
    CHECK(std::fabs(an - num) <= kModelTol.atol + kModelTol.rtol * std::max(std::fabs(an), std::fabs(num)));
  }
  CHECK(nonzero > 60);  // the check is not vacuous
}

}  // namespace

TEST_CASE("TrainGraph gradients match finite differences: full softmax", "[train][grad]") {
  GraphOptions opt;
  opt.max_batch = 4;
  opt.action_weight = 0.7f;
  check_model_grads(opt, /*training=*/false, 100);
}

TEST_CASE("TrainGraph gradients match finite differences: sampled softmax", "[train][grad]") {
  GraphOptions opt;
  opt.max_batch = 4;
  opt.neg_samples = 12;  // with replacement: duplicates and accidental hits happen at V = 38
  check_model_grads(opt, /*training=*/false, 200);
}

TEST_CASE("TrainGraph gradients match finite differences: dropout, 2 threads", "[train][grad]") {
  GraphOptions opt;
  opt.max_batch = 4;
  opt.dropout = 0.2f;
  opt.threads = 2;
  check_model_grads(opt, /*training=*/true, 300);
}

// The trainer's forward differs from inference only in summation order (Eigen GEMMs instead of
// per-row gemv, Eigen's vectorised tanh in GELU): equal within 1e-4 per hidden value (LayerNorm'd,
// so values are O(1)); both also match the naive double-precision reference.
TEST_CASE("TrainGraph forward equals the inference forward at dropout 0", "[train]") {
  const ModelConfig c = grad_config();
  for (Activation act : {Activation::kGelu, Activation::kRelu}) {
    ModelConfig cc = c;
    cc.activation = act;
    ModelWeights w = grad_weights(cc, 11);
    ModelMeta meta;
    meta.action_names = {"view", "cart", "purchase"};
    for (uint32_t i = 0; i < cc.num_items; ++i) meta.item_ids.push_back("sku-" + std::to_string(i + 1));
    meta.popularity.assign(cc.num_items, 1.0f / static_cast<float>(cc.num_items));
    const Model m = Model::from_weights(w, meta, /*quantize=*/false);
    const TrainBatch batch = grad_batch(cc, 12);
    for (uint32_t threads : {1u, 3u}) {
      GraphOptions opt;
      opt.max_batch = 4;
      opt.threads = threads;
      opt.dropout = 0.3f;  // not applied: training = false
      auto made = TrainGraph::create(cc, opt);
      REQUIRE(made.ok());
      REQUIRE(made.value().step(w.arena, batch, /*training=*/false, nullptr, nullptr).ok());
      const float* hidden = made.value().hidden();
      for (size_t s = 0; s < batch.size(); ++s) {
        const size_t o = batch.offsets[s], n = batch.offsets[s + 1] - o;
        const std::vector<Token> toks(batch.tokens.begin() + o, batch.tokens.begin() + o + n);
        const std::vector<float> ref = test::reference_forward(m, toks);
        KvCache cache(m.config);
        ForwardScratch scratch(m.config);
        std::vector<float> inf(n * cc.dim);
        const ParamView pv = ParamView::bind(m.rest.layout, const_cast<float*>(m.rest.arena.data()));
        forward_tokens(m, pv, toks.data(), n, 0, &cache, &scratch, inf.data());
        for (size_t i = 0; i < n * cc.dim; ++i) {
          REQUIRE(hidden[o * cc.dim + i] == Approx(inf[i]).margin(1e-4));
          REQUIRE(inf[i] == Approx(ref[i]).margin(1e-5));
        }
      }
    }
  }
}

TEST_CASE("TrainGraph: the unknown id never gets head gradient, and no-target positions give none", "[train]") {
  const ModelConfig c = grad_config();
  ModelWeights w = grad_weights(c, 21);
  TrainBatch b;
  const std::vector<Token> toks = {{3, 0, 0}, {4, 1, 2}, {5, 2, 3}};
  const std::vector<uint32_t> ni = {4, 5, 0}, na = {1, 2, 0};
  b.add_sequence(toks.data(), ni.data(), na.data(), 3);
  for (uint32_t neg : {0u, 8u}) {
    GraphOptions opt;
    opt.max_batch = 2;
    opt.neg_samples = neg;
    auto made = TrainGraph::create(c, opt);
    REQUIRE(made.ok());
    std::vector<float> grads(w.arena.size());
    StepStats st;
    REQUIRE(made.value().step(w.arena, b, false, &grads, &st).ok());
    REQUIRE(st.positions == 2);
    ParamView g = ParamView::bind(w.layout, grads.data());
    for (size_t i = 0; i < c.dim; ++i) REQUIRE(g.item_emb[i] == 0.0f);
    REQUIRE(g.item_bias[0] == 0.0f);
    // Token 2 has no target and, causally, is seen by no position with one: nothing reaches its
    // position embedding.
    for (size_t i = 0; i < c.dim; ++i) REQUIRE(g.pos_emb[2 * c.dim + i] == 0.0f);
  }
  // A batch without any target: zero loss, zero gradients.
  TrainBatch none;
  const std::vector<uint32_t> zeros(3, 0);
  none.add_sequence(toks.data(), zeros.data(), zeros.data(), 3);
  auto made = TrainGraph::create(c, GraphOptions{});
  REQUIRE(made.ok());
  std::vector<float> grads(w.arena.size(), 1.0f);
  StepStats st;
  REQUIRE(made.value().step(w.arena, none, true, &grads, &st).ok());
  REQUIRE(st.loss == 0.0);
  for (float x : grads) REQUIRE(x == 0.0f);
}

TEST_CASE("TrainGraph is deterministic for a seed and thread count", "[train]") {
  const ModelConfig c = grad_config();
  ModelWeights w = grad_weights(c, 31);
  TrainBatch batch;
  for (int k = 0; k < 3; ++k) {
    const TrainBatch part = grad_batch(c, 40 + k);
    for (size_t s = 0; s < part.size(); ++s) {
      const size_t o = part.offsets[s], n = part.offsets[s + 1] - o;
      batch.add_sequence(part.tokens.data() + o, part.target_item.data() + o, part.target_action.data() + o, n);
    }
  }
  auto run = [&](uint32_t threads, uint32_t neg) {
    GraphOptions opt;
    opt.max_batch = 16;
    opt.threads = threads;
    opt.dropout = 0.1f;
    opt.neg_samples = neg;
    opt.seed = 77;
    auto made = TrainGraph::create(c, opt);
    REQUIRE(made.ok());
    std::vector<float> grads(w.arena.size());
    for (int step = 0; step < 2; ++step) REQUIRE(made.value().step(w.arena, batch, true, &grads, nullptr).ok());
    return grads;
  };
  for (uint32_t neg : {0u, 10u}) {
    const auto a1 = run(1, neg), b1 = run(1, neg), a2 = run(2, neg), b2 = run(2, neg);
    REQUIRE(std::memcmp(a1.data(), b1.data(), a1.size() * sizeof(float)) == 0);
    REQUIRE(std::memcmp(a2.data(), b2.data(), a2.size() * sizeof(float)) == 0);
    // Across thread counts only the summation order differs (same masks, same negatives).
    for (size_t i = 0; i < a1.size(); ++i) REQUIRE(a1[i] == Approx(a2[i]).margin(1e-5).epsilon(1e-4));
  }
}

TEST_CASE("TrainGraph rejects bad input with a status", "[train]") {
  const ModelConfig c = grad_config();
  ModelWeights w = grad_weights(c, 51);
  GraphOptions opt;
  opt.max_batch = 2;
  auto made = TrainGraph::create(c, opt);
  REQUIRE(made.ok());
  TrainGraph& g = made.value();
  std::vector<float> grads(w.arena.size());
  auto expect_bad = [&](const TrainBatch& b) {
    const Status st = g.step(w.arena, b, true, &grads, nullptr);
    REQUIRE(st.code() == StatusCode::kInvalidArgument);
  };
  const std::vector<Token> toks(13, Token{1, 0, 0});
  const std::vector<uint32_t> ni(13, 2), na(13, 0);
  TrainBatch b;
  b.add_sequence(toks.data(), ni.data(), na.data(), 13);  // longer than max_len 12
  expect_bad(b);
  b.clear();
  for (int i = 0; i < 3; ++i) b.add_sequence(toks.data(), ni.data(), na.data(), 2);  // 3 > max_batch
  expect_bad(b);
  b.clear();
  b.add_sequence(toks.data(), ni.data(), na.data(), 2);
  b.tokens[0].item = c.vocab();
  expect_bad(b);
  b.tokens[0].item = 1;
  b.tokens[1].time_bucket = c.time_buckets;
  expect_bad(b);
  b.tokens[1].time_bucket = 0;
  b.target_action[0] = c.num_actions;
  expect_bad(b);
  b.target_action[0] = 0;
  b.target_item[1] = c.vocab();
  expect_bad(b);
  b.target_item[1] = 3;
  REQUIRE(g.step(w.arena, b, true, &grads, nullptr).ok());
  std::vector<float> short_params(10);
  REQUIRE(g.step(short_params, b, true, &grads, nullptr).code() == StatusCode::kInvalidArgument);

  opt.dropout = 1.0f;
  REQUIRE(TrainGraph::create(c, opt).status().code() == StatusCode::kInvalidArgument);
  opt.dropout = 0.0f;
  opt.threads = 0;
  REQUIRE(TrainGraph::create(c, opt).status().code() == StatusCode::kInvalidArgument);
  ModelConfig bad = c;
  bad.heads = 3;
  REQUIRE(!TrainGraph::create(bad, GraphOptions{}).ok());
}

TEST_CASE(
    "TrainGraph with an action prior: a fixed offset in the loss, and detached the action loss trains the head only",
    "[train][grad][action_head]") {
  const ModelConfig c = grad_config();
  ModelWeights w = grad_weights(c, 51);
  const TrainBatch batch = grad_batch(c, 58);
  ActionHead head;  // random normalised rows over (action, bucket)
  head.actions = c.num_actions;
  head.buckets = c.time_buckets;
  head.marginal = {0.5f, 0.3f, 0.2f};
  std::mt19937_64 rng(5);
  for (size_t r = 0; r < static_cast<size_t>(c.num_actions) * c.time_buckets; ++r) {
    const float p0 = 0.1f + 0.8f * static_cast<float>(rng() % 1000) / 1000.0f, p1 = (1.0f - p0) * 0.7f;
    for (float p : {p0, p1, 1.0f - p0 - p1}) head.log_prior.push_back(std::log(p));
  }
  REQUIRE(head.validate(c.num_actions, c.time_buckets).ok());
  auto run = [&](bool prior, bool detached, float action_weight, std::vector<float>* grads) {
    GraphOptions opt;
    opt.max_batch = 8;
    opt.action_weight = action_weight;
    opt.action_detached = detached;
    auto made = TrainGraph::create(c, opt);
    REQUIRE(made.ok());
    if (prior) made.value().set_action_prior(head);
    StepStats st;
    REQUIRE(made.value().step(w.arena, batch, false, grads, &st).ok());
    return st.action_loss;
  };
  std::vector<float> g_full(w.arena.size()), g_detached(w.arena.size()), g_none(w.arena.size());
  const double plain = run(false, false, 0.5f, nullptr);
  const double with_prior = run(true, false, 0.5f, &g_full);
  CHECK(with_prior != plain);
  // The prior's gradient check: action_b by finite differences of the loss with the prior.
  const size_t ab = w.layout.find("action_b")->offset;
  std::vector<float> unused(w.arena.size());
  for (size_t a = 0; a < c.num_actions; ++a) {
    const double num = numeric_grad(&w.arena[ab + a], [&] { return 0.5 * run(true, false, 0.5f, nullptr); });
    CHECK(g_full[ab + a] == Approx(num).margin(1e-3));
  }
  run(true, true, 0.5f, &g_detached);
  run(true, false, 0.0f, &g_none);  // no action loss at all
  const auto* aw = w.layout.find("action_w");
  size_t head_params = 0;
  for (size_t i = 0; i < w.arena.size(); ++i) {
    const bool in_head = (i >= aw->offset && i < aw->offset + aw->size()) || (i >= ab && i < ab + c.num_actions);
    if (in_head) {
      head_params += g_detached[i] != 0.0f;
      REQUIRE(g_detached[i] == Approx(g_full[i]).margin(1e-6));  // the head's own gradient is unchanged
    } else {
      REQUIRE(g_detached[i] == Approx(g_none[i]).margin(1e-6));  // nothing else sees the action loss
    }
  }
  CHECK(head_params > 0);
}
