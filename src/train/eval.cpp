// Leave-one-out evaluation (see eval.h).
#include "train/eval.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>

#include "model/predictor.h"
#include "model/scorer.h"
#include "train/baselines.h"
#include "train/thread_pool.h"

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

// What one thread accumulates.
struct Partial {
  RankAccum model;
  std::vector<RankAccum> baselines;
};

// The data's items and actions in the model's terms.
struct Mapping {
  std::vector<uint32_t> items;    // dataset item -> vocab id (0 = unknown)
  std::vector<uint32_t> actions;  // dataset action -> model action
};

Result<Mapping> map_onto(const Model& model, const data::Dataset& ds) {
  Mapping m;
  m.items.resize(ds.item_ids.size());
  for (size_t i = 0; i < ds.item_ids.size(); ++i) m.items[i] = model.item_index(ds.item_ids[i]);
  const auto& names = model.meta.action_names;
  for (const auto& a : ds.action_names) {
    auto it = std::find(names.begin(), names.end(), a);
    if (it == names.end()) return invalid_argument("the data has action '" + a + "' which the model does not know");
    m.actions.push_back(static_cast<uint32_t>(it - names.begin()));
  }
  return m;
}

// 100 random catalogue items the user never interacted with (seeded by the user).
void sample_negatives(const EvalOptions& o, uint32_t user, size_t V, const std::vector<uint8_t>& interacted,
                      std::vector<uint32_t>* out) {
  std::mt19937_64 rng(o.seed ^ (0x9E3779B97F4A7C15ull * (user + 1)));
  std::uniform_int_distribution<uint32_t> pick(1, static_cast<uint32_t>(V - 1));
  out->clear();
  size_t tries = 0;
  while (out->size() < o.negatives && tries++ < o.negatives * 1000) {
    const uint32_t n = pick(rng);
    if (!interacted[n]) out->push_back(n);
  }
}

// The held-out users' cases for the fold; counts the targets the model does not know.
std::vector<Case> make_cases(const data::Dataset& ds, const Mapping& map, const std::vector<uint32_t>& users,
                             data::Fold fold, size_t* unknown_targets) {
  std::vector<Case> cases(users.size());
  for (size_t u = 0; u < users.size(); ++u) {
    const auto& seq = ds.sequences[users[u]];
    const size_t ti = data::target_index(seq, fold);
    cases[u] = {users[u], map.items[seq[ti].item], map.actions[seq[ti].action], map.actions[seq[ti - 1].action], ti};
    *unknown_targets += cases[u].target == 0;
  }
  return cases;
}

// opts.pool, or else a pool of opts.threads (at most one per user) started into *own.
Result<ThreadPool*> pool_for(const EvalOptions& opts, size_t users, std::unique_ptr<ThreadPool>* own) {
  if (opts.pool) return opts.pool;
  *own = std::make_unique<ThreadPool>(std::max<size_t>(1, std::min(opts.threads, users)));
  FORECART_RETURN_IF_ERROR((*own)->start());
  return own->get();
}

// What every thread reads.
struct EvalContext {
  const Model& model;
  const data::Dataset& ds;
  const Mapping& map;
  const EvalOptions& opts;
  const ItemBaselines& base;
  size_t nb;  // baselines run: 0 or ItemBaselines::kCount
  size_t V, A;
  const std::vector<Case>& cases;
};

// One thread's predictor, scorer and scratch, reused across its users.
struct Worker {
  Predictor p;
  const Scorer scorer;
  std::vector<float> scores;
  std::vector<uint8_t> masked, interacted;
  std::vector<uint32_t> negatives, history;
  SparseScores sparse;
  Worker(const Model& model, size_t V) : p(model), scorer(model), scores(V), masked(V, 0), interacted(V, 0) {}
};

