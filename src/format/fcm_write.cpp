// The .fcm writer (layout in format/fcm.h) and round_trip_int8(). The writer refuses a model
// that read_model would reject, so every file it produces loads.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>  // fsync
#endif

#include "core/limits.h"
#include "format/fcm.h"
#include "format/fcm_bytes.h"
#include "format/fcm_sections.h"
#include "quant/q8.h"

namespace forecart {
namespace {

using namespace fcm_internal;

bool all_finite(const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return false;
  return true;
}

// names: non-empty unless allow_empty, at most max_bytes, UTF-8, unique unless allow_duplicates.
Status check_names(const std::vector<std::string>& names, const char* what, size_t max_bytes, bool allow_empty,
                   bool allow_duplicates) {
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& s = names[i];
    const std::string where = std::string(what) + " " + std::to_string(i);
    if (s.empty() && !allow_empty) return invalid_argument(where + " is empty");
    if (s.size() > max_bytes)
      return limit_exceeded(where + " is " + std::to_string(s.size()) + " bytes, over the limit of " +
                            std::to_string(max_bytes));
    if (!valid_utf8(s)) return invalid_argument(where + " is not valid UTF-8");
    if (!allow_duplicates && !seen.insert(s).second) return invalid_argument(where + " '" + s + "' is a duplicate");
  }
  return Status::Ok();
}

// Everything read_model will check, checked here first so that a bad model fails at write time.
Status check_model(const Model& m) {
  const ModelConfig& c = m.config;
  const Status valid = c.validate();
  if (!valid.ok()) return invalid_argument(valid.message());
  const ModelMeta& meta = m.meta;

  if (meta.action_names.size() != c.num_actions)
    return invalid_argument("meta has " + std::to_string(meta.action_names.size()) + " action names, config has " +
                            std::to_string(c.num_actions) + " actions");
  FORECART_RETURN_IF_ERROR(check_names(meta.action_names, "action name", kMaxActionNameBytes, false, false));
  if (meta.item_ids.size() != c.num_items)
    return invalid_argument("meta has " + std::to_string(meta.item_ids.size()) + " item ids, config has " +
                            std::to_string(c.num_items) + " items");
  FORECART_RETURN_IF_ERROR(check_names(meta.item_ids, "item id", kMaxItemIdBytes, false, false));
  if (meta.category_names.size() > kMaxCategories)
    return limit_exceeded(std::to_string(meta.category_names.size()) + " categories, over the limit of " +
                          std::to_string(kMaxCategories));
  FORECART_RETURN_IF_ERROR(check_names(meta.category_names, "category name", kMaxCategoryNameBytes, true, true));
  if (meta.category_names.empty()) {
    if (!meta.item_category.empty()) return invalid_argument("item categories given without category names");
  } else {
    if (meta.item_category.size() != c.num_items)
      return invalid_argument("meta has " + std::to_string(meta.item_category.size()) + " item categories, expected " +
                              std::to_string(c.num_items));
    for (size_t i = 0; i < meta.item_category.size(); ++i)
      if (meta.item_category[i] >= meta.category_names.size())
        return invalid_argument("item " + std::to_string(i) + " has category " + std::to_string(meta.item_category[i]) +
                                " of " + std::to_string(meta.category_names.size()));
  }
  if (meta.card.size() > kMaxModelCardBytes || !valid_utf8(meta.card))
    return invalid_argument("model card is not UTF-8 or over " + std::to_string(kMaxModelCardBytes) + " bytes");
  if (meta.popularity.size() != c.num_items)
    return invalid_argument("meta has " + std::to_string(meta.popularity.size()) + " popularity values, expected " +
                            std::to_string(c.num_items));
  for (float p : meta.popularity)
    if (!std::isfinite(p) || p < 0.0f) return invalid_argument("popularity values must be finite and >= 0");

  const ItemTable& items = m.items;
  if (items.rows != c.vocab() || items.cols != c.dim)
    return invalid_argument("item table is [" + std::to_string(items.rows) + "," + std::to_string(items.cols) +
                            "], config wants [" + std::to_string(c.vocab()) + "," + std::to_string(c.dim) + "]");
  const size_t cells = static_cast<size_t>(items.rows) * items.cols;
  if (items.quantized) {
    const Q8Matrix& q = items.q8;
    if (q.rows != items.rows || q.cols != items.cols || q.data.size() != cells || q.scales.size() != items.rows)
      return invalid_argument("int8 item table sizes do not match its shape");
    for (float s : q.scales)
      if (!std::isfinite(s) || s < 0.0f) return invalid_argument("int8 item table has a non-finite or negative scale");
    for (int8_t v : q.data)
      if (v == -128) return invalid_argument("int8 item table has code -128 (codes are -127..127)");
  } else {
    if (items.f32.size() != cells) return invalid_argument("fp32 item table size does not match its shape");
    if (!all_finite(items.f32.data(), cells)) return invalid_argument("item_emb holds a non-finite value");
  }

  const ParamLayout want = ParamLayout::build(c, /*include_item_emb=*/false);
  const ParamLayout& have = m.rest.layout;
  bool same =
      have.tensors.size() == want.tensors.size() && have.total == want.total && m.rest.arena.size() == want.total;
  for (size_t i = 0; same && i < want.tensors.size(); ++i)
    same = have.tensors[i].name == want.tensors[i].name && have.tensors[i].rows == want.tensors[i].rows &&
           have.tensors[i].cols == want.tensors[i].cols && have.tensors[i].offset == want.tensors[i].offset;
  if (!same) return invalid_argument("model weights do not match the layout of its config");
  for (const ParamTensor& t : have.tensors)
    if (!all_finite(m.rest.arena.data() + t.offset, t.size()))
      return invalid_argument("tensor " + t.name + " holds a non-finite value");
  return Status::Ok();
}

// One entry of the tensor table, before its data are written.
struct PlannedTensor {
  const ParamTensor* param;
  FcmDtype dtype;
  uint64_t offset;
  uint64_t nbytes;
};

// Where everything after the tables goes: the sizes of the tables do not depend on the offsets, so
// the data section (tensors, then sections) is planned before the tables are written.
struct DataPlan {
  std::vector<PlannedTensor> tensors;  // in layout order
  std::vector<uint64_t> section_at;    // offset of each section's bytes
  size_t header_size = 0;
  uint64_t file_size = 0;
};

// 1-5. Fixed fields (header size and file size are 0 until patch_header) and the config, in key order.
void write_fixed_fields_and_config(ByteWriter& w, const ModelConfig& c, bool int8) {
  w.bytes(kMagic, sizeof kMagic);
  w.u32(kFcmVersion);
  w.u32(0);
  w.u64(0);
  const uint32_t activation = static_cast<uint32_t>(c.activation), norm_eps = f32_to_bits(c.norm_eps);
  const uint32_t weight_format = static_cast<uint32_t>(int8 ? FcmDtype::kQ8Row : FcmDtype::kF32);
  const uint32_t config_values[kFcmNumConfigKeys] = {c.dim,      c.layers,    c.heads,       c.ffn_dim,
                                                     c.max_len,  c.num_items, c.num_actions, c.time_buckets,
                                                     activation, norm_eps,    weight_format};
  w.u32(kFcmNumConfigKeys);
  for (uint32_t k = 0; k < kFcmNumConfigKeys; ++k) {
    w.u32(k + 1);
    w.u32(config_values[k]);
  }
}

// 6-9. Actions, item ids, categories, popularity.
void write_meta(ByteWriter& w, const ModelMeta& meta) {
  w.u32(static_cast<uint32_t>(meta.action_names.size()));
  for (const std::string& s : meta.action_names) w.string(s);
  w.u32(static_cast<uint32_t>(meta.item_ids.size()));
  for (const std::string& s : meta.item_ids) w.string(s);
  w.u32(static_cast<uint32_t>(meta.category_names.size()));
  for (const std::string& s : meta.category_names) w.string(s);
  for (uint32_t k : meta.item_category) w.u32(k);
  w.f32_array(meta.popularity.data(), meta.popularity.size());
}

// Plans the data section after a header of written_bytes (items 1-9) plus the two tables of
// item 10. The plan points into layout, which must outlive it.
Result<DataPlan> plan_data(const ParamLayout& layout, const std::vector<SectionBlob>& sections, size_t written_bytes,
                           bool int8) {
  DataPlan plan;
  size_t table_bytes = 4 + 4 + sections.size() * (4 + 4 + 8 + 8);
  for (const ParamTensor& t : layout.tensors) table_bytes += 4 + t.name.size() + 4 + 4 + 2 * 8 + 8 + 8;
  plan.header_size = align_up(written_bytes + table_bytes, kFcmAlignment);
  plan.tensors.reserve(layout.tensors.size());
  uint64_t end = plan.header_size;
  for (const ParamTensor& t : layout.tensors) {
    const FcmDtype dtype = int8 && stored_int8(t.name) ? FcmDtype::kQ8Row : FcmDtype::kF32;
    PlannedTensor p{&t, dtype, align_up(end, kFcmAlignment), tensor_nbytes(dtype, t.rows, t.cols)};
    end = p.offset + p.nbytes;
    plan.tensors.push_back(p);
  }
  for (const SectionBlob& s : sections) {
    plan.section_at.push_back(align_up(end, kFcmAlignment));
    end = plan.section_at.back() + s.bytes.size();
  }
  plan.file_size = end + kChecksumBytes;
  if (plan.file_size > kMaxModelFileBytes)
    return limit_exceeded("model file would be " + std::to_string(plan.file_size) + " bytes, over the limit of " +
                          std::to_string(kMaxModelFileBytes));
  return plan;
}

// 10. The tensor table, then (10b) the section table.
void write_tables(ByteWriter& w, const DataPlan& plan, const std::vector<SectionBlob>& sections) {
  w.u32(static_cast<uint32_t>(plan.tensors.size()));
  for (const PlannedTensor& p : plan.tensors) {
    w.string(p.param->name);
    w.u32(static_cast<uint32_t>(p.dtype));
    w.u32(2);
    w.u64(p.param->rows);
    w.u64(p.param->cols);
    w.u64(p.offset);
    w.u64(p.nbytes);
  }
  w.u32(static_cast<uint32_t>(sections.size()));
  for (size_t i = 0; i < sections.size(); ++i) {
    w.u32(static_cast<uint32_t>(sections[i].tag));
    w.u32(sections[i].flags);
    w.u64(plan.section_at[i]);
    w.u64(sections[i].bytes.size());
  }
}

// 11. Padding to the planned header size; then the header size and file size are patched in.
Status patch_header(ByteWriter& w, const DataPlan& plan) {
  w.pad_to(kFcmAlignment);
  if (w.size() != plan.header_size) return Status(StatusCode::kInternal, "fcm writer: header size mismatch");
  w.patch_u32(kHeaderSizeOffset, static_cast<uint32_t>(plan.header_size));
  w.patch_u64(kFileSizeOffset, plan.file_size);
  return Status::Ok();
}

// One tensor's data: item_emb from the item table as it is, the rest from the arena.
void write_tensor(ByteWriter& w, const Model& m, const PlannedTensor& p) {
  const ParamTensor& t = *p.param;
  if (t.name == "item_emb") {
    if (m.items.quantized) {
      w.f32_array(m.items.q8.scales.data(), m.items.q8.scales.size());
      w.bytes(reinterpret_cast<const uint8_t*>(m.items.q8.data.data()), m.items.q8.data.size());
    } else {
      w.f32_array(m.items.f32.data(), m.items.f32.size());
    }
    return;
  }
  const ParamTensor* src = m.rest.layout.find(t.name);
  const float* x = m.rest.arena.data() + src->offset;
  if (p.dtype == FcmDtype::kQ8Row) {
    // Requantizing values that were already dequantized gives the same codes and scales.
    const Q8Matrix q = quantize_q8_ref(x, t.rows, t.cols);
    w.f32_array(q.scales.data(), q.scales.size());
    w.bytes(reinterpret_cast<const uint8_t*>(q.data.data()), q.data.size());
  } else {
    w.f32_array(x, t.size());
  }
}

// 12. Data: each tensor, then each section, at its planned offset.
Status write_data(ByteWriter& w, const Model& m, const DataPlan& plan, const std::vector<SectionBlob>& sections) {
  for (const PlannedTensor& p : plan.tensors) {
    w.pad_to(kFcmAlignment);
    if (w.size() != p.offset) return Status(StatusCode::kInternal, "fcm writer: tensor offset mismatch");
    write_tensor(w, m, p);
  }
  for (size_t i = 0; i < sections.size(); ++i) {
    w.pad_to(kFcmAlignment);
    if (w.size() != plan.section_at[i]) return Status(StatusCode::kInternal, "fcm writer: section offset mismatch");
    w.bytes(sections[i].bytes.data(), sections[i].bytes.size());
  }
  return Status::Ok();
}

}  // namespace

