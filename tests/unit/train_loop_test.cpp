// The training loop and the evaluator on real data: the loss falls, a seed reproduces the model
// bit for bit, and eval's metrics equal a brute-force recomputation (pessimistic ties included).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sys/stat.h>

#include "data/events.h"
#include "format/fcm.h"
#include "model/session.h"
#include "train/eval.h"
#include "train/trainer.h"

#ifndef FORECART_DATA_DIR
#define FORECART_DATA_DIR "/work/shared/data"
#endif
#ifndef FORECART_TEST_DIR
#define FORECART_TEST_DIR "/work/main/tests"
#endif

using namespace forecart;

namespace {

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

data::Dataset load(const std::string& path, data::ReadOptions o = {}) {
  auto ds = data::read_events({path}, o);
  REQUIRE(ds.ok());
  return ds.take();
}

train::TrainerOptions tiny_options(uint32_t epochs) {
  train::TrainerOptions o;
  o.model.dim = 16;
  o.model.layers = 1;
  o.model.heads = 2;
  o.model.max_len = 20;
  o.epochs = epochs;
  o.graph.max_batch = 32;
  o.adam.lr = 5e-3f;
  o.patience = 100;
  o.graph.threads = 2;
  o.graph.seed = 7;
  return o;
}

}  // namespace

TEST_CASE("training lowers the loss on real data and keeps the best epoch", "[train][loop]") {
  // JD.com sessions with four action types when the shared data is here; else the verbatim Beauty excerpt.
  const std::string jd = std::string(FORECART_DATA_DIR) + "/jd_microbehavior_demo/train.csv.gz";
  data::ReadOptions ro;
  std::string path = std::string(FORECART_TEST_DIR) + "/fixtures/beauty_head20.txt.gz";
  if (exists(jd)) {
    path = jd;
    ro.columns = "user=user_id,item=sku_id,action=type,time=action_time";
    ro.actions = "1=view,2=purchase,3=follow,4=comment";
  } else {
    WARN("shared data not found: training on tests/fixtures/beauty_head20.txt.gz");
  }
  data::Dataset ds = load(path, ro);
  auto r = train::train_model(ds, tiny_options(4));
  REQUIRE(r.ok());
  const auto& res = r.value();
  REQUIRE(res.log.size() == 4);
  REQUIRE(res.log.back().loss < res.log.front().loss);
  REQUIRE(res.log.back().item_loss < res.log.front().item_loss);
  for (const auto& e : res.log) REQUIRE(std::isfinite(e.loss));
  double best = -1;
  for (const auto& e : res.log) best = std::max(best, e.val_ndcg10);
  REQUIRE(res.log[res.best_epoch - 1].val_ndcg10 == best);
  REQUIRE(res.meta.item_ids == ds.item_ids);
  REQUIRE(res.meta.action_names == ds.action_names);
}

TEST_CASE("the same seed and thread count give the same model bytes", "[train][loop]") {
  data::Dataset ds = load(std::string(FORECART_TEST_DIR) + "/fixtures/beauty_head20.txt.gz");
  auto bytes = [&](uint32_t threads) {
    auto o = tiny_options(2);
    o.graph.threads = threads;
    auto r = train::train_model(ds, o);
    REQUIRE(r.ok());
    auto b = write_model(Model::from_weights(r.value().weights, r.value().meta, true));
    REQUIRE(b.ok());
    return b.take();
  };
  REQUIRE(bytes(1) == bytes(1));
  REQUIRE(bytes(2) == bytes(2));
}

