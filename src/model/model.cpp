// Model: storefront id lookup, building from training weights, and the memory admission rule for loading.
#include "model/model.h"

#include <cstring>
#include <string>

namespace forecart {

void ItemTable::row(uint32_t r, float* out) const {
  if (quantized) {
    dequantize_row_q8_ref(q8.row(r), q8.scales[r], cols, out);
  } else {
    std::memcpy(out, f32.data() + static_cast<size_t>(r) * cols, cols * sizeof(float));
  }
}

uint32_t Model::item_index(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? 0 : it->second;
}

void Model::build_index() {
  index_.clear();
  index_.reserve(meta.item_ids.size());
  for (size_t i = 0; i < meta.item_ids.size(); ++i) index_.emplace(meta.item_ids[i], static_cast<uint32_t>(i + 1));
}

Model Model::from_weights(const ModelWeights& w, ModelMeta meta, bool quantize) {
  Model m;
  m.config = w.config;
  m.meta = std::move(meta);
  const ParamTensor* emb = w.layout.find("item_emb");
  const float* table = w.arena.data() + emb->offset;
  m.items.rows = emb->rows;
  m.items.cols = emb->cols;
  m.items.quantized = quantize;
  if (quantize) {
    m.items.q8 = quantize_q8_ref(table, emb->rows, emb->cols);
  } else {
    m.items.f32.assign(table, table + emb->size());
  }
  m.rest = ModelWeights::zeros(w.config, /*include_item_emb=*/false);
  for (const auto& t : m.rest.layout.tensors) {
    const ParamTensor* src = w.layout.find(t.name);
    std::memcpy(m.rest.arena.data() + t.offset, w.arena.data() + src->offset, t.size() * sizeof(float));
  }
  m.build_index();
  return m;
}

Status admit_model_file(size_t file_bytes, size_t memory_max) {
  const double need = kLoadMemoryFactor * static_cast<double>(file_bytes);
  if (need <= static_cast<double>(memory_max)) return Status::Ok();
  const auto mib = [](double bytes) { return std::to_string(static_cast<unsigned long long>(bytes) >> 20); };
  return limit_exceeded("model file of " + mib(static_cast<double>(file_bytes)) + " MiB needs about " + mib(need) +
                        " MiB of memory to load; the maximum is " + mib(static_cast<double>(memory_max)) + " MiB");
}

}  // namespace forecart
