// The .fcm reader (layout in format/fcm.h): one loader from (bytes, size) for the browser and
// native code. Nothing in the file is trusted: every count is checked against limits.h and
// the bytes left before allocating, every offset against the file, every tensor against
// ParamLayout::build(config).
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/limits.h"
#include "format/fcm.h"
#include "format/fcm_bytes.h"
#include "format/fcm_sections.h"
#include "quant/q8.h"

namespace forecart {
namespace {

using namespace fcm_internal;

constexpr uint32_t kMaxConfigEntries = 256;

// Everything before the tensor data, validated.
struct Header {
  uint32_t version = 0;
  uint32_t header_size = 0;
  uint64_t file_size = 0;
  uint64_t checksum = 0;
  ModelConfig config;
  bool quantized = false;
  ModelMeta meta;
  std::vector<TensorInfo> tensors;    // in file order, each checked against ParamLayout::build(config)
  std::vector<SectionInfo> sections;  // version >= 2
};

// Size, magic, version, declared size and checksum: what must hold before any field is read.
Status check_envelope(const uint8_t* data, size_t size, Header* h) {
  const size_t min_size = kFixedHeaderBytes + kChecksumBytes;
  if (size > 0 && data == nullptr) return invalid_argument("model data is null");
  if (size < sizeof kMagic)
    return Status(
        StatusCode::kTruncated,
        "model file is " + n2s(size) + " bytes, too short for a forecart model (at least " + n2s(min_size) + ")");
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0) {
    const uint8_t swapped[4] = {kMagic[3], kMagic[2], kMagic[1], kMagic[0]};
    if (std::memcmp(data, swapped, sizeof swapped) == 0)
      return Status(StatusCode::kBadMagic, "not a forecart model file (magic '" + printable(data, 4) +
                                               "' is 'FCM1' byte-swapped: written on a big-endian machine?)");
    return Status(StatusCode::kBadMagic,
                  "not a forecart model file (magic '" + printable(data, 4) + "', expected 'FCM1')");
  }
  if (size < 8)
    return Status(
        StatusCode::kTruncated,
        "model file is " + n2s(size) + " bytes, too short for a forecart model (at least " + n2s(min_size) + ")");
  h->version = load_u32(data + 4);
  if (h->version > kFcmVersion)
    return Status(StatusCode::kUnsupportedVersion, "model file version " + n2s(h->version) +
                                                       " is newer than this forecart, which reads up to version " +
                                                       n2s(kFcmVersion));
  if (h->version == 0)
    return Status(
        StatusCode::kUnsupportedVersion,
        "model file version 0 is not a forecart version (this forecart reads versions 1 to " + n2s(kFcmVersion) + ")");
  if (size < min_size)
    return Status(
        StatusCode::kTruncated,
        "model file is " + n2s(size) + " bytes, too short for a forecart model (at least " + n2s(min_size) + ")");
  h->file_size = load_u64(data + kFileSizeOffset);
  if (h->file_size > size)
    return Status(StatusCode::kTruncated,
                  "model file is " + n2s(size) + " bytes but its header says " + n2s(h->file_size));
  if (h->file_size < size)
    return corrupt_model("model file is " + n2s(size) + " bytes but its header says " + n2s(h->file_size) +
                         " (trailing bytes)");
  if (size > kMaxModelFileBytes)
    return limit_exceeded("model file is " + n2s(size) + " bytes, over the limit of " + n2s(kMaxModelFileBytes));
  h->checksum = load_u64(data + size - kChecksumBytes);
  const uint64_t computed = fcm_checksum(data, size - kChecksumBytes);
  if (computed != h->checksum)
    return Status(StatusCode::kChecksumMismatch, "model file checksum mismatch (stored " + hex64(h->checksum) +
                                                     ", computed " + hex64(computed) + "): the file is corrupted");
  return Status::Ok();
}

Status parse_config(Cursor& cur, Header* h) {
  uint32_t count = 0;
  FORECART_RETURN_IF_ERROR(cur.u32("config entry count", &count));
  if (count > kMaxConfigEntries) return corrupt_model("config entry count " + n2s(count) + " out of range");
  FORECART_RETURN_IF_ERROR(cur.need(uint64_t{count} * 8, "config entries"));
  uint32_t values[kFcmNumConfigKeys + 1] = {};
  bool seen[kFcmNumConfigKeys + 1] = {};
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t key = 0, value = 0;
    FORECART_RETURN_IF_ERROR(cur.u32("config key", &key, i));
    FORECART_RETURN_IF_ERROR(cur.u32("config value", &value, i));
    if (key == 0 || key > kFcmNumConfigKeys)
      return Status(StatusCode::kUnsupportedVersion,
                    "model file has config key " + n2s(key) + ", unknown to this forecart (it knows keys 1.." +
                        n2s(kFcmNumConfigKeys) + " of version " + n2s(kFcmVersion) + "): written by a newer forecart?");
    if (seen[key]) return corrupt_model(std::string("config key ") + config_key_name(key) + " appears twice");
    seen[key] = true;
    values[key] = value;
  }
  for (uint32_t key = 1; key <= kFcmNumConfigKeys; ++key)
    if (!seen[key]) return corrupt_model(std::string("config key ") + config_key_name(key) + " is missing");

