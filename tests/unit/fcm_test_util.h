// Helpers of the .fcm tests (format_test.cpp, format_sections_test.cpp): the test's own reading
// of the file layout (FileMap, from the spec in format/fcm.h, so that single fields can be
// corrupted and the checksum re-sealed) and small models with real-looking metadata.
#pragma once

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "format/fcm.h"
#include "model/model.h"

namespace forecart::fcm_test {

using Bytes = std::vector<uint8_t>;

// ---- little-endian helpers of the test's own ----
inline uint32_t get_u32(const Bytes& b, size_t at) {
  return uint32_t{b[at]} | uint32_t{b[at + 1]} << 8 | uint32_t{b[at + 2]} << 16 | uint32_t{b[at + 3]} << 24;
}
inline uint64_t get_u64(const Bytes& b, size_t at) {
  return uint64_t{get_u32(b, at)} | uint64_t{get_u32(b, at + 4)} << 32;
}
inline void put_u32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void put_u64(Bytes& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void put_f32(Bytes& b, size_t at, float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  put_u32(b, at, bits);
}

// Recomputes the trailing XXH64 after an edit, so that the edit reaches the field checks.
inline void reseal(Bytes& b) {
  put_u64(b, b.size() - 8, XXH64(b.data(), b.size() - 8, 0));
}

// Where each field of a valid file lies (an independent reading of the spec).
struct FileMap {
  struct Tensor {
    std::string name;
    size_t name_at, dtype_at, ndim_at, dims_at, offset_at, nbytes_at;
    uint64_t offset, nbytes;
  };
  size_t config_count_at = 0;
  std::vector<size_t> config_key_at;  // the value follows at +4
  size_t action_count_at = 0;
  size_t item_count_at = 0;
  std::vector<size_t> item_id_at;  // the length field of each id
  size_t category_count_at = 0;
  size_t item_category_at = 0;  // first per-item index (when categories)
  size_t popularity_at = 0;
  size_t tensor_count_at = 0;
  std::vector<Tensor> tensors;
  struct Section {  // version >= 2
    size_t tag_at, flags_at, offset_at, nbytes_at;
    uint32_t tag;
    uint64_t offset, nbytes;
  };
  size_t section_count_at = 0;
  std::vector<Section> sections;

  const Tensor& tensor(const std::string& name) const {
    for (const Tensor& t : tensors)
      if (t.name == name) return t;
    FAIL("no tensor " << name);
    return tensors[0];
  }
};

inline FileMap map_file(const Bytes& b) {
  FileMap m;
  size_t at = 20;
  auto skip_string = [&]() {
    const uint32_t n = get_u32(b, at);
    at += 4 + n;
  };
  m.config_count_at = at;
  const uint32_t config_count = get_u32(b, at);
  at += 4;
  for (uint32_t i = 0; i < config_count; ++i, at += 8) m.config_key_at.push_back(at);
  m.action_count_at = at;
  const uint32_t actions = get_u32(b, at);
  at += 4;
  for (uint32_t i = 0; i < actions; ++i) skip_string();
  m.item_count_at = at;
  const uint32_t items = get_u32(b, at);
  at += 4;
  for (uint32_t i = 0; i < items; ++i) {
    m.item_id_at.push_back(at);
    skip_string();
  }
  m.category_count_at = at;
  const uint32_t categories = get_u32(b, at);
  at += 4;
  for (uint32_t i = 0; i < categories; ++i) skip_string();
  if (categories) {
    m.item_category_at = at;
    at += 4 * size_t{items};
  }
  m.popularity_at = at;
  at += 4 * size_t{items};
  m.tensor_count_at = at;
  const uint32_t tensors = get_u32(b, at);
  at += 4;
  for (uint32_t i = 0; i < tensors; ++i) {
    FileMap::Tensor t;
    t.name_at = at;
    t.name = std::string(reinterpret_cast<const char*>(b.data() + at + 4), get_u32(b, at));
    skip_string();
    t.dtype_at = at;
    t.ndim_at = at + 4;
    const uint32_t ndim = get_u32(b, at + 4);
    t.dims_at = at + 8;
    at += 8 + 8 * size_t{ndim};
    t.offset_at = at;
    t.offset = get_u64(b, at);
    t.nbytes_at = at + 8;
    t.nbytes = get_u64(b, at + 8);
    at += 16;
    m.tensors.push_back(t);
  }
  if (get_u32(b, 4) < 2) return m;
  m.section_count_at = at;
  const uint32_t sections = get_u32(b, at);
  at += 4;
  for (uint32_t i = 0; i < sections; ++i, at += 24)
    m.sections.push_back({at, at + 4, at + 8, at + 16, get_u32(b, at), get_u64(b, at + 8), get_u64(b, at + 16)});
  return m;
}

// Offset of the value of a config key, found by key.
inline size_t config_value_at(const Bytes& b, const FileMap& m, FcmConfigKey key) {
  for (size_t at : m.config_key_at)
    if (get_u32(b, at) == static_cast<uint32_t>(key)) return at + 4;
  FAIL("config key missing");
  return 0;
}

// ---- small models ----
inline ModelConfig small_config() {
  ModelConfig c;
  c.num_items = 7;
  c.num_actions = 3;
  c.dim = 8;
  c.layers = 1;
  c.heads = 2;
  c.ffn_dim = 16;
  c.max_len = 6;
  c.time_buckets = 5;
  return c;
}

// The first ids have equal lengths (for the duplicate test), two are multi-byte UTF-8.
inline ModelMeta make_meta(const ModelConfig& c, bool categories) {
  static const char* const kIds[] = {
      "sku-001", "sku-002", "caf\xc3\xa9-3", "\xe6\x97\xa5\xe6\x9c\xac-4", "sku-005", "\xf0\x9f\x91\x9f-6", "sku-007"};
  static const char* const kActions[] = {"view", "cart", "purchase", "wish"};
  ModelMeta meta;
  for (uint32_t a = 0; a < c.num_actions; ++a)
    meta.action_names.push_back(a < 4 ? kActions[a] : "action" + std::to_string(a));
  float total = 0.0f;
  for (uint32_t i = 0; i < c.num_items; ++i) {
    meta.item_ids.push_back(i < 7 ? std::string(kIds[i]) : "item-" + std::to_string(i + 1));
    meta.popularity.push_back(static_cast<float>(i % 5 + 1));
    total += meta.popularity.back();
  }
  for (float& p : meta.popularity) p /= total;
  if (categories) {
    meta.category_names = {"shoes", "hats", "\xc3\xa4pfel"};
    for (uint32_t i = 0; i < c.num_items; ++i) meta.item_category.push_back(i % 3);
  }
  return meta;
}

// Random weights, with non-trivial biases and gains so that a mix-up of tensors shows.
inline ModelWeights make_weights(const ModelConfig& c, uint64_t seed) {
  ModelWeights w = ModelWeights::random(c, seed);
  for (size_t k = 0; k < w.layout.tensors.size(); ++k) {
    const ParamTensor& t = w.layout.tensors[k];
    if (t.rows != 1) continue;
    float* p = w.arena.data() + t.offset;
    for (size_t i = 0; i < t.size(); ++i) p[i] += 0.001f * static_cast<float>(i + 1) + 0.01f * static_cast<float>(k);
  }
  return w;
}

inline Model make_model(bool quantize, bool categories = true, ModelConfig c = small_config(), uint64_t seed = 7) {
  return Model::from_weights(make_weights(c, seed), make_meta(c, categories), quantize);
}

inline Bytes must_write(const Model& m) {
  Result<Bytes> r = write_model(m);
  REQUIRE(r.ok());
  return r.take();
}

inline StatusCode code_of(const Bytes& b) {
  Result<Model> r = read_model(b.data(), b.size());
  return r.ok() ? StatusCode::kOk : r.status().code();
}

inline std::string message_of(const Bytes& b) {
  return read_model(b.data(), b.size()).status().message();
}

inline void check_same_config(const ModelConfig& a, const ModelConfig& b) {
  CHECK(a.num_items == b.num_items);
  CHECK(a.num_actions == b.num_actions);
  CHECK(a.dim == b.dim);
  CHECK(a.layers == b.layers);
  CHECK(a.heads == b.heads);
  CHECK(a.ffn_dim == b.ffn_dim);
  CHECK(a.max_len == b.max_len);
  CHECK(a.time_buckets == b.time_buckets);
  CHECK(a.activation == b.activation);
  CHECK(a.norm_eps == b.norm_eps);
}

inline void check_same_meta(const ModelMeta& a, const ModelMeta& b) {
  CHECK(a.action_names == b.action_names);
  CHECK(a.item_ids == b.item_ids);
  CHECK(a.category_names == b.category_names);
  CHECK(a.item_category == b.item_category);
  CHECK(a.popularity == b.popularity);
}

inline std::string temp_path(const std::string& name) {
  return std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/forecart_format_test_" + name;
}

inline bool file_exists(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f) std::fclose(f);
  return f != nullptr;
}

inline Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace forecart::fcm_test
