// Shared helpers for the Catch2 tests: small random models with real-looking metadata.
#pragma once

#include <string>

#include "model/model.h"

namespace forecart::test {

// The value of id in a sparse list (0 when absent).
inline float sparse_value(const SparseScores& s, uint32_t id) {
  for (const auto& [i, v] : s)
    if (i == id) return v;
  return 0.0f;
}

inline ModelConfig tiny_config(uint32_t items = 37, uint32_t dim = 16, uint32_t layers = 2, uint32_t heads = 2,
                               uint32_t max_len = 12) {
  ModelConfig c;
  c.num_items = items;
  c.num_actions = 3;
  c.dim = dim;
  c.layers = layers;
  c.heads = heads;
  c.ffn_dim = 4 * dim;
  c.max_len = max_len;
  c.time_buckets = 12;
  return c;
}

// A model with random weights (std 0.3 so that outputs are far from uniform) and ids "sku-1".. .
inline Model random_model(const ModelConfig& c, uint64_t seed, bool quantize, bool categories = true) {
  ModelWeights w = ModelWeights::random(c, seed);
  for (float& v : w.arena) v *= 15.0f;  // N(0, 0.3); LayerNorm gains become 15: scaled back below
  for (const auto& t : w.layout.tensors) {
    const bool gain = t.name.size() >= 2 && t.name.compare(t.name.size() - 2, 2, "_g") == 0;
    if (gain)
      for (size_t i = 0; i < t.size(); ++i) w.arena[t.offset + i] = 1.0f;
  }
  ModelMeta meta;
  meta.action_names = {"view", "cart", "purchase"};
  meta.action_names.resize(c.num_actions, "other");
  for (uint32_t i = 0; i < c.num_items; ++i) {
    meta.item_ids.push_back("sku-" + std::to_string(i + 1));
    meta.popularity.push_back(1.0f / static_cast<float>(i + 2));
  }
  if (categories) {
    meta.category_names = {"shoes", "bags", "hats"};
    for (uint32_t i = 0; i < c.num_items; ++i) meta.item_category.push_back(i % 3);
  }
  return Model::from_weights(w, std::move(meta), quantize);
}

}  // namespace forecart::test