  auto v = [&values](FcmConfigKey k) { return values[static_cast<uint32_t>(k)]; };
  ModelConfig& c = h->config;
  c.dim = v(FcmConfigKey::kDim);
  c.layers = v(FcmConfigKey::kLayers);
  c.heads = v(FcmConfigKey::kHeads);
  c.ffn_dim = v(FcmConfigKey::kFfnDim);
  c.max_len = v(FcmConfigKey::kMaxLen);
  c.num_items = v(FcmConfigKey::kNumItems);
  c.num_actions = v(FcmConfigKey::kNumActions);
  c.time_buckets = v(FcmConfigKey::kTimeBuckets);
  c.activation = static_cast<Activation>(v(FcmConfigKey::kActivation));
  c.norm_eps = bits_to_f32(v(FcmConfigKey::kNormEpsBits));
  FORECART_RETURN_IF_ERROR(c.validate());
  const uint32_t format = v(FcmConfigKey::kWeightFormat);
  if (format != static_cast<uint32_t>(FcmDtype::kF32) && format != static_cast<uint32_t>(FcmDtype::kQ8Row))
    return corrupt_model("config weight_format " + n2s(format) + " out of range (0 = f32, 1 = q8_row)");
  h->quantized = format == static_cast<uint32_t>(FcmDtype::kQ8Row);
  return Status::Ok();
}

Status parse_meta(Cursor& cur, Header* h) {
  const ModelConfig& c = h->config;
  ModelMeta& meta = h->meta;
  std::string_view s;

  uint32_t count = 0;
  FORECART_RETURN_IF_ERROR(cur.u32("action name count", &count));
  if (count != c.num_actions)
    return corrupt_model("action name count " + n2s(count) + " does not match num_actions " + n2s(c.num_actions));
  for (uint32_t i = 0; i < count; ++i) {
    FORECART_RETURN_IF_ERROR(cur.string("action name", 1, kMaxActionNameBytes, &s, i));
    for (const std::string& prev : meta.action_names)
      if (prev == s) return corrupt_model("action name " + n2s(i) + " '" + prev + "' is a duplicate");
    meta.action_names.emplace_back(s);
  }

  FORECART_RETURN_IF_ERROR(cur.u32("item id count", &count));
  if (count != c.num_items)
    return corrupt_model("item id count " + n2s(count) + " does not match num_items " + n2s(c.num_items));
  FORECART_RETURN_IF_ERROR(cur.need(uint64_t{count} * 4, "item id table"));  // before reserving
  meta.item_ids.reserve(count);
  {
    std::unordered_set<std::string_view> seen;
    seen.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      FORECART_RETURN_IF_ERROR(cur.string("item id", 1, kMaxItemIdBytes, &s, i));
      if (!seen.insert(s).second)
        return corrupt_model("item id " + n2s(i) + " '" + std::string(s) + "' is a duplicate");
      meta.item_ids.emplace_back(s);
    }
  }

  uint32_t categories = 0;
  FORECART_RETURN_IF_ERROR(cur.u32("category count", &categories));
  if (categories > kMaxCategories)
    return corrupt_model("category count " + n2s(categories) + " exceeds " + n2s(kMaxCategories));
  FORECART_RETURN_IF_ERROR(cur.need(uint64_t{categories} * 4, "category table"));
  meta.category_names.reserve(categories);
  for (uint32_t i = 0; i < categories; ++i) {
    FORECART_RETURN_IF_ERROR(cur.string("category name", 0, kMaxCategoryNameBytes, &s, i));
    meta.category_names.emplace_back(s);
  }
  if (categories > 0) {
    const uint8_t* p = nullptr;
    FORECART_RETURN_IF_ERROR(cur.bytes(size_t{c.num_items} * 4, "item categories", &p));
    meta.item_category.resize(c.num_items);
    for (uint32_t i = 0; i < c.num_items; ++i) {
      const uint32_t k = load_u32(p + 4 * size_t{i});
      if (k >= categories)
        return corrupt_model("item " + n2s(i) + " category " + n2s(k) + " out of range (" + n2s(categories) +
                             " categories)");
      meta.item_category[i] = k;
    }
  }

  const uint8_t* p = nullptr;
  FORECART_RETURN_IF_ERROR(cur.bytes(size_t{c.num_items} * 4, "popularity", &p));
  meta.popularity.resize(c.num_items);
  load_f32_array(p, c.num_items, meta.popularity.data());
  for (uint32_t i = 0; i < c.num_items; ++i)
    if (!std::isfinite(meta.popularity[i]) || meta.popularity[i] < 0.0f)
      return corrupt_model("popularity of item " + n2s(i) + " out of range (must be finite and >= 0)");
  return Status::Ok();
}

