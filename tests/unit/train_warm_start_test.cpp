// Tests for the warm start of `forecart train --init-from` (train/warm_start.h): item rows follow their ids,
// new items keep their fresh rows, action rows follow their names, the other tensors are copied, an int8
// item table is dequantized, and a model of another shape or other actions is refused with the reason.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "test_util.h"
#include "train/warm_start.h"

using namespace forecart;
using namespace forecart::train;

namespace {

// Row r of a [rows, cols] tensor.
std::vector<float> row(const ModelWeights& w, const std::string& name, uint32_t r) {
  const ParamTensor* t = w.layout.find(name);
  REQUIRE(t != nullptr);
  const float* p = w.arena.data() + t->offset + size_t{r} * t->cols;
  return std::vector<float>(p, p + t->cols);
}

std::vector<float> item_row(const Model& m, uint32_t v) {
  std::vector<float> out(m.config.dim);
  m.items.row(v, out.data());
  return out;
}

// The new training's metadata: old items sku-3 and sku-1 (in that order), a new item, actions reordered.
ModelMeta new_meta() {
  ModelMeta meta;
  meta.item_ids = {"sku-3", "brand-new", "sku-1"};
  meta.action_names = {"purchase", "view", "cart"};
  return meta;
}

}  // namespace

TEST_CASE("warm start: item rows by id, action rows by name, the rest copied", "[train][warm]") {
  const ModelConfig old_c = test::tiny_config(5);
  for (bool quantized : {false, true}) {
    INFO("quantized " << quantized);
    const Model old = test::random_model(old_c, 11, quantized);
    ModelConfig c = old_c;
    c.num_items = 3;
    ModelWeights w = ModelWeights::random(c, 99);
    const ModelWeights fresh = w;
    WarmStartReport rep;
    REQUIRE(warm_start(old, new_meta(), &w, &rep).ok());
    CHECK(rep.kept == 2);
    CHECK(rep.added == 1);
    CHECK(rep.removed == 3);
    CHECK(rep.dequantized == quantized);

    CHECK(row(w, "item_emb", 0) == item_row(old, 0));  // the unknown item
    CHECK(row(w, "item_emb", 1) == item_row(old, 3));  // sku-3
    CHECK(row(w, "item_emb", 2) == row(fresh, "item_emb", 2));
    CHECK(row(w, "item_emb", 3) == item_row(old, 1));  // sku-1
    const std::vector<float> bias = row(w, "item_bias", 0), old_bias = row(old.rest, "item_bias", 0);
    CHECK(bias[1] == old_bias[3]);
    CHECK(bias[2] == row(fresh, "item_bias", 0)[2]);
    CHECK(bias[3] == old_bias[1]);

    // purchase, view, cart = old actions 2, 0, 1
    CHECK(row(w, "action_emb", 0) == row(old.rest, "action_emb", 2));
    CHECK(row(w, "action_w", 1) == row(old.rest, "action_w", 0));
    CHECK(row(w, "action_b", 0)[2] == row(old.rest, "action_b", 0)[1]);
    for (const char* name : {"pos_emb", "time_emb", "blocks.1.fc2_w", "lnf_g"}) {
      INFO(name);
      const ParamTensor* t = w.layout.find(name);
      REQUIRE(t != nullptr);
      for (uint32_t r = 0; r < t->rows; ++r) CHECK(row(w, name, r) == row(old.rest, name, r));
    }
  }
}

TEST_CASE("warm start: another shape or other actions is refused with the reason", "[train][warm][errors]") {
  const Model old = test::random_model(test::tiny_config(5), 11, true);
  struct Case {
    ModelConfig c;
    const char* says;
  };
  std::vector<Case> cases;
  for (int k = 0; k < 5; ++k) {
    ModelConfig c = test::tiny_config(3);
    const char* says = "";
    switch (k) {
      case 0:
        c.dim = 8, c.ffn_dim = 32, says = "dim 16, this training 8";
        break;
      case 1:
        c.layers = 1, says = "layers 2, this training 1";
        break;
      case 2:
        c.heads = 4, says = "heads 2, this training 4";
        break;
      case 3:
        c.max_len = 20, says = "max_len 12, this training 20";
        break;
      default:
        c.num_actions = 2, says = "actions 3, this training 2";
    }
    cases.push_back({c, says});
  }
  for (const Case& k : cases) {
    ModelWeights w = ModelWeights::random(k.c, 1);
    ModelMeta meta = new_meta();
    meta.action_names.resize(k.c.num_actions);
    Status s = warm_start(old, meta, &w, nullptr);
    INFO(s.to_string());
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message().find(k.says) != std::string::npos);
  }
  ModelWeights w = ModelWeights::random(test::tiny_config(3), 1);
  ModelMeta meta = new_meta();
  meta.action_names[2] = "favourite";
  Status s = warm_start(old, meta, &w, nullptr);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("no action 'favourite'") != std::string::npos);
}