// The model on one case: fills w.history (vocab ids), the next-action probabilities and w.scores.
void predict_case(const EvalContext& ctx, const Case& cs, Worker& w, float* action_probs) {
  const auto& seq = ctx.ds.sequences[cs.user];
  w.history.clear();
  for (size_t i = 0; i < cs.history_len; ++i) w.history.push_back(ctx.map.items[seq[i].item]);
  // The model sees the newest max_len events, as the browser's window would.
  const size_t n = cs.history_len, start = n > ctx.model.config.max_len ? n - ctx.model.config.max_len : 0;
  w.p.reset();
  if (start > 0) w.p.set_previous_time(seq[start - 1].time);
  for (size_t i = start; i < n; ++i) (void)w.p.push(w.history[i], ctx.map.actions[seq[i].action], seq[i].time);
  w.p.action_probs(action_probs);
  w.scorer.logits(w.p, w.scores.data());
}

// Ranks the case's target by the model's scores (from predict_case), then by each baseline's, into part.
void rank_case(const EvalContext& ctx, const Case& cs, Worker& w, Partial& part) {
  const auto& seq = ctx.ds.sequences[cs.user];
  const size_t V = ctx.V;
  for (const auto& ev : seq) w.interacted[ctx.map.items[ev.item]] = 1;
  if (ctx.opts.mask_seen)
    for (uint32_t h : w.history) w.masked[h] = 1;
  sample_negatives(ctx.opts, cs.user, V, w.interacted, &w.negatives);
  const uint8_t* mask = ctx.opts.mask_seen ? w.masked.data() : nullptr;
  part.model.add_full(full_rank(w.scores.data(), V, cs.target, mask));
  part.model.add_sampled(sampled_rank(w.scores.data(), cs.target, w.negatives));
  for (size_t k = 0; k < ctx.nb; ++k) {
    ctx.base.score(k, w.history.data(), w.history.size(), w.scores.data(), &w.sparse);
    part.baselines[k].add_full(full_rank(w.scores.data(), V, cs.target, mask));
    part.baselines[k].add_sampled(sampled_rank(w.scores.data(), cs.target, w.negatives));
  }
  for (const auto& ev : seq) w.interacted[ctx.map.items[ev.item]] = 0;
  for (uint32_t h : w.history) w.masked[h] = 0;
}

// Thread t's share: cases [b, e) into part, their next-action probabilities into action_probs
// (A per case, indexed by case).
void evaluate_part(const EvalContext& ctx, size_t b, size_t e, size_t t, Partial& part, float* action_probs,
                   std::atomic<size_t>& done) {
  Worker w(ctx.model, ctx.V);
  part.baselines.resize(ctx.nb);
  for (size_t u = b; u < e; ++u) {
    predict_case(ctx, ctx.cases[u], w, action_probs + u * ctx.A);
    if (ctx.opts.on_case) ctx.opts.on_case(u, ctx.cases[u].target, w.scores.data(), w.p);
    if (ctx.opts.on_action_case) ctx.opts.on_action_case(u, ctx.cases[u].target_action, w.p);
    rank_case(ctx, ctx.cases[u], w, part);
    const size_t now = ++done;
    if (ctx.opts.progress && t == 0 && (u - b) % 64 == 63) ctx.opts.progress(now, ctx.cases.size());
  }
}

// The threads' partial sums, merged in thread order, as the model's and the baselines' reports.
void report_ranks(const std::vector<Partial>& parts, size_t nb, size_t users, EvalReport* rep) {
  RankAccum model_sum;
  std::vector<RankAccum> base_sum(nb);
  for (const Partial& part : parts) {
    model_sum.merge(part.model);
    for (size_t k = 0; k < part.baselines.size(); ++k) base_sum[k].merge(part.baselines[k]);
  }
  rep->model = model_sum.report(users);
  for (size_t k = 0; k < nb; ++k) rep->baselines.push_back({ItemBaselines::name(k), base_sum[k].report(users)});
}