const char* dtype_name(uint32_t dtype) {
  switch (static_cast<FcmDtype>(dtype)) {
    case FcmDtype::kF32:
      return "f32";
    case FcmDtype::kQ8Row:
      return "q8_row";
    case FcmDtype::kU32:
      return "u32";
    case FcmDtype::kUtf8:
      return "utf8";
  }
  return "?";
}

Status parse_tensors(Cursor& cur, Header* h) {
  const ParamLayout layout = ParamLayout::build(h->config, /*include_item_emb=*/true);
  std::unordered_map<std::string_view, size_t> by_name;
  for (size_t i = 0; i < layout.tensors.size(); ++i) by_name.emplace(layout.tensors[i].name, i);
  std::vector<bool> found(layout.tensors.size(), false);
  const uint64_t data_begin = h->header_size;
  const uint64_t data_end = h->file_size - kChecksumBytes;

  uint32_t count = 0;
  FORECART_RETURN_IF_ERROR(cur.u32("tensor count", &count));
  if (count > layout.tensors.size())
    return corrupt_model("tensor count " + n2s(count) + " exceeds the " + n2s(layout.tensors.size()) +
                         " tensors of this config");
  h->tensors.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view name;
    uint32_t dtype = 0, ndim = 0;
    FORECART_RETURN_IF_ERROR(cur.string("tensor name", 1, kMaxTensorNameBytes, &name, i));
    const std::string shown = printable(reinterpret_cast<const uint8_t*>(name.data()), name.size());
    FORECART_RETURN_IF_ERROR(cur.u32("tensor dtype", &dtype, i));
    FORECART_RETURN_IF_ERROR(cur.u32("tensor ndim", &ndim, i));
    if (ndim == 0 || ndim > kMaxTensorDims)
      return corrupt_model("tensor " + shown + " ndim " + n2s(ndim) + " out of range 1.." + n2s(kMaxTensorDims));
    TensorInfo t;
    t.name = std::string(name);
    t.dtype = dtype;
    t.shape.resize(ndim);
    for (uint32_t d = 0; d < ndim; ++d) FORECART_RETURN_IF_ERROR(cur.u64("tensor dim", &t.shape[d], i));
    FORECART_RETURN_IF_ERROR(cur.u64("tensor offset", &t.offset, i));
    FORECART_RETURN_IF_ERROR(cur.u64("tensor nbytes", &t.nbytes, i));

    auto it = by_name.find(name);
    if (it == by_name.end()) return corrupt_model("unknown tensor '" + shown + "'");
    const size_t li = it->second;
    if (found[li]) return corrupt_model("tensor " + shown + " appears twice");
    found[li] = true;
    const ParamTensor& want = layout.tensors[li];
    if (dtype != static_cast<uint32_t>(FcmDtype::kF32) && dtype != static_cast<uint32_t>(FcmDtype::kQ8Row))
      return corrupt_model("tensor " + shown + " has unknown dtype " + n2s(dtype));
    const FcmDtype want_dtype = h->quantized && stored_int8(want.name) ? FcmDtype::kQ8Row : FcmDtype::kF32;
    if (dtype != static_cast<uint32_t>(want_dtype))
      return corrupt_model("tensor " + shown + " is " + dtype_name(dtype) + ", expected " +
                           dtype_name(static_cast<uint32_t>(want_dtype)) + " in an " +
                           (h->quantized ? "int8" : "fp32") + " model");
    if (ndim != 2 || t.shape[0] != want.rows || t.shape[1] != want.cols) {
      std::string got;
      for (uint64_t d : t.shape) got += (got.empty() ? "" : ",") + n2s(d);
      return corrupt_model("tensor " + shown + " has shape [" + got + "], expected [" + n2s(want.rows) + "," +
                           n2s(want.cols) + "]");
    }
    const uint64_t want_bytes = tensor_nbytes(want_dtype, want.rows, want.cols);
    if (t.nbytes != want_bytes)
      return corrupt_model("tensor " + shown + " nbytes " + n2s(t.nbytes) + ", expected " + n2s(want_bytes));
    if (t.offset % kFcmAlignment != 0)
      return corrupt_model("tensor " + shown + " offset " + n2s(t.offset) + " is not " + n2s(kFcmAlignment) +
                           "-byte aligned");
    if (t.offset < data_begin || t.offset > data_end || t.nbytes > data_end - t.offset)
      return corrupt_model("tensor " + shown + " at offset " + n2s(t.offset) + " (" + n2s(t.nbytes) +
                           " bytes) lies outside the data section [" + n2s(data_begin) + ", " + n2s(data_end) + ")");
    h->tensors.push_back(std::move(t));
  }
  for (size_t i = 0; i < layout.tensors.size(); ++i)
    if (!found[i]) return corrupt_model("tensor " + layout.tensors[i].name + " is missing");

  return Status::Ok();
}

