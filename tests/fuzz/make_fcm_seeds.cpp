// Writes small valid .fcm files of assorted configs (fp32 and int8, with and without categories, gelu and relu,
// no layers, max_len 1, one item, no items, unicode ids) into the directory given, as seeds for
// fuzz_fcm_reader. Usage: make_fcm_seeds OUT_DIR. Deterministic: the same files every run.
#include <cstdio>
#include <string>
#include <vector>

#include "format/fcm.h"
#include "model/model.h"

namespace {

using namespace forecart;

struct Seed {
  const char* name;
  ModelConfig config;
  bool quantize;
  bool categories;
};

ModelConfig config(uint32_t items, uint32_t actions, uint32_t dim, uint32_t layers, uint32_t heads, uint32_t ffn,
                   uint32_t max_len, uint32_t buckets, Activation act) {
  ModelConfig c;
  c.num_items = items;
  c.num_actions = actions;
  c.dim = dim;
  c.layers = layers;
  c.heads = heads;
  c.ffn_dim = ffn;
  c.max_len = max_len;
  c.time_buckets = buckets;
  c.activation = act;
  return c;
}

Model make_model(const Seed& s, uint64_t seed) {
  const ModelConfig& c = s.config;
  ModelMeta meta;
  static const char* const kActions[] = {"view", "cart", "purchase", "follow"};
  for (uint32_t a = 0; a < c.num_actions; ++a)
    meta.action_names.push_back(kActions[a % 4] + std::string(a >= 4 ? "2" : ""));
  for (uint32_t i = 0; i < c.num_items; ++i) {
    // Mostly ASCII, one multi-byte UTF-8 id (a real storefront might use either).
    meta.item_ids.push_back(i == 1 ? std::string("\xc3\xa9t\xc3\xa9-\xe2\x82\xac") : "sku-" + std::to_string(i));
    meta.popularity.push_back(1.0f / static_cast<float>(c.num_items));
  }
  if (s.categories && c.num_items > 0) {
    meta.category_names = {"shoes", "", "books"};  // an empty category name is allowed
    for (uint32_t i = 0; i < c.num_items; ++i) meta.item_category.push_back(i % 3);
  }
  Model m = Model::from_weights(ModelWeights::random(c, seed), std::move(meta), s.quantize);
  if (s.quantize) round_trip_int8(m);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const std::vector<Seed> seeds = {
      {"tiny_fp32", config(5, 2, 4, 1, 2, 8, 3, 4, Activation::kGelu), false, false},
      {"tiny_int8", config(5, 2, 4, 1, 2, 8, 3, 4, Activation::kGelu), true, false},
      {"categories_int8", config(6, 3, 4, 1, 1, 4, 2, 3, Activation::kRelu), true, true},
      {"categories_fp32", config(4, 1, 2, 1, 1, 2, 2, 2, Activation::kGelu), false, true},
      {"no_layers_int8", config(3, 1, 2, 0, 1, 2, 1, 1, Activation::kGelu), true, false},
      {"two_layers_int8", config(4, 4, 4, 2, 2, 4, 4, 5, Activation::kRelu), true, false},
      {"one_item_fp32", config(1, 1, 1, 1, 1, 1, 1, 1, Activation::kGelu), false, false},
      {"no_items_int8", config(0, 1, 2, 1, 1, 2, 2, 2, Activation::kGelu), true, false},
  };
  uint64_t seed = 1;
  for (const Seed& s : seeds) {
    Model m = make_model(s, seed++);
    if (s.name == std::string("categories_int8")) m.meta.card = R"({"data":"seed","epochs":1})";  // a v2 section
    const std::string path = dir + "/" + s.name + ".fcm";
    const Status st = write_model_file(m, path);
    if (!st.ok()) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), st.to_string().c_str());
      return 1;
    }
  }
  return 0;
}
