#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

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

// Everything the loop needs to continue exactly where it stopped.
struct LoopState {
  uint32_t epoch = 1;          // the epoch in progress
  uint64_t step = 0;           // next step within it
  std::string rng;             // shuffling generator (std::mt19937_64 text form), after this epoch's shuffle
  std::vector<Window> order;   // this epoch's shuffled windows
  double loss_sum = 0, item_sum = 0, action_sum = 0, epoch_secs = 0;
  uint64_t positions = 0, epoch_tokens = 0;
  double best = -1.0;
  uint32_t since_best = 0, best_epoch = 0;
  double elapsed = 0;          // seconds of training before this process
  uint64_t graph_steps = 0;
  std::vector<EpochLog> log;
};

// Checkpoint file: "FCK1", uint32 version, then the fields below in order (little-endian host).
constexpr uint32_t kCheckpointVersion = 1;

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}
template <typename T>
void put_vec(std::string& out, const std::vector<T>& v) {
  put<uint64_t>(out, v.size());
  if (!v.empty()) out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
struct Reader {
  const std::string& s;
  size_t at = 0;
  bool ok = true;
  template <typename T>
  T get() {
    T v{};
    if (at + sizeof(T) > s.size()) {
      ok = false;
      return v;
    }
    std::memcpy(&v, s.data() + at, sizeof(T));
    at += sizeof(T);
    return v;
  }
  template <typename T>
  std::vector<T> get_vec(size_t max_elems) {
    const uint64_t n = get<uint64_t>();
    if (!ok || n > max_elems || at + n * sizeof(T) > s.size()) {
      ok = false;
      return {};
    }
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), s.data() + at, n * sizeof(T));  // an empty vector's data() may be null
    at += n * sizeof(T);
    return v;
  }
};

uint64_t fingerprint(const ModelConfig& c, const TrainerOptions& o, size_t windows) {
  std::ostringstream f;
  f << c.num_items << ' ' << c.num_actions << ' ' << c.dim << ' ' << c.layers << ' ' << c.heads << ' ' << c.max_len
    << ' ' << static_cast<int>(c.activation) << ' ' << o.batch << ' ' << o.lr << ' ' << o.weight_decay << ' '
    << o.dropout << ' ' << o.clip << ' ' << o.action_weight << ' ' << o.neg_samples << ' ' << o.threads << ' '
    << o.seed << ' ' << windows;
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char ch : f.str()) h = (h ^ static_cast<uint8_t>(ch)) * 1099511628211ull;
  return h;
}

Status save_checkpoint(const std::string& path, uint64_t fp, const LoopState& st, const ModelWeights& w,
                       const AdamW& adam, const ModelWeights& best) {
  std::string out = "FCK1";
  put(out, kCheckpointVersion);
  put(out, fp);
  put(out, st.epoch);
  put(out, st.step);
  put(out, st.loss_sum);
  put(out, st.item_sum);
  put(out, st.action_sum);
  put(out, st.epoch_secs);
  put(out, st.positions);
  put(out, st.epoch_tokens);
  put(out, st.best);
  put(out, st.since_best);
  put(out, st.best_epoch);
  put(out, st.elapsed);
  put(out, st.graph_steps);
  put(out, adam.steps());
  put_vec(out, std::vector<char>(st.rng.begin(), st.rng.end()));
  put_vec(out, st.order);
  put_vec(out, st.log);
  put_vec(out, w.arena);
  put_vec(out, adam.m());
  put_vec(out, adam.v());
  put_vec(out, best.arena);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (!f.flush()) return io_error("cannot write checkpoint '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return io_error("cannot rename checkpoint onto '" + path + "'");
  return Status::Ok();
}

Status load_checkpoint(const std::string& path, uint64_t fp, LoopState* st, ModelWeights* w, AdamW* adam,
                       ModelWeights* best) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return io_error("cannot open checkpoint '" + path + "' (nothing to resume)");
  const std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (s.size() < 8 || s.compare(0, 4, "FCK1") != 0) return parse_error("'" + path + "' is not a forecart checkpoint");
  Reader r{s, 4};
  if (r.get<uint32_t>() != kCheckpointVersion) return parse_error("checkpoint version not supported");
  if (r.get<uint64_t>() != fp)
    return invalid_argument("checkpoint '" + path + "' was made with other data or options; resume needs the same ones");
  st->epoch = r.get<uint32_t>();
  st->step = r.get<uint64_t>();
  st->loss_sum = r.get<double>();
  st->item_sum = r.get<double>();
  st->action_sum = r.get<double>();
  st->epoch_secs = r.get<double>();
  st->positions = r.get<uint64_t>();
  st->epoch_tokens = r.get<uint64_t>();
  st->best = r.get<double>();
  st->since_best = r.get<uint32_t>();
  st->best_epoch = r.get<uint32_t>();
  st->elapsed = r.get<double>();
  st->graph_steps = r.get<uint64_t>();
  const uint64_t adam_steps = r.get<uint64_t>();
  const size_t n = w->arena.size();
  auto rng = r.get_vec<char>(1 << 20);
  st->rng.assign(rng.begin(), rng.end());
  st->order = r.get_vec<Window>(size_t(1) << 32);
  st->log = r.get_vec<EpochLog>(1 << 24);
  auto arena = r.get_vec<float>(n);
  auto m = r.get_vec<float>(n);
  auto v = r.get_vec<float>(n);
  auto best_arena = r.get_vec<float>(n);
  if (!r.ok || r.at != s.size() || arena.size() != n || m.size() != n || v.size() != n)
    return parse_error("checkpoint '" + path + "' is truncated or corrupt");
  w->arena = std::move(arena);
  best->arena = std::move(best_arena);
  return adam->set_state(std::move(m), std::move(v), adam_steps);
}

}  // namespace