// Tensors and sections never share a byte of the data section. Both tables are short (bounded by the
// layout and kMaxSections), so every pair is compared: no sort, which keeps the WASM module small.
Status check_overlaps(const Header& h) {
  struct Span {
    uint64_t offset, nbytes;
    std::string name;
  };
  std::vector<Span> spans;
  for (const TensorInfo& t : h.tensors) spans.push_back({t.offset, t.nbytes, "tensor " + t.name});
  for (const SectionInfo& s : h.sections) spans.push_back({s.offset, s.nbytes, "section tag " + n2s(s.tag)});
  for (size_t i = 0; i < spans.size(); ++i)
    for (size_t j = i + 1; j < spans.size(); ++j) {
      const Span& a = spans[i].offset <= spans[j].offset ? spans[i] : spans[j];
      const Span& b = &a == &spans[i] ? spans[j] : spans[i];
      if (a.offset + a.nbytes > b.offset) return corrupt_model(a.name + " and " + b.name + " overlap");
    }
  return Status::Ok();
}

Status parse_header(const uint8_t* data, size_t size, Header* h) {
  FORECART_RETURN_IF_ERROR(check_envelope(data, size, h));
  h->header_size = load_u32(data + kHeaderSizeOffset);
  if (h->header_size % kFcmAlignment != 0 || h->header_size < kFixedHeaderBytes ||
      h->header_size > h->file_size - kChecksumBytes)
    return corrupt_model("header size " + n2s(h->header_size) + " out of range (a multiple of " + n2s(kFcmAlignment) +
                         " within the " + n2s(h->file_size) + "-byte file)");
  Cursor cur(data, kFixedHeaderBytes, h->header_size);
  FORECART_RETURN_IF_ERROR(parse_config(cur, h));
  FORECART_RETURN_IF_ERROR(parse_meta(cur, h));
  FORECART_RETURN_IF_ERROR(parse_tensors(cur, h));
  if (h->version >= 2)
    FORECART_RETURN_IF_ERROR(parse_section_table(cur, h->header_size, h->file_size - kChecksumBytes, &h->sections));
  return check_overlaps(*h);
}

// Reads a q8_row tensor's scales into scales[rows] and checks scales and codes.
Status load_q8(const uint8_t* p, const TensorInfo& t, uint32_t rows, uint32_t cols, std::vector<float>* scales,
               const int8_t** codes) {
  scales->resize(rows);
  load_f32_array(p, rows, scales->data());
  // 127 * scale must stay finite, or a dequantized weight would be infinite (NaN predictions).
  constexpr float kMaxScale = std::numeric_limits<float>::max() / 127.0f;
  for (uint32_t r = 0; r < rows; ++r)
    if (!std::isfinite((*scales)[r]) || (*scales)[r] < 0.0f || (*scales)[r] > kMaxScale)
      return corrupt_model("tensor " + t.name + " row " + n2s(r) +
                           " scale out of range (must be finite, >= 0 and <= FLT_MAX / 127)");
  *codes = reinterpret_cast<const int8_t*>(p + size_t{rows} * 4);
  const size_t n = size_t{rows} * cols;
  for (size_t i = 0; i < n; ++i)
    if ((*codes)[i] == -128) return corrupt_model("tensor " + t.name + " holds int8 code -128 (codes are -127..127)");
  return Status::Ok();
}

