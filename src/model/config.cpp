// Implements model/config.h: config validation, the parameter layout and random initialisation.
#include "model/config.h"

#include <cmath>
#include <random>

#include "core/limits.h"

namespace forecart {

Status ModelConfig::validate() const {
  auto bad = [](const std::string& m) { return corrupt_model("model config: " + m); };
  if (num_items > kMaxItems)
    return bad("num_items " + std::to_string(num_items) + " exceeds " + std::to_string(kMaxItems));
  if (num_actions == 0 || num_actions > kMaxActions)
    return bad("num_actions must be 1.." + std::to_string(kMaxActions));
  if (dim == 0 || dim > kMaxDim) return bad("dim must be 1.." + std::to_string(kMaxDim));
  if (heads == 0 || dim % heads != 0) return bad("dim must be a multiple of heads");
  if (layers > kMaxLayers) return bad("layers must be at most " + std::to_string(kMaxLayers));
  if (ffn_dim == 0 || ffn_dim > 8 * kMaxDim) return bad("ffn_dim out of range");
  if (max_len == 0 || max_len > kMaxSeqLen) return bad("max_len must be 1.." + std::to_string(kMaxSeqLen));
  if (time_buckets == 0 || time_buckets > kMaxTimeBuckets)
    return bad("time_buckets must be 1.." + std::to_string(kMaxTimeBuckets));
  if (activation != Activation::kGelu && activation != Activation::kRelu) return bad("unknown activation");
  if (!(norm_eps > 0.0f && norm_eps < 1.0f)) return bad("norm_eps out of range");
  return Status::Ok();
}

uint32_t time_bucket(int64_t prev_time, int64_t time, uint32_t num_buckets) {
  if (num_buckets <= 1 || prev_time < 0 || time < 0) return 0;
  int64_t gap = time - prev_time;
  if (gap < 0) gap = 0;
  uint32_t b = 1;
  uint64_t g = static_cast<uint64_t>(gap) + 1;
  while (g > 1 && b + 1 < num_buckets) {  // 1 + floor(log2(1 + gap)), capped at num_buckets - 1
    g >>= 1;
    ++b;
  }
  return b;
}

ParamLayout ParamLayout::build(const ModelConfig& c, bool include_item_emb) {
  ParamLayout p;
  auto add = [&p](std::string name, uint32_t rows, uint32_t cols) {
    ParamTensor t{std::move(name), rows, cols, p.total};
    p.total += t.size();
    p.tensors.push_back(std::move(t));
  };
  const uint32_t d = c.dim, f = c.ffn_dim;
  if (include_item_emb) add("item_emb", c.vocab(), d);
  add("item_bias", 1, c.vocab());
  add("action_emb", c.num_actions, d);
  add("time_emb", c.time_buckets, d);
  add("pos_emb", c.max_len, d);
  for (uint32_t l = 0; l < c.layers; ++l) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    add(b + "ln1_g", 1, d);
    add(b + "ln1_b", 1, d);
    add(b + "qkv_w", 3 * d, d);
    add(b + "qkv_b", 1, 3 * d);
    add(b + "proj_w", d, d);
    add(b + "proj_b", 1, d);
    add(b + "ln2_g", 1, d);
    add(b + "ln2_b", 1, d);
    add(b + "fc1_w", f, d);
    add(b + "fc1_b", 1, f);
    add(b + "fc2_w", d, f);
    add(b + "fc2_b", 1, d);
  }
  add("lnf_g", 1, d);
  add("lnf_b", 1, d);
  add("action_w", c.num_actions, d);
  add("action_b", 1, c.num_actions);
  return p;
}

const ParamTensor* ParamLayout::find(const std::string& name) const {
  for (const auto& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

ParamView ParamView::bind(const ParamLayout& layout, float* arena) {
  auto at = [&](const std::string& name) -> float* {
    const ParamTensor* t = layout.find(name);
    return t ? arena + t->offset : nullptr;
  };
  ParamView v{};
  v.item_emb = at("item_emb");
  v.item_bias = at("item_bias");
  v.action_emb = at("action_emb");
  v.time_emb = at("time_emb");
  v.pos_emb = at("pos_emb");
  for (uint32_t l = 0;; ++l) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    if (!layout.find(b + "ln1_g")) break;
    BlockView k{};
    k.ln1_g = at(b + "ln1_g");
    k.ln1_b = at(b + "ln1_b");
    k.qkv_w = at(b + "qkv_w");
    k.qkv_b = at(b + "qkv_b");
    k.proj_w = at(b + "proj_w");
    k.proj_b = at(b + "proj_b");
    k.ln2_g = at(b + "ln2_g");
    k.ln2_b = at(b + "ln2_b");
    k.fc1_w = at(b + "fc1_w");
    k.fc1_b = at(b + "fc1_b");
    k.fc2_w = at(b + "fc2_w");
    k.fc2_b = at(b + "fc2_b");
    v.blocks.push_back(k);
  }
  v.lnf_g = at("lnf_g");
  v.lnf_b = at("lnf_b");
  v.action_w = at("action_w");
  v.action_b = at("action_b");
  return v;
}

ModelWeights ModelWeights::zeros(const ModelConfig& c, bool include_item_emb) {
  ModelWeights w;
  w.config = c;
  w.layout = ParamLayout::build(c, include_item_emb);
  w.arena.assign(w.layout.total, 0.0f);
  return w;
}
ModelWeights ModelWeights::random(const ModelConfig& c, uint64_t seed) {
  ModelWeights w = zeros(c);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  for (const auto& t : w.layout.tensors) {
    float* p = w.arena.data() + t.offset;
    const bool gain = t.name.size() >= 2 && t.name.compare(t.name.size() - 2, 2, "_g") == 0;
    const bool bias = t.rows == 1;
    for (size_t i = 0; i < t.size(); ++i) p[i] = gain ? 1.0f : bias ? 0.0f : normal(rng);
  }
  return w;
}

float* ModelWeights::tensor(const std::string& name) {
  const ParamTensor* t = layout.find(name);
  return t ? arena.data() + t->offset : nullptr;
}

const float* ModelWeights::tensor(const std::string& name) const {
  const ParamTensor* t = layout.find(name);
  return t ? arena.data() + t->offset : nullptr;
}

}  // namespace forecart
