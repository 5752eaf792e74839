#include "train/eval.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>

#include "kernels/kernels.h"
#include "kernels/xnnpack_scorer.h"
#include "model/predictor.h"

namespace forecart::train {

namespace {

// One evaluation case: a held-out user's history (vocab ids) and target.
struct Case {
  uint32_t user = 0;
  uint32_t target = 0;         // vocab id, 0 when unknown to the model
  uint32_t target_action = 0;  // model action index
  uint32_t last_action = 0;    // action of the newest history event
  size_t history_len = 0;
};

struct Accum {
  double hr10 = 0, ndcg10 = 0, recall20 = 0, mrr20 = 0, s_hr10 = 0, s_ndcg10 = 0;
  void add_full(size_t rank) {
    if (rank <= 10) {
      hr10 += 1;
      ndcg10 += 1.0 / std::log2(static_cast<double>(rank) + 1.0);
    }
    if (rank <= 20) {
      recall20 += 1;
      mrr20 += 1.0 / static_cast<double>(rank);
    }
  }
  void add_sampled(size_t rank) {
    if (rank <= 10) {
      s_hr10 += 1;
      s_ndcg10 += 1.0 / std::log2(static_cast<double>(rank) + 1.0);
    }
  }
  void merge(const Accum& o) {
    hr10 += o.hr10; ndcg10 += o.ndcg10; recall20 += o.recall20; mrr20 += o.mrr20;
    s_hr10 += o.s_hr10; s_ndcg10 += o.s_ndcg10;
  }
  MethodReport report(size_t n) const {
    const double d = n ? static_cast<double>(n) : 1.0;
    return {{hr10 / d, ndcg10 / d, recall20 / d, mrr20 / d}, {s_hr10 / d, s_ndcg10 / d}};
  }
};

// Pessimistic rank of the target among all catalogue items (ids 1..V-1), skipping masked ones.
size_t full_rank(const float* scores, size_t V, uint32_t target, const std::vector<uint8_t>* masked) {
  if (target == 0) return V;  // unknown target: a miss
  const float ts = scores[target];
  size_t above = 0;
  for (size_t i = 1; i < V; ++i) {
    if (i == target || (masked && (*masked)[i])) continue;
    above += scores[i] >= ts;
  }
  return above + 1;
}

size_t sampled_rank(const float* scores, uint32_t target, const std::vector<uint32_t>& negatives) {
  if (target == 0) return negatives.size() + 1;
  size_t above = 0;
  for (uint32_t n : negatives) above += scores[n] >= scores[target];
  return above + 1;
}

// Accuracy, macro-F1 over classes that occur (as target or prediction), purchase AUC.
ActionMetrics action_metrics(const std::vector<uint32_t>& truth, const std::vector<uint32_t>& pred,
                             const std::vector<float>& purchase_score, int purchase, size_t classes) {
  ActionMetrics m;
  if (truth.empty()) return m;
  std::vector<double> tp(classes, 0), fp(classes, 0), fn(classes, 0);
  size_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] == pred[i]) {
      ++correct;
      tp[truth[i]] += 1;
    } else {
      fp[pred[i]] += 1;
      fn[truth[i]] += 1;
    }
  }
  m.accuracy = static_cast<double>(correct) / static_cast<double>(truth.size());
  double f1_sum = 0;
  size_t present = 0;
  for (size_t c = 0; c < classes; ++c) {
    if (tp[c] + fp[c] + fn[c] == 0) continue;
    ++present;
    f1_sum += 2 * tp[c] / (2 * tp[c] + fp[c] + fn[c]);
  }
  m.macro_f1 = present ? f1_sum / static_cast<double>(present) : 0.0;
  if (purchase >= 0 && !purchase_score.empty()) {
    // Mann-Whitney U with average ranks for ties.
    std::vector<size_t> idx(truth.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return purchase_score[a] < purchase_score[b]; });
    double pos = 0, rank_sum = 0;
    for (size_t i = 0; i < idx.size();) {
      size_t j = i;
      while (j < idx.size() && purchase_score[idx[j]] == purchase_score[idx[i]]) ++j;
      const double avg = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
      for (size_t k = i; k < j; ++k)
        if (truth[idx[k]] == static_cast<uint32_t>(purchase)) {
          rank_sum += avg;
          pos += 1;
        }
      i = j;
    }
    const double neg = static_cast<double>(truth.size()) - pos;
    if (pos > 0 && neg > 0) m.purchase_auc = (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
  }
  return m;
}