// The numbers are the items of the layout in format/fcm.h.
Result<std::vector<uint8_t>> write_model(const Model& m) {
  FORECART_RETURN_IF_ERROR(check_model(m));
  const bool int8 = m.items.quantized;
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  write_fixed_fields_and_config(w, m.config, int8);  // 1-5
  write_meta(w, m.meta);                             // 6-9
  const ParamLayout layout = ParamLayout::build(m.config, /*include_item_emb=*/true);
  const std::vector<SectionBlob> sections = encode_sections(m);
  Result<DataPlan> planned = plan_data(layout, sections, w.size(), int8);
  if (!planned.ok()) return planned.status();
  const DataPlan& plan = planned.value();
  out.reserve(plan.file_size);
  write_tables(w, plan, sections);                             // 10
  FORECART_RETURN_IF_ERROR(patch_header(w, plan));             // 11
  FORECART_RETURN_IF_ERROR(write_data(w, m, plan, sections));  // 12
  w.u64(fcm_checksum(out.data(), out.size()));                 // 13. checksum
  if (out.size() != plan.file_size) return Status(StatusCode::kInternal, "fcm writer: file size mismatch");
  return out;
}

Status write_model_file(const Model& m, const std::string& path) {
  Result<std::vector<uint8_t>> bytes = write_model(m);
  if (!bytes.ok()) return bytes.status();
  const std::vector<uint8_t>& b = bytes.value();
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return io_error("cannot create '" + tmp + "': " + std::strerror(errno));
  int err = 0;  // the first errno seen
  if (std::fwrite(b.data(), 1, b.size(), f) != b.size() || std::fflush(f) != 0) err = errno ? errno : EIO;
#if defined(__unix__) || defined(__APPLE__)
  // Durable before the rename; a file system that cannot sync (EINVAL, EROFS) is not an error.
  if (!err && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS) err = errno;
#endif
  if (std::fclose(f) != 0 && !err) err = errno ? errno : EIO;
  if (err) {
    std::remove(tmp.c_str());
    return io_error("cannot write '" + tmp + "': " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    std::remove(tmp.c_str());
    return io_error("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(err));
  }
  return Status::Ok();
}

void round_trip_int8(Model& m) {
  ItemTable& items = m.items;
  if (!items.quantized && items.f32.size() == static_cast<size_t>(items.rows) * items.cols) {
    items.q8 = quantize_q8_ref(items.f32.data(), items.rows, items.cols);
    items.f32.clear();
    items.f32.shrink_to_fit();
    items.quantized = true;
  }
  for (const ParamTensor& t : m.rest.layout.tensors) {
    if (!stored_int8(t.name) || t.offset + t.size() > m.rest.arena.size()) continue;
    float* x = m.rest.arena.data() + t.offset;
    const Q8Matrix q = quantize_q8_ref(x, t.rows, t.cols);
    for (uint32_t r = 0; r < t.rows; ++r)
      dequantize_row_q8_ref(q.row(r), q.scales[r], t.cols, x + static_cast<size_t>(r) * t.cols);
  }
}

}  // namespace forecart
