// Model hyperparameters (all stored in the .fcm file) and the flat parameter layout.
//
// Vocabulary: item index 0 is the reserved "unknown" item; catalogue items are 1..num_items.
// The item embedding table therefore has vocab() = num_items + 1 rows.
// Time gaps (seconds since the previous event) map to log-spaced buckets, see time_bucket().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace forecart {

// Append-only: the numbers are stored in model files.
enum class Activation : uint32_t { kGelu = 0, kRelu = 1 };

struct ModelConfig {
  uint32_t num_items = 0;    // catalogue items, not counting the unknown id 0
  uint32_t num_actions = 1;  // action types (names live in the model file)
  uint32_t dim = 64;         // d
  uint32_t layers = 2;
  uint32_t heads = 2;
  uint32_t ffn_dim = 256;      // 4d by default
  uint32_t max_len = 50;       // events attended to; longer histories slide
  uint32_t time_buckets = 20;  // bucket 0 = no previous event / no time
  Activation activation = Activation::kGelu;
  float norm_eps = 1e-5f;

  uint32_t vocab() const { return num_items + 1; }
  uint32_t head_dim() const { return heads ? dim / heads : 0; }
  Status validate() const;
};

// Bucket of the gap between two event times (unix seconds). Bucket 0 when either time is
// unknown (< 0) or for the first event; otherwise 1 + floor(log2(1 + gap)), capped.
uint32_t time_bucket(int64_t prev_time, int64_t time, uint32_t num_buckets);

// One named tensor inside the flat parameter arena. All matrices are row-major
// [rows, cols]; linear layers store [out, in] so that y = W x + b reads rows.
struct ParamTensor {
  std::string name;
  uint32_t rows = 0;
  uint32_t cols = 0;
  size_t offset = 0;  // in floats, within the arena
  size_t size() const { return static_cast<size_t>(rows) * cols; }
};

// Offsets of every parameter, in a fixed order. Names (used in the model file):
//   item_emb [V,d]  item_bias [1,V]  action_emb [A,d]  time_emb [B,d]  pos_emb [L,d]
//   blocks.{l}.ln1_g/ln1_b [1,d]  .qkv_w [3d,d] .qkv_b [1,3d]  .proj_w [d,d] .proj_b [1,d]
//              .ln2_g/ln2_b [1,d]  .fc1_w [f,d] .fc1_b [1,f]  .fc2_w [d,f] .fc2_b [1,d]
//   lnf_g/lnf_b [1,d]  action_w [A,d]  action_b [1,A]
struct ParamLayout {
  std::vector<ParamTensor> tensors;
  size_t total = 0;

  // include_item_emb = false leaves the item table out (inference keeps it separately,
  // possibly int8, so that a large catalogue is never held twice).
  static ParamLayout build(const ModelConfig& c, bool include_item_emb = true);
  const ParamTensor* find(const std::string& name) const;
};

// Pointers into one arena (parameters, gradients or Adam moments share this view).
struct BlockView {
  float *ln1_g, *ln1_b, *qkv_w, *qkv_b, *proj_w, *proj_b;
  float *ln2_g, *ln2_b, *fc1_w, *fc1_b, *fc2_w, *fc2_b;
};
struct ParamView {
  float* item_emb = nullptr;  // null when the layout leaves the item table out
  float *item_bias, *action_emb, *time_emb, *pos_emb;
  std::vector<BlockView> blocks;
  float *lnf_g, *lnf_b, *action_w, *action_b;

  static ParamView bind(const ParamLayout& layout, float* arena);
};

// fp32 parameters of one model.
struct ModelWeights {
  ModelConfig config;
  ParamLayout layout;
  std::vector<float> arena;

  static ModelWeights zeros(const ModelConfig& c, bool include_item_emb = true);
  // Standard init: N(0, 0.02) for matrices and embeddings, LayerNorm gains 1, biases 0.
  static ModelWeights random(const ModelConfig& c, uint64_t seed);
  ParamView view() { return ParamView::bind(layout, arena.data()); }
  float* tensor(const std::string& name);  // null when the layout has no such tensor
  const float* tensor(const std::string& name) const;
};

}  // namespace forecart