int find_purchase_action(const std::vector<std::string>& names) {
  for (const char* want : {"purchase", "buy", "order", "orders", "purchases"})
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == want) return static_cast<int>(i);
  return -1;
}

// Runs fn(begin, end, thread_index) over [0, n) split into `threads` contiguous chunks.
template <typename Fn>
void parallel_chunks(size_t n, size_t threads, Fn fn) {
  threads = std::max<size_t>(1, std::min(threads, n));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    const size_t b = n * t / threads, e = n * (t + 1) / threads;
    if (t + 1 == threads) {
      fn(b, e, t);
    } else {
      pool.emplace_back(fn, b, e, t);
    }
  }
  for (auto& th : pool) th.join();
}

}  // namespace

Result<EvalReport> evaluate(const Model& model, const data::Dataset& ds, const EvalOptions& opts) {
  const ModelConfig& c = model.config;
  const size_t V = c.vocab(), d = c.dim;
  // Map the data onto the model's vocabulary and actions.
  std::vector<uint32_t> item_map(ds.item_ids.size());
  for (size_t i = 0; i < ds.item_ids.size(); ++i) item_map[i] = model.item_index(ds.item_ids[i]);
  std::vector<uint32_t> action_map(ds.action_names.size());
  for (size_t a = 0; a < ds.action_names.size(); ++a) {
    const auto& names = model.meta.action_names;
    auto it = std::find(names.begin(), names.end(), ds.action_names[a]);
    if (it == names.end())
      return invalid_argument("the data has action '" + ds.action_names[a] + "' which the model does not know");
    action_map[a] = static_cast<uint32_t>(it - names.begin());
  }

  const data::Split split = data::make_split(ds);
  std::vector<uint32_t> users = split.users;
  if (opts.max_users && users.size() > opts.max_users) {
    std::vector<uint32_t> sub;
    for (size_t i = 0; i < opts.max_users; ++i) sub.push_back(users[i * users.size() / opts.max_users]);
    users.swap(sub);
  }
  if (users.empty()) return invalid_argument("no user has 3 or more events: nothing to evaluate");

  EvalReport rep;
  rep.users = users.size();
  rep.items = c.num_items;
  rep.has_actions = c.num_actions > 1;

  std::vector<Case> cases(users.size());
  for (size_t u = 0; u < users.size(); ++u) {
    const auto& seq = ds.sequences[users[u]];
    const size_t ti = data::target_index(seq, opts.fold);
    cases[u] = {users[u], item_map[seq[ti].item], action_map[seq[ti].action], action_map[seq[ti - 1].action], ti};
    rep.unknown_targets += cases[u].target == 0;
  }

  // 1. States of every user (threads, one Predictor each).
  std::vector<float> states(users.size() * d), action_probs(users.size() * c.num_actions);
  parallel_chunks(users.size(), opts.threads, [&](size_t b, size_t e, size_t) {
    Predictor p(model);
    for (size_t u = b; u < e; ++u) {
      const auto& seq = ds.sequences[cases[u].user];
      const size_t n = cases[u].history_len, start = n > c.max_len ? n - c.max_len : 0;
      p.reset();
      if (start > 0) p.set_previous_time(seq[start - 1].time);
      for (size_t i = start; i < n; ++i) (void)p.push(item_map[seq[i].item], action_map[seq[i].action], seq[i].time);
      std::copy(p.state(), p.state() + d, states.begin() + u * d);
      p.action_probs(action_probs.data() + u * c.num_actions);
    }
  });

  // 2. Baseline tables from the training part of the data (never the held-out events).
  std::vector<double> popularity(V, 0.0);
  std::vector<std::vector<std::pair<uint32_t, float>>> cooc(V);
  if (opts.baselines) {
    std::vector<std::pair<uint64_t, float>> pairs;
    for (const auto& seq : ds.sequences) {
      const size_t n = data::train_prefix_len(seq);
      for (size_t i = 0; i < n; ++i) {
        const uint32_t a = item_map[seq[i].item];
        popularity[a] += 1;
        for (size_t j = i + 1; j < n && j <= i + 3; ++j) {  // what follows within 3 steps, nearer counts more
          const uint32_t b = item_map[seq[j].item];
          if (a && b && a != b) pairs.push_back({(uint64_t(a) << 32) | b, 1.0f / static_cast<float>(j - i)});
        }
      }
    }
    std::sort(pairs.begin(), pairs.end(), [](auto& x, auto& y) { return x.first < y.first; });
    for (size_t i = 0; i < pairs.size();) {
      size_t j = i;
      float w = 0;
      while (j < pairs.size() && pairs[j].first == pairs[i].first) w += pairs[j++].second;
      cooc[pairs[i].first >> 32].push_back({static_cast<uint32_t>(pairs[i].first & 0xFFFFFFFFu), w});
      i = j;
    }
  }
  double max_pop = 1.0;
  for (double p : popularity) max_pop = std::max(max_pop, p);

  // 3. Scores and ranks per user, in parallel; the fp32 model goes through XNNPACK in batches.
  std::unique_ptr<XnnScorer> xnn;
  if (!model.items.quantized) {
    auto s = XnnScorer::create(model.items.f32.data(), nullptr, V, d, 1);
    if (!s.ok()) return s.status();
    xnn = s.take();
  }
  const ParamView w = ParamView::bind(model.rest.layout, const_cast<float*>(model.rest.arena.data()));
  const size_t T = std::max<size_t>(1, std::min(opts.threads, users.size()));
  std::vector<Accum> acc_model(T), acc_pop(T), acc_cooc(T);
  std::vector<Status> errors(T);
  std::atomic<size_t> done{0};
  parallel_chunks(users.size(), T, [&](size_t b, size_t e, size_t t) {
    constexpr size_t kBatch = 64;
    std::vector<float> scores(kBatch * V), base(V);
    std::vector<int8_t> q(d);
    std::vector<uint8_t> masked(V, 0), interacted(V, 0);
    std::vector<uint32_t> negatives;
    for (size_t b0 = b; b0 < e; b0 += kBatch) {
      const size_t nb = std::min(kBatch, e - b0);
      if (xnn) {
        // XNNPACK operators are not re-entrant: one scorer per thread would pack the table twice,
        // so serialize on it; the int8 path below has no shared state.
        static std::mutex mu;
        std::lock_guard<std::mutex> lock(mu);
        Status s = xnn->score(states.data() + b0 * d, nb, scores.data());
        if (!s.ok()) {
          errors[t] = s;
          return;
        }
        for (size_t k = 0; k < nb; ++k)
          for (size_t i = 0; i < V; ++i) scores[k * V + i] += w.item_bias[i];
      } else {
        for (size_t k = 0; k < nb; ++k) {
          const float xs = quantize_row_q8_ref(states.data() + (b0 + k) * d, d, q.data());
          q8_gemv(model.items.q8.data.data(), model.items.q8.scales.data(), q.data(), xs, w.item_bias, V, d,
                  scores.data() + k * V);
        }
      }
      for (size_t k = 0; k < nb; ++k) {
        const Case& cs = cases[b0 + k];
        const auto& seq = ds.sequences[cs.user];
        // Items the user interacted with (sampled negatives avoid them) and the history (mask_seen).
        for (const auto& ev : seq) interacted[item_map[ev.item]] = 1;
        if (opts.mask_seen)
          for (size_t i = 0; i < cs.history_len; ++i) masked[item_map[seq[i].item]] = 1;
        std::mt19937_64 rng(opts.seed ^ (0x9E3779B97F4A7C15ull * (cs.user + 1)));
        std::uniform_int_distribution<uint32_t> pick(1, static_cast<uint32_t>(V - 1));
        negatives.clear();
        size_t tries = 0;
        while (negatives.size() < opts.negatives && tries++ < opts.negatives * 1000) {
          const uint32_t n = pick(rng);
          if (!interacted[n]) negatives.push_back(n);
        }
        const std::vector<uint8_t>* mask = opts.mask_seen ? &masked : nullptr;
        const float* s = scores.data() + k * V;
        acc_model[t].add_full(full_rank(s, V, cs.target, mask));
        acc_model[t].add_sampled(sampled_rank(s, cs.target, negatives));
        if (opts.baselines) {
          for (size_t i = 0; i < V; ++i) base[i] = static_cast<float>(popularity[i]);
          base[0] = 0;
          acc_pop[t].add_full(full_rank(base.data(), V, cs.target, mask));
          acc_pop[t].add_sampled(sampled_rank(base.data(), cs.target, negatives));
          // Co-occurrence with the newest 3 history items (newer weigh more); popularity breaks ties.
          for (size_t i = 0; i < V; ++i) base[i] = static_cast<float>(1e-3 * popularity[i] / max_pop);
          base[0] = 0;
          float weight = 1.0f;
          for (size_t h = cs.history_len; h > 0 && h + 3 > cs.history_len; --h, weight *= 0.5f)
            for (const auto& [item, wgt] : cooc[item_map[seq[h - 1].item]]) base[item] += weight * wgt;
          acc_cooc[t].add_full(full_rank(base.data(), V, cs.target, mask));
          acc_cooc[t].add_sampled(sampled_rank(base.data(), cs.target, negatives));
        }
        for (const auto& ev : seq) interacted[item_map[ev.item]] = 0;
        if (opts.mask_seen)
          for (size_t i = 0; i < cs.history_len; ++i) masked[item_map[seq[i].item]] = 0;
      }
      const size_t now = done += nb;
      if (opts.progress && t == 0) opts.progress(now, users.size());
    }
  });
  for (const auto& s : errors)
    if (!s.ok()) return s;
  Accum m, p, co;
  for (size_t t = 0; t < T; ++t) {
    m.merge(acc_model[t]);
    p.merge(acc_pop[t]);
    co.merge(acc_cooc[t]);
  }
  rep.model = m.report(users.size());
  rep.popular = p.report(users.size());
  rep.cooccurrence = co.report(users.size());

  if (rep.has_actions) {
    const int purchase = find_purchase_action(model.meta.action_names);
    std::vector<uint32_t> truth, pred, last;
    std::vector<float> pscore, last_score;
    for (size_t u = 0; u < users.size(); ++u) {
      const float* pr = action_probs.data() + u * c.num_actions;
      truth.push_back(cases[u].target_action);
      pred.push_back(static_cast<uint32_t>(std::max_element(pr, pr + c.num_actions) - pr));
      last.push_back(cases[u].last_action);
      if (purchase >= 0) {
        pscore.push_back(pr[purchase]);
        last_score.push_back(cases[u].last_action == static_cast<uint32_t>(purchase) ? 1.0f : 0.0f);
      }
    }
    rep.model_action = action_metrics(truth, pred, pscore, purchase, c.num_actions);
    rep.last_action = action_metrics(truth, last, last_score, purchase, c.num_actions);
  }
  return rep;
}

}  // namespace forecart::train
