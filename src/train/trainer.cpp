// The training loop (see trainer.h): windows of the users' training prefixes, shuffled per epoch,
// one TrainGraph step and one AdamW update per batch, validation and checkpoints per epoch.
#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sstream>

#include "data/split.h"
#include "train/checkpoint.h"
#include "train/eval.h"

namespace forecart::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Windows of at most max_len inputs covering every training target once, newest first
// (SASRec trains on the newest max_len; older events of long histories get their own windows).
// A user in held_back (ascending) trains on its prefix without the newest event (data::fit_users).
std::vector<Window> make_windows(const data::Dataset& ds, uint32_t max_len, const std::vector<uint32_t>& held_back,
                                 size_t* tokens) {
  std::vector<Window> w;
  *tokens = 0;
  auto next_held = held_back.begin();
  for (uint32_t u = 0; u < ds.sequences.size(); ++u) {
    size_t p = data::train_prefix_len(ds.sequences[u]);
    if (next_held != held_back.end() && *next_held == u) {
      ++next_held;
      --p;  // a held-out user has p >= 1
    }
    if (p < 2) continue;
    size_t end = p - 1;  // inputs are [0, p-1); targets [1, p)
    while (end > 0) {
      const size_t begin = end > max_len ? end - max_len : 0;
      w.push_back({u, static_cast<uint32_t>(begin), static_cast<uint32_t>(end)});
      *tokens += end - begin;
      end = begin;
    }
  }
  return w;
}

ModelMeta make_meta(const data::Dataset& ds) {
  ModelMeta meta;
  meta.action_names = ds.action_names;
  meta.item_ids = ds.item_ids;
  std::vector<double> counts(ds.item_ids.size(), 0.0);
  double total = 0;
  for (const auto& seq : ds.sequences) {
    const size_t p = data::train_prefix_len(seq);
    for (size_t i = 0; i < p; ++i) counts[seq[i].item] += 1;
    total += static_cast<double>(p);
  }
  for (double c : counts) meta.popularity.push_back(total > 0 ? static_cast<float>(c / total) : 0.0f);
  std::vector<size_t> action_counts(std::max<size_t>(1, ds.action_names.size()), 0);
  for (const auto& seq : ds.sequences)
    for (size_t i = 0, p = data::train_prefix_len(seq); i < p; ++i) ++action_counts[seq[i].action];
  meta.default_action =  // the most frequent (the lower index on ties)
      static_cast<uint32_t>(std::max_element(action_counts.begin(), action_counts.end()) - action_counts.begin());
  bool any_category = false;
  for (uint32_t c : ds.item_category) any_category |= c != data::kNoCategory;
  if (any_category) {
    meta.category_names = ds.category_names;
    const uint32_t none = static_cast<uint32_t>(meta.category_names.size());
    bool need_none = false;
    for (uint32_t c : ds.item_category) {
      meta.item_category.push_back(c == data::kNoCategory ? none : c);
      need_none |= c == data::kNoCategory;
    }
    if (need_none) meta.category_names.push_back("");  // items whose category the data did not give
  }
  return meta;
}

// What a checkpoint must have been made with: the data (as its shape) and every option that
// changes the result.
uint64_t fingerprint(const ModelConfig& c, const TrainerOptions& o, size_t windows) {
  std::ostringstream f;
  const GraphOptions& g = o.graph;
  f << c.num_items << ' ' << c.num_actions << ' ' << c.dim << ' ' << c.layers << ' ' << c.heads << ' ' << c.ffn_dim
    << ' ' << c.max_len << ' ' << c.time_buckets << ' ' << static_cast<int>(c.activation) << ' ' << g.max_batch << ' '
    << o.adam.lr << ' ' << o.adam.weight_decay << ' ' << g.dropout << ' ' << o.clip << ' ' << g.action_weight << ' '
    << g.neg_samples << ' ' << g.action_detached << ' ' << g.threads << ' ' << g.seed << ' ' << windows << ' '
    << o.action_prior << ' ' << o.fit_users;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char ch : f.str()) h = (h ^ static_cast<uint8_t>(ch)) * 1099511628211ull;
  return h;
}