Result<TrainResult> train_model(const data::Dataset& ds, const TrainerOptions& o, const TrainProgress& progress) {
  using Clock = std::chrono::steady_clock;
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
  const size_t steps = (windows.size() + o.batch - 1) / o.batch;
  const uint64_t fp = fingerprint(c, o, windows.size());
  ModelWeights best_w = ModelWeights::zeros(c);
  LoopState st;
  bool resumed = false;
  if (o.resume) {
    FORECART_RETURN_IF_ERROR(load_checkpoint(o.checkpoint_path, fp, &st, &w, &adam, &best_w));
    std::istringstream(st.rng) >> rng;
    graph.set_step_count(st.graph_steps);
    resumed = true;
  }
  uint64_t steps_this_process = 0;
  auto checkpoint = [&]() -> Status {
    if (o.checkpoint_path.empty()) return Status::Ok();
    std::ostringstream r;
    r << rng;
    st.rng = r.str();
    st.graph_steps = graph.step_count();
    return save_checkpoint(o.checkpoint_path, fp, st, w, adam, best_w);
  };
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
    const std::vector<Window>& order = st.order;
    for (; st.step < steps; ++st.step) {
      batch.clear();
      const size_t b0 = st.step * o.batch, b1 = std::min(order.size(), b0 + o.batch);
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
        batch.add_sequence(toks.data(), next_item.data(), next_action.data(), toks.size());
      }
      StepStats ss;
      FORECART_RETURN_IF_ERROR(graph.step(w.arena, batch, /*training=*/true, &grads, &ss));
      const double norm = clip_grad_norm(grads.data(), grads.size(), o.clip);
      if (!std::isfinite(norm)) return Status(StatusCode::kInternal, "training diverged (non-finite gradient)");
      FORECART_RETURN_IF_ERROR(adam.step(w.arena, grads));
      st.loss_sum += ss.loss * static_cast<double>(ss.positions);
      st.item_sum += ss.item_loss * static_cast<double>(ss.positions);
      st.action_sum += ss.action_loss * static_cast<double>(ss.positions);
      st.positions += ss.positions;
      st.epoch_tokens += ss.tokens;
      const double secs = st.epoch_secs + std::chrono::duration<double>(Clock::now() - te).count();
      if (progress.on_step) {
        progress.on_step(st.epoch, st.step + 1, steps,
                         st.loss_sum / static_cast<double>(std::max<uint64_t>(1, st.positions)),
                         secs > 0 ? static_cast<double>(st.epoch_tokens) / secs : 0.0);
      }
      ++steps_this_process;
      if (o.checkpoint_every && (st.step + 1) % o.checkpoint_every == 0 && st.step + 1 < steps) {
        st.epoch_secs = secs;
        te = Clock::now();
        ++st.step;  // the checkpoint resumes at the next step
        Status cs = checkpoint();
        --st.step;
        FORECART_RETURN_IF_ERROR(cs);
      }
      if (o.halt_after_steps && steps_this_process == o.halt_after_steps && o.halt) o.halt();
    }
    EpochLog log;
    log.epoch = st.epoch;
    const double train_secs = st.epoch_secs + std::chrono::duration<double>(Clock::now() - te).count();
    const double denom = static_cast<double>(std::max<uint64_t>(1, st.positions));
    log.loss = st.loss_sum / denom;
    log.item_loss = st.item_sum / denom;
    log.action_loss = st.action_sum / denom;
    log.tokens_per_s = train_secs > 0 ? static_cast<double>(st.epoch_tokens) / train_secs : 0.0;

    const auto tv = Clock::now();
    Model m = Model::from_weights(w, res.meta, /*quantize=*/false);
    Result<EvalReport> val = evaluate(m, ds, eo);
    if (!val.ok()) return val.status();
    log.val_hr10 = val.value().model.full.hr10;
    log.val_ndcg10 = val.value().model.full.ndcg10;
    log.seconds = train_secs + std::chrono::duration<double>(Clock::now() - tv).count();
    st.log.push_back(log);
    if (log.val_ndcg10 > st.best) {
      st.best = log.val_ndcg10;
      st.best_epoch = st.epoch;
      best_w.arena = w.arena;
      st.since_best = 0;
    } else {
      ++st.since_best;
    }
    if (progress.on_epoch) progress.on_epoch(log);
    st.elapsed += log.seconds;
    st.order.clear();  // the next epoch shuffles anew
    st.step = 0;
    const bool stop = st.since_best >= o.patience || st.epoch == o.epochs ||
                      (o.time_budget_s > 0 && st.elapsed + log.seconds > o.time_budget_s);
    ++st.epoch;  // a checkpoint taken now resumes at the next epoch
    Status cs = checkpoint();
    --st.epoch;
    FORECART_RETURN_IF_ERROR(cs);
    if (stop) break;
  }
  res.weights = best_w;
  res.log = st.log;
  res.best_epoch = st.best_epoch;
  res.seconds = st.elapsed;
  return res;
}

}  // namespace forecart::train
