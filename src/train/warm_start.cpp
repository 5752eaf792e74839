// Implements warm_start.h: shape checks, then the tensors copied with item rows by id and action rows by name.
#include "train/warm_start.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace forecart::train {

namespace {

Status check_shape(const ModelConfig& a, const ModelConfig& b) {
  struct Field {
    const char* name;
    uint32_t old_value, new_value;
  };
  const Field fields[] = {{"dim", a.dim, b.dim},
                          {"layers", a.layers, b.layers},
                          {"heads", a.heads, b.heads},
                          {"ffn_dim", a.ffn_dim, b.ffn_dim},
                          {"max_len", a.max_len, b.max_len},
                          {"time_buckets", a.time_buckets, b.time_buckets},
                          {"activation", static_cast<uint32_t>(a.activation), static_cast<uint32_t>(b.activation)},
                          {"actions", a.num_actions, b.num_actions}};
  for (const Field& f : fields)
    if (f.old_value != f.new_value)
      return invalid_argument(std::string("the model has ") + f.name + " " + std::to_string(f.old_value) +
                              ", this training " + std::to_string(f.new_value) + ": warm start needs the same shape");
  return Status::Ok();
}

// new action index -> old one, by name.
Result<std::vector<uint32_t>> action_map(const ModelMeta& old_meta, const ModelMeta& meta) {
  std::vector<uint32_t> map;
  for (const std::string& name : meta.action_names) {
    auto it = std::find(old_meta.action_names.begin(), old_meta.action_names.end(), name);
    if (it == old_meta.action_names.end())
      return invalid_argument("the model has no action '" + name + "' (it has " +
                              std::to_string(old_meta.action_names.size()) +
                              " others): warm start needs the same actions");
    map.push_back(static_cast<uint32_t>(it - old_meta.action_names.begin()));
  }
  return map;
}

}  // namespace

Status warm_start(const Model& old, const ModelMeta& meta, ModelWeights* w, WarmStartReport* report) {
  const ModelConfig& c = w->config;
  FORECART_RETURN_IF_ERROR(check_shape(old.config, c));
  Result<std::vector<uint32_t>> actions = action_map(old.meta, meta);
  if (!actions.ok()) return actions.status();
  WarmStartReport rep;
  rep.dequantized = old.items.quantized;

  // new vocab id -> old vocab id (0 = a new item; id 0 is the unknown item in both).
  std::vector<uint32_t> from(c.vocab(), 0);
  for (uint32_t i = 0; i < meta.item_ids.size(); ++i) {
    from[i + 1] = old.item_index(meta.item_ids[i]);
    (from[i + 1] ? rep.kept : rep.added) += 1;
  }
  rep.removed = old.meta.item_ids.size() - rep.kept;

  const size_t d = c.dim;
  float* emb = w->tensor("item_emb");
  for (uint32_t v = 0; v < c.vocab(); ++v)
    if (v == 0 || from[v] != 0) old.items.row(from[v], emb + v * d);

  for (const ParamTensor& t : old.rest.layout.tensors) {
    const float* in = old.rest.tensor(t.name);
    const ParamTensor* nt = w->layout.find(t.name);
    if (nt == nullptr) return invalid_argument("the model has a tensor '" + t.name + "' this training does not");
    float* out = w->arena.data() + nt->offset;
    if (t.name == "item_bias") {
      for (uint32_t v = 0; v < c.vocab(); ++v)
        if (v == 0 || from[v] != 0) out[v] = in[from[v]];
    } else if (t.name == "action_emb" || t.name == "action_w") {
      for (size_t a = 0; a < actions.value().size(); ++a)
        std::memcpy(out + a * d, in + actions.value()[a] * d, d * sizeof(float));
    } else if (t.name == "action_b") {
      for (size_t a = 0; a < actions.value().size(); ++a) out[a] = in[actions.value()[a]];
    } else if (nt->size() == t.size()) {
      std::memcpy(out, in, t.size() * sizeof(float));
    } else {
      return invalid_argument("tensor '" + t.name + "' has another shape in the model");
    }
  }
  if (report) *report = rep;
  return Status::Ok();
}

}  // namespace forecart::train