// The batch of windows order[b0, b1): inputs, next items and next actions as vocab/model ids.
void fill_batch(const data::Dataset& ds, const ModelConfig& c, const std::vector<Window>& order, size_t b0, size_t b1,
                TrainBatch* batch) {
  std::vector<Token> toks;
  std::vector<uint32_t> next_item, next_action;
  batch->clear();
  for (size_t i = b0; i < b1; ++i) {
    const Window& win = order[i];
    const auto& seq = ds.sequences[win.user];
    toks.clear();
    next_item.clear();
    next_action.clear();
    for (uint32_t k = win.begin; k < win.end; ++k) {
      const int64_t prev = k > 0 ? seq[k - 1].time : -1;
      toks.push_back({seq[k].item + 1, seq[k].action, time_bucket(prev, seq[k].time, c.time_buckets)});
      next_item.push_back(seq[k + 1].item + 1);
      next_action.push_back(seq[k + 1].action);
    }
    batch->add_sequence(toks.data(), next_item.data(), next_action.data(), toks.size());
  }
}

// The loop's working set; one instance per train_model call.
struct Loop {
  Loop(const data::Dataset& d, const TrainerOptions& opt, const TrainProgress& p) : ds(d), o(opt), progress(p) {}

  const data::Dataset& ds;
  const TrainerOptions& o;
  const TrainProgress& progress;
  ModelConfig c;
  ModelMeta meta;
  ActionHead action_head;  // the prior (alpha 1, temperature 1) for validation; inactive without one
  std::vector<Window> windows;
  size_t steps = 0;
  uint64_t fp = 0;
  TrainGraph graph;
  AdamW adam;
  ModelWeights w, best;
  std::vector<float> grads;
  std::mt19937_64 rng;
  TrainBatch batch;
  LoopState st;
  uint64_t steps_this_process = 0;

  Status checkpoint();
  Status resume();
  Status run_steps(Clock::time_point* epoch_start);
  Result<EpochLog> finish_epoch(Clock::time_point epoch_start);
  Status run();
};

Status Loop::checkpoint() {
  if (o.checkpoint_path.empty()) return Status::Ok();
  std::ostringstream r;
  r << rng;
  st.rng = r.str();
  st.graph_steps = graph.step_count();
  Checkpoint ck{st, adam.steps(), w.arena, adam.m(), adam.v(), best.arena};
  return save_checkpoint(o.checkpoint_path, fp, ck);
}

Status Loop::resume() {
  Checkpoint ck;
  FORECART_RETURN_IF_ERROR(load_checkpoint(o.checkpoint_path, fp, w.arena.size(), &ck));
  st = std::move(ck.loop);
  w.arena = std::move(ck.params);
  best.arena = std::move(ck.best);
  std::istringstream(st.rng) >> rng;
  graph.set_step_count(st.graph_steps);
  return adam.set_state(std::move(ck.adam_m), std::move(ck.adam_v), ck.adam_steps);
}

// The rest of the epoch in progress, from step st.step.
Status Loop::run_steps(Clock::time_point* te) {
  const size_t B = o.graph.max_batch;
  for (; st.step < steps; ++st.step) {
    fill_batch(ds, c, st.order, st.step * B, std::min(st.order.size(), (st.step + 1) * B), &batch);
    StepStats ss;
    FORECART_RETURN_IF_ERROR(graph.step(w.arena, batch, /*training=*/true, &grads, &ss));
    const double norm = clip_grad_norm(grads.data(), grads.size(), o.clip);
    if (!std::isfinite(norm)) return Status(StatusCode::kInternal, "training diverged (non-finite gradient)");
    FORECART_RETURN_IF_ERROR(adam.step(w.arena, grads));
    const double n = static_cast<double>(ss.positions);
    st.loss_sum += ss.loss * n;
    st.item_sum += ss.item_loss * n;
    st.action_sum += ss.action_loss * n;
    st.positions += ss.positions;
    st.epoch_tokens += ss.tokens;
    const double secs = st.epoch_secs + seconds_since(*te);
    if (progress.on_step) {
      progress.on_step(st.epoch, st.step + 1, steps,
                       st.loss_sum / static_cast<double>(std::max<uint64_t>(1, st.positions)),
                       secs > 0 ? static_cast<double>(st.epoch_tokens) / secs : 0.0);
    }
    ++steps_this_process;
    if (o.checkpoint_every && (st.step + 1) % o.checkpoint_every == 0 && st.step + 1 < steps) {
      st.epoch_secs = secs;
      *te = Clock::now();
      ++st.step;  // the checkpoint resumes at the next step
      Status cs = checkpoint();
      --st.step;
      FORECART_RETURN_IF_ERROR(cs);
    }
    if (o.halt_after_steps && steps_this_process == o.halt_after_steps && o.halt) o.halt();
  }
  return Status::Ok();
}

