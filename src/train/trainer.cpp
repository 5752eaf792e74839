#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include "data/split.h"
#include "train/adam.h"
#include "train/graph.h"

namespace forecart::train {

namespace {

// One training window: events [begin, end) of a user's training prefix as inputs; the target of
// input i is event i + 1.
struct Window {
  uint32_t user;
  uint32_t begin, end;
};

// Windows of at most max_len inputs covering every training target once, newest first
// (SASRec trains on the newest max_len; older events of long histories get their own windows).
std::vector<Window> make_windows(const data::Dataset& ds, uint32_t max_len, size_t* tokens) {
  std::vector<Window> w;
  *tokens = 0;
  for (uint32_t u = 0; u < ds.sequences.size(); ++u) {
    const size_t p = data::train_prefix_len(ds.sequences[u]);
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

}  // namespace

Result<TrainResult> train_model(const data::Dataset& ds, const TrainerOptions& o, const TrainProgress& progress) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  ModelConfig c;
  c.num_items = static_cast<uint32_t>(ds.item_ids.size());
  c.num_actions = static_cast<uint32_t>(std::max<size_t>(1, ds.action_names.size()));
  c.dim = o.dim;
  c.layers = o.layers;
  c.heads = o.heads;
  c.ffn_dim = 4 * o.dim;
  c.max_len = o.max_len;
  c.time_buckets = o.time_buckets;
  c.activation = o.activation;
  if (Status s = c.validate(); !s.ok()) return invalid_argument(s.message());
  if (o.epochs == 0 || o.batch == 0) return invalid_argument("epochs and batch must be positive");

  TrainResult res;
  res.meta = make_meta(ds);
  size_t tokens = 0;
  std::vector<Window> windows = make_windows(ds, c.max_len, &tokens);
  if (windows.empty()) return invalid_argument("no user has 2 or more training events: nothing to train on");
  res.train_sequences = windows.size();
  res.train_tokens = tokens;

  TrainOptions go;
  go.max_batch = o.batch;
  go.threads = std::max<uint32_t>(1, o.threads);
  go.dropout = o.dropout;
  go.action_weight = o.action_weight;
  go.neg_samples = o.neg_samples;
  go.seed = o.seed;
  Result<TrainGraph> graph_r = TrainGraph::create(c, go);
  if (!graph_r.ok()) return graph_r.status();
  TrainGraph graph = graph_r.take();

  ModelWeights w = ModelWeights::random(c, o.seed);
  std::vector<float> grads(w.arena.size());
  AdamOptions ao;
  ao.lr = o.lr;
  ao.weight_decay = o.weight_decay;
  Result<AdamW> adam_r = AdamW::create(w.layout, ao);
  if (!adam_r.ok()) return adam_r.status();
  AdamW adam = adam_r.take();

  EvalOptions eo;
  eo.fold = data::Fold::kValidation;
  eo.baselines = false;
  eo.threads = go.threads;
  eo.max_users = o.val_users;

  std::mt19937_64 rng(o.seed);
  TrainBatch batch;
  std::vector<Token> toks;
  std::vector<uint32_t> next_item, next_action;
  double best = -1.0;
  uint32_t since_best = 0;
  const size_t steps = (windows.size() + o.batch - 1) / o.batch;
  for (uint32_t epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto te = Clock::now();
    std::shuffle(windows.begin(), windows.end(), rng);
    EpochLog log;
    log.epoch = epoch;
    double loss_sum = 0, item_sum = 0, action_sum = 0;
    size_t positions = 0, epoch_tokens = 0;
    for (size_t s = 0; s < steps; ++s) {
      batch.clear();
      const size_t b0 = s * o.batch, b1 = std::min(windows.size(), b0 + o.batch);
      for (size_t i = b0; i < b1; ++i) {
        const Window& win = windows[i];
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
        batch.add_sequence(toks.data(), next_item.data(), next_action.data(), toks.size());
      }
      StepStats st;
      FORECART_RETURN_IF_ERROR(graph.step(w.arena, batch, /*training=*/true, &grads, &st));
      const double norm = clip_grad_norm(grads.data(), grads.size(), o.clip);
      if (!std::isfinite(norm)) return Status(StatusCode::kInternal, "training diverged (non-finite gradient)");
      FORECART_RETURN_IF_ERROR(adam.step(w.arena, grads));
      loss_sum += st.loss * static_cast<double>(st.positions);
      item_sum += st.item_loss * static_cast<double>(st.positions);
      action_sum += st.action_loss * static_cast<double>(st.positions);
      positions += st.positions;
      epoch_tokens += st.tokens;
      if (progress.on_step) {
        const double secs = std::chrono::duration<double>(Clock::now() - te).count();
        progress.on_step(epoch, s + 1, steps, loss_sum / static_cast<double>(std::max<size_t>(1, positions)),
                         secs > 0 ? static_cast<double>(epoch_tokens) / secs : 0.0);
      }
    }
    const double train_secs = std::chrono::duration<double>(Clock::now() - te).count();
    const double denom = static_cast<double>(std::max<size_t>(1, positions));
    log.loss = loss_sum / denom;
    log.item_loss = item_sum / denom;
    log.action_loss = action_sum / denom;
    log.tokens_per_s = train_secs > 0 ? static_cast<double>(epoch_tokens) / train_secs : 0.0;

    Model m = Model::from_weights(w, res.meta, /*quantize=*/false);
    Result<EvalReport> val = evaluate(m, ds, eo);
    if (!val.ok()) return val.status();
    log.val_hr10 = val.value().model.full.hr10;
    log.val_ndcg10 = val.value().model.full.ndcg10;
    log.seconds = std::chrono::duration<double>(Clock::now() - te).count();
    res.log.push_back(log);
    if (log.val_ndcg10 > best) {
      best = log.val_ndcg10;
      res.best_epoch = epoch;
      res.weights = w;
      since_best = 0;
    } else {
      ++since_best;
    }
    if (progress.on_epoch) progress.on_epoch(log);
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    if (since_best >= o.patience) break;
    if (o.time_budget_s > 0 && elapsed + log.seconds > o.time_budget_s) break;
  }
  res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return res;
}

}  // namespace forecart::train
