// A loaded model: config, catalogue metadata and weights ready for inference.
// The item table is kept apart from the other parameters, as fp32 or int8, so that a large
// catalogue is held once and in the format it was shipped in.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "model/action_head.h"
#include "model/config.h"
#include "model/evidence.h"
#include "quant/q8.h"

namespace forecart {

struct ModelMeta {
  std::vector<std::string> action_names;    // num_actions names, e.g. view, cart, purchase
  std::vector<std::string> item_ids;        // num_items storefront ids; item_ids[i] is vocab id i + 1
  std::vector<std::string> category_names;  // empty when the model has no category table
  std::vector<uint32_t> item_category;      // num_items indices into category_names (when present)
  std::vector<float> popularity;            // num_items probabilities (the empty-history fallback)
  uint32_t default_action = 0;              // the most frequent training action: an event recorded without one
  std::string card;                         // JSON text: how the model was made ("" = none)
};

struct ItemTable {
  bool quantized = false;
  uint32_t rows = 0;       // vocab = num_items + 1
  uint32_t cols = 0;       // dim
  std::vector<float> f32;  // rows * cols when !quantized
  Q8Matrix q8;             // when quantized

  // Dequantized row r into out[cols].
  void row(uint32_t r, float* out) const;
};

struct Model {
  ModelConfig config;
  ModelMeta meta;
  ItemTable items;
  ModelWeights rest;       // every parameter except item_emb (layout built without it)
  Evidence evidence;       // follow/repeat terms (model/evidence.h); inactive when the file has none
  ActionHead action_head;  // prior + learned correction (model/action_head.h); inactive when the file has none

  // Vocab id of a storefront id, 0 (unknown) when absent.
  uint32_t item_index(const std::string& id) const;
  void build_index();  // fills the id -> index map; called by the reader and by from_weights

  // A model from fp32 training weights (quantize = int8 item table).
  static Model from_weights(const ModelWeights& w, ModelMeta meta, bool quantize);

 private:
  std::unordered_map<std::string, uint32_t> index_;
};

// Loading a model takes about kLoadMemoryFactor times its file size of memory at the peak: the
// file's own bytes plus the loaded model (int8 table, id table and index, session buffers, about
// 3.3x). Refuses (limit_exceeded, with both sizes in the message) a file that cannot fit under
// memory_max, so that the WASM build never lets an allocation fail, which aborts the module.
constexpr double kLoadMemoryFactor = 4.3;
Status admit_model_file(size_t file_bytes, size_t memory_max);

}  // namespace forecart