// The epoch's log with its validation figures; keeps the best weights so far.
Result<EpochLog> Loop::finish_epoch(Clock::time_point te) {
  EpochLog log;
  log.epoch = st.epoch;
  const double train_secs = st.epoch_secs + seconds_since(te);
  const double denom = static_cast<double>(std::max<uint64_t>(1, st.positions));
  log.loss = st.loss_sum / denom;
  log.item_loss = st.item_sum / denom;
  log.action_loss = st.action_sum / denom;
  log.tokens_per_s = train_secs > 0 ? static_cast<double>(st.epoch_tokens) / train_secs : 0.0;

  const auto tv = Clock::now();
  EvalOptions eo;
  eo.fold = data::Fold::kValidation;
  eo.baselines = false;
  eo.threads = o.graph.threads;
  eo.max_users = o.val_users;
  Model m = Model::from_weights(w, meta, /*quantize=*/false);
  m.action_head = action_head;
  Result<EvalReport> val = evaluate(m, ds, eo);
  if (!val.ok()) return val.status();
  log.val_hr10 = val.value().model.full.hr10;
  log.val_ndcg10 = val.value().model.full.ndcg10;
  log.criterion = log.val_ndcg10;
  if (val.value().has_actions) {
    log.val_action_loss = val.value().model_action.log_loss;
    log.criterion -= kActionLossTrade * log.val_action_loss;
  }
  log.seconds = train_secs + seconds_since(tv);
  st.log.push_back(log);
  if (log.criterion > st.best) {
    st.best = log.criterion;
    st.best_epoch = st.epoch;
    best.arena = w.arena;
    st.since_best = 0;
  } else {
    ++st.since_best;
  }
  return log;
}

Status Loop::run() {
  bool resumed = o.resume;
  if (resumed) FORECART_RETURN_IF_ERROR(resume());
  for (; st.epoch <= o.epochs; ++st.epoch) {
    auto te = Clock::now();
    if (!resumed || st.order.empty()) {
      st.order = windows;  // each epoch permutes the original order: resuming needs only the generator
      std::shuffle(st.order.begin(), st.order.end(), rng);
      st.step = 0;
      st.loss_sum = st.item_sum = st.action_sum = st.epoch_secs = 0;
      st.positions = st.epoch_tokens = 0;
    }
    resumed = false;
    FORECART_RETURN_IF_ERROR(run_steps(&te));
    Result<EpochLog> log = finish_epoch(te);
    if (!log.ok()) return log.status();
    if (progress.on_epoch) progress.on_epoch(log.value());
    st.elapsed += log.value().seconds;
    st.order.clear();  // the next epoch shuffles anew
    st.step = 0;
    const bool stop = st.since_best >= o.patience || st.epoch == o.epochs ||
                      (o.time_budget_s > 0 && st.elapsed + log.value().seconds > o.time_budget_s);
    ++st.epoch;  // a checkpoint taken now resumes at the next epoch
    Status cs = checkpoint();
    --st.epoch;
    FORECART_RETURN_IF_ERROR(cs);
    if (stop) break;
  }
  return Status::Ok();
}

}  // namespace