TEST_CASE("trainer rejects data with nothing to learn from", "[train][loop]") {
  auto ds = data::read_events_text("u1 a\nu2 b\n", "two.txt", {});
  REQUIRE(ds.ok());
  auto r = train::train_model(ds.value(), tiny_options(1));
  REQUIRE(r.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("eval metrics equal a brute-force recomputation", "[train][eval]") {
  data::Dataset ds = load(std::string(FORECART_TEST_DIR) + "/fixtures/beauty_head20.txt.gz");
  auto r = train::train_model(ds, tiny_options(2));
  REQUIRE(r.ok());
  for (bool quantize : {false, true}) {
    for (bool mask : {false, true}) {
      Model m = Model::from_weights(r.value().weights, r.value().meta, quantize);
      train::EvalOptions eo;
      eo.mask_seen = mask;
      auto rep = train::evaluate(m, ds, eo);
      REQUIRE(rep.ok());
      // Brute force through the Session API: pessimistic rank over all other catalogue items.
      double hr = 0, ndcg = 0, mrr = 0;
      size_t users = 0;
      Session s(m);
      std::vector<float> logits(m.config.vocab());
      for (const auto& seq : ds.sequences) {
        if (seq.size() < 3) continue;
        ++users;
        s.reset();
        // eval replays the newest max_len events of the history (this data has no times).
        const size_t n = seq.size() - 1, start = n > m.config.max_len ? n - m.config.max_len : 0;
        for (size_t i = start; i < n; ++i) REQUIRE(s.record(ds.item_ids[seq[i].item], "view", -1).ok());
        s.logits(logits.data());
        const uint32_t target = m.item_index(ds.item_ids[seq.back().item]);
        std::vector<uint8_t> seen(m.config.vocab(), 0);
        for (size_t i = 0; i + 1 < seq.size(); ++i) seen[m.item_index(ds.item_ids[seq[i].item])] = 1;
        size_t rank = 1;
        for (uint32_t i = 1; i < m.config.vocab(); ++i)
          if (i != target && !(mask && seen[i]) && logits[i] >= logits[target]) ++rank;
        if (rank <= 10) {
          hr += 1;
          ndcg += 1 / std::log2(rank + 1.0);
        }
        if (rank <= 20) mrr += 1.0 / rank;
      }
      const auto& e = rep.value();
      REQUIRE(e.users == users);
      REQUIRE(e.model.full.hr10 == Approx(hr / users).margin(1e-4));
      REQUIRE(e.model.full.ndcg10 == Approx(ndcg / users).margin(1e-4));
      REQUIRE(e.model.full.mrr20 == Approx(mrr / users).margin(1e-4));
      REQUIRE(e.model.sampled.hr10 >= e.model.full.hr10);  // 100 negatives are a subset of the catalogue
    }
  }
}

TEST_CASE("eval: ties count against the model, baselines and action metrics", "[train][eval]") {
  // Three shoppers, real-looking ids; a model whose weights are all zero scores every item equally.
  const std::string text =
      "user,item,action,time\n"
      "a,i1,view,1\na,i2,view,2\na,i3,cart,3\na,i4,purchase,4\n"
      "b,i1,view,1\nb,i2,view,2\nb,i5,view,3\nb,i4,purchase,4\n"
      "c,i2,view,1\nc,i3,cart,2\nc,i4,view,3\nc,i6,purchase,4\n";
  auto ds_r = data::read_events_text(text, "tiny.csv", {});
  REQUIRE(ds_r.ok());
  const data::Dataset& ds = ds_r.value();
  ModelConfig c;
  c.num_items = static_cast<uint32_t>(ds.item_ids.size());
  c.num_actions = static_cast<uint32_t>(ds.action_names.size());
  c.dim = 8;
  c.layers = 1;
  c.ffn_dim = 16;
  c.max_len = 4;
  ModelWeights w = ModelWeights::zeros(c);
  for (const auto& t : w.layout.tensors)
    if (t.name.size() > 2 && t.name.substr(t.name.size() - 2) == "_g")
      for (size_t i = 0; i < t.size(); ++i) w.arena[t.offset + i] = 1.0f;
  ModelMeta meta;
  meta.action_names = ds.action_names;
  meta.item_ids = ds.item_ids;
  meta.popularity.assign(c.num_items, 1.0f / c.num_items);
  Model m = Model::from_weights(w, meta, false);
  train::EvalOptions eo;
  eo.negatives = 3;
  auto rep = train::evaluate(m, ds, eo);
  REQUIRE(rep.ok());
  const auto& e = rep.value();
  REQUIRE(e.users == 3);
  REQUIRE(e.items == 6);
  // All 6 items tie: the target's rank is 6 (pessimistic), so HR@10 = 1 but MRR@20 = 1/6 and NDCG@10 = 1/log2(7).
  REQUIRE(e.model.full.hr10 == Approx(1.0));
  REQUIRE(e.model.full.mrr20 == Approx(1.0 / 6));
  REQUIRE(e.model.full.ndcg10 == Approx(1.0 / std::log2(7.0)));
  // Popular from the training parts (a: i1,i2; b: i1,i2; c: i2,i3): i4 and i6 have count 0 and tie
  // with i5 (0) -> for targets i4 (a, b) and i6 (c) the rank is 1 + #{items with count >= 0, others}.
  REQUIRE(e.baselines.size() == 3);
  REQUIRE(e.baselines[0].name == "popular");
  REQUIRE(e.baselines[0].report.full.mrr20 == Approx((1.0 / 6 + 1.0 / 6 + 1.0 / 6) / 3));
  REQUIRE(e.has_actions);
  // Targets: purchase, purchase, purchase; last history actions: cart, view, view.
  REQUIRE(e.action_baselines.at(0).name == "last_action");
  REQUIRE(e.action_baselines[0].metrics.accuracy == Approx(0.0));
  REQUIRE(e.action_baselines[0].metrics.purchase_auc < 0);  // one class only among targets: AUC undefined
  // A model that ties everything is at no baseline's level.
  REQUIRE_FALSE(e.model_beats_baselines());
}

TEST_CASE("eval: the recent baseline ranks the user's own items newest first", "[train][eval]") {
  // Test targets: a comes back to i1 (its 4th newest item), b to i5 (2nd newest), c to i9 (never seen).
  const std::string text =
      "user,item\n"
      "a,i1\na,i2\na,i3\na,i4\na,i1\n"
      "b,i3\nb,i5\nb,i6\nb,i5\n"
      "c,i7\nc,i8\nc,i2\nc,i9\n";
  auto ds_r = data::read_events_text(text, "repeat.csv", {});
  REQUIRE(ds_r.ok());
  const data::Dataset& ds = ds_r.value();
  ModelConfig c;
  c.num_items = static_cast<uint32_t>(ds.item_ids.size());
  c.dim = 8;
  c.layers = 1;
  c.ffn_dim = 16;
  c.max_len = 4;
  ModelWeights w = ModelWeights::zeros(c);
  ModelMeta meta;
  meta.action_names = ds.action_names;
  meta.item_ids = ds.item_ids;
  meta.popularity.assign(c.num_items, 1.0f / c.num_items);
  const Model m = Model::from_weights(w, meta, false);
  train::EvalOptions eo;
  eo.negatives = 3;
  auto rep = train::evaluate(m, ds, eo);
  REQUIRE(rep.ok());
  const auto& e = rep.value();
  REQUIRE(e.baselines.at(2).name == "recent");
  // a: history i1 i2 i3 i4 -> i1 is the 4th newest (rank 4); b: i3 i5 i6 -> i5 rank 2; c: i9 is
  // neither in the history nor in training: last of the 9 items (pessimistic tie), rank 9.
  REQUIRE(e.baselines[2].report.full.mrr20 == Approx((1.0 / 4 + 1.0 / 2 + 1.0 / 9) / 3));
  REQUIRE(e.baselines[2].report.full.ndcg10 ==
          Approx((1 / std::log2(5.0) + 1 / std::log2(3.0) + 1 / std::log2(10.0)) / 3));
  // Popular (training counts: i3 2, i1 i2 i5 i7 i8 1): ranks 6, 6 and 9.
  REQUIRE(e.baselines[0].report.full.mrr20 == Approx((1.0 / 6 + 1.0 / 6 + 1.0 / 9) / 3));
  // Co-occurrence: b's i3 was followed by i5 in training, so b's target ranks 1; a's i1 follows
  // nothing (rank 6 among the tied), c's i9 is last (9).
  REQUIRE(e.baselines[1].report.full.mrr20 == Approx((1.0 / 6 + 1.0 + 1.0 / 9) / 3));
  REQUIRE(e.best_baseline(&train::RankMetrics::mrr20) == "cooccurrence");
  REQUIRE(e.best_baseline(&train::RankMetrics::ndcg10) == "cooccurrence");
  REQUIRE_FALSE(e.model_beats_baselines());
}