Status load_f32(const uint8_t* p, const TensorInfo& t, size_t n, float* out) {
  load_f32_array(p, n, out);
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(out[i])) return corrupt_model("tensor " + t.name + " holds a non-finite value");
  return Status::Ok();
}

}  // namespace

Result<ModelFileInfo> inspect_model(const uint8_t* data, size_t size) {
  Header h;
  FORECART_RETURN_IF_ERROR(parse_header(data, size, &h));
  ModelFileInfo info;
  info.version = h.version;
  info.file_size = h.file_size;
  info.checksum = h.checksum;
  info.config = h.config;
  info.quantized = h.quantized;
  info.tensors = std::move(h.tensors);
  info.sections = std::move(h.sections);
  info.header_size = h.header_size;
  info.num_categories = static_cast<uint32_t>(h.meta.category_names.size());
  return info;
}

Result<Model> read_model(const uint8_t* data, size_t size) {
  Header h;
  FORECART_RETURN_IF_ERROR(parse_header(data, size, &h));
  Model m;
  m.config = h.config;
  m.meta = std::move(h.meta);
  m.items.quantized = h.quantized;
  m.items.rows = h.config.vocab();
  m.items.cols = h.config.dim;
  m.rest = ModelWeights::zeros(h.config, /*include_item_emb=*/false);

  std::vector<float> scales;
  for (const TensorInfo& t : h.tensors) {
    const uint8_t* p = data + t.offset;
    const uint32_t rows = static_cast<uint32_t>(t.shape[0]);
    const uint32_t cols = static_cast<uint32_t>(t.shape[1]);
    const size_t n = size_t{rows} * cols;
    const bool q8 = t.dtype == static_cast<uint32_t>(FcmDtype::kQ8Row);
    if (t.name == "item_emb") {  // kept as stored: no fp32 copy of an int8 catalogue
      if (q8) {
        Q8Matrix& q = m.items.q8;
        const int8_t* codes = nullptr;
        FORECART_RETURN_IF_ERROR(load_q8(p, t, rows, cols, &q.scales, &codes));
        q.rows = rows;
        q.cols = cols;
        q.data.assign(codes, codes + n);
      } else {
        m.items.f32.resize(n);
        FORECART_RETURN_IF_ERROR(load_f32(p, t, n, m.items.f32.data()));
      }
      continue;
    }
    const ParamTensor* dst = m.rest.layout.find(t.name);
    if (!dst) return Status(StatusCode::kInternal, "fcm reader: tensor " + t.name + " not in the layout");
    float* out = m.rest.arena.data() + dst->offset;
    if (q8) {
      const int8_t* codes = nullptr;
      FORECART_RETURN_IF_ERROR(load_q8(p, t, rows, cols, &scales, &codes));
      for (uint32_t r = 0; r < rows; ++r)
        dequantize_row_q8_ref(codes + size_t{r} * cols, scales[r], cols, out + size_t{r} * cols);
    } else {
      FORECART_RETURN_IF_ERROR(load_f32(p, t, n, out));
    }
  }
  FORECART_RETURN_IF_ERROR(decode_sections(data, h.sections, &m));
  m.build_index();
  return m;
}

Result<Model> read_model_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return io_error("cannot open '" + path + "': " + std::strerror(errno));
  long size = -1;
  if (std::fseek(f, 0, SEEK_END) == 0) size = std::ftell(f);
  if (size < 0 || std::fseek(f, 0, SEEK_SET) != 0) {
    std::fclose(f);
    return io_error("cannot read the size of '" + path + "'");
  }
  if (static_cast<unsigned long>(size) > kMaxModelFileBytes) {
    std::fclose(f);
    return limit_exceeded("model file '" + path + "' is " + n2s(static_cast<unsigned long>(size)) +
                          " bytes, over the limit of " + n2s(kMaxModelFileBytes));
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  const bool read_ok = std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size();
  std::fclose(f);
  if (!read_ok) return io_error("cannot read '" + path + "'");
  Result<Model> m = read_model(bytes.data(), bytes.size());
  if (!m.ok()) return Status(m.status().code(), path + ": " + m.status().message());
  return m;
}

}  // namespace forecart