Result<TrainResult> train_model(const data::Dataset& ds, const TrainerOptions& o, const TrainProgress& progress) {
  ModelConfig c = o.model;
  c.num_items = static_cast<uint32_t>(ds.item_ids.size());
  c.num_actions = static_cast<uint32_t>(std::max<size_t>(1, ds.action_names.size()));
  if (c.ffn_dim == 0) c.ffn_dim = 4 * c.dim;
  if (Status s = c.validate(); !s.ok()) return invalid_argument(s.message());
  if (o.epochs == 0 || o.graph.max_batch == 0) return invalid_argument("epochs and batch must be positive");

  size_t tokens = 0;
  const std::vector<uint32_t> held_back =
      o.fit_evidence ? data::fit_users(data::make_split(ds), o.fit_users) : std::vector<uint32_t>();
  std::vector<Window> windows = make_windows(ds, c.max_len, held_back, &tokens);
  if (windows.empty()) return invalid_argument("no user has 2 or more training events: nothing to train on");
  GraphOptions go = o.graph;
  go.threads = std::max<uint32_t>(1, go.threads);
  Result<TrainGraph> graph = TrainGraph::create(c, go);
  if (!graph.ok()) return graph.status();
  ModelWeights w = ModelWeights::random(c, go.seed);
  ModelMeta meta = make_meta(ds);
  ActionFitReport action_fit;
  const ActionHead prior = o.action_prior
                               ? count_action_prior(ds, c, &action_fit.table_loss_time, &action_fit.table_loss_plain)
                               : ActionHead{};
  WarmStartReport warm;
  if (o.init_from) {
    if (Status s = warm_start(*o.init_from, meta, &w, &warm); !s.ok())
      return Status(s.code(), "--init-from: " + s.message());
    if (progress.on_warm_start) progress.on_warm_start(warm);
  }
  if (prior.active() && !(o.init_from && o.init_from->action_head.active())) {
    // The learned part is a correction to the prior: it starts at zero (a warm start from a model
    // with a head keeps its correction).
    ParamView v = w.view();
    std::fill(v.action_w, v.action_w + static_cast<size_t>(c.num_actions) * c.dim, 0.0f);
    std::fill(v.action_b, v.action_b + c.num_actions, 0.0f);
  }
  Result<AdamW> adam = AdamW::create(w.layout, o.adam);
  if (!adam.ok()) return adam.status();

  Loop loop(ds, o, progress);
  loop.c = c;
  loop.meta = std::move(meta);
  loop.windows = std::move(windows);
  loop.steps = (loop.windows.size() + go.max_batch - 1) / go.max_batch;
  loop.fp = fingerprint(c, o, loop.windows.size());
  loop.graph = graph.take();
  loop.graph.set_action_prior(prior);
  loop.action_head = prior;
  loop.adam = adam.take();
  loop.grads.resize(w.arena.size());
  loop.w = std::move(w);
  loop.best = ModelWeights::zeros(c);
  loop.rng.seed(go.seed);
  FORECART_RETURN_IF_ERROR(loop.run());

  TrainResult res;
  res.meta = std::move(loop.meta);
  res.weights = std::move(loop.best);
  res.log = loop.st.log;
  res.best_epoch = loop.st.best_epoch;
  res.seconds = loop.st.elapsed;
  res.train_sequences = loop.windows.size();
  res.train_tokens = tokens;
  res.warm = warm;
  if (o.fit_evidence && res.best_epoch > 0) {
    Model m = Model::from_weights(res.weights, res.meta, /*quantize=*/false);
    EvidenceFitOptions eo = o.evidence;
    eo.threads = go.threads;
    eo.users = held_back;
    FORECART_RETURN_IF_ERROR(fit_evidence(ds, eo, &m, &res.evidence_fit));
    res.evidence = std::move(m.evidence);
  }
  res.action_head = prior;
  res.action_fit = action_fit;
  if (prior.active() && res.best_epoch > 0) {
    Model m = Model::from_weights(res.weights, res.meta, /*quantize=*/false);
    m.action_head = prior;
    ActionFitOptions ao = o.action_fit;
    ao.max_users = o.val_users;
    ao.threads = go.threads;
    FORECART_RETURN_IF_ERROR(fit_action_head(ds, ao, &m, &res.action_fit));
    res.action_head = std::move(m.action_head);
  }
  return res;
}

}  // namespace forecart::train