// Next-action metrics of the model's distributions and of each action baseline's.
void report_actions(const Model& model, const data::Dataset& ds, const Mapping& map, const std::vector<Case>& cases,
                    const std::vector<float>& action_probs, size_t A, EvalReport* rep) {
  const int purchase = find_purchase_action(model.meta.action_names);
  std::vector<uint32_t> truth;
  for (const Case& c : cases) truth.push_back(c.target_action);
  rep->model_action = action_metrics(truth, action_probs, purchase, A);
  const ActionBaselines base = ActionBaselines::build(ds, map.actions, A);
  std::vector<float> probs(cases.size() * A);
  for (size_t k = 0; k < ActionBaselines::kCount; ++k) {
    for (size_t u = 0; u < cases.size(); ++u) base.probs(k, cases[u].last_action, probs.data() + u * A);
    rep->action_baselines.push_back({ActionBaselines::name(k), action_metrics(truth, probs, purchase, A)});
  }
}

}  // namespace

std::vector<uint32_t> held_out_users(const data::Dataset& ds, size_t max_users) {
  std::vector<uint32_t> users = data::make_split(ds).users;
  return max_users && users.size() > max_users ? data::evenly_spaced(users, max_users) : users;
}

std::string EvalReport::best_baseline(double RankMetrics::*metric) const {
  const NamedReport* best = nullptr;
  for (const auto& b : baselines)
    if (!best || b.report.full.*metric > best->report.full.*metric) best = &b;
  return best ? best->name : "";
}

bool EvalReport::model_beats_baselines() const {
  for (const auto& b : baselines)
    if (model.full.ndcg10 <= b.report.full.ndcg10 || model.full.hr10 <= b.report.full.hr10) return false;
  return true;
}

Result<EvalReport> evaluate(const Model& model, const data::Dataset& ds, const EvalOptions& opts) {
  const ModelConfig& c = model.config;
  const size_t V = c.vocab(), A = c.num_actions;
  Result<Mapping> mapped = map_onto(model, ds);
  if (!mapped.ok()) return mapped.status();
  const Mapping& map = mapped.value();
  const std::vector<uint32_t> users = opts.users.empty() ? held_out_users(ds, opts.max_users) : opts.users;
  for (size_t i = 0; i < opts.users.size(); ++i)
    if (opts.users[i] >= ds.sequences.size() || !data::has_holdout(ds.sequences[opts.users[i]]) ||
        (i > 0 && opts.users[i] <= opts.users[i - 1]))
      return invalid_argument("eval: the users given are not ascending held-out users of the data");
  if (users.empty()) return invalid_argument("no user has 3 or more events: nothing to evaluate");

  EvalReport rep;
  rep.users = users.size();
  rep.items = c.num_items;
  rep.has_actions = A > 1;
  const std::vector<Case> cases = make_cases(ds, map, users, opts.fold, &rep.unknown_targets);
  const ItemBaselines base = opts.baselines ? ItemBaselines::build(ds, map.items, V) : ItemBaselines();
  const size_t nb = opts.baselines ? size_t(ItemBaselines::kCount) : 0;

  std::unique_ptr<ThreadPool> own;
  Result<ThreadPool*> pooled = pool_for(opts, users.size(), &own);
  if (!pooled.ok()) return pooled.status();
  ThreadPool* pool = pooled.value();
  const EvalContext ctx{model, ds, map, opts, base, nb, V, A, cases};
  std::vector<Partial> parts(pool->size());
  std::vector<float> action_probs(users.size() * A);
  std::atomic<size_t> done{0};
  pool->for_parts(users.size(), [&](size_t b, size_t e, size_t t) {
    evaluate_part(ctx, b, e, t, parts[t], action_probs.data(), done);
  });

  report_ranks(parts, nb, users.size(), &rep);
  if (rep.has_actions) report_actions(model, ds, map, cases, action_probs, A, &rep);
  return rep;
}

}  // namespace forecart::train
