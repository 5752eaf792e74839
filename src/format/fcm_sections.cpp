// The .fcm sections (see fcm_sections.h and spec item 10b in format/fcm.h).
#include "format/fcm_sections.h"

#include <cstring>
#include <unordered_set>

namespace forecart::fcm_internal {

namespace {

bool known_tag(uint32_t tag) {
  return tag == static_cast<uint32_t>(FcmSectionTag::kModelCard) ||
         tag == static_cast<uint32_t>(FcmSectionTag::kEvidence) ||
         tag == static_cast<uint32_t>(FcmSectionTag::kActions) ||
         tag == static_cast<uint32_t>(FcmSectionTag::kActionHead);
}

const char* tag_name(uint32_t tag) {
  switch (static_cast<FcmSectionTag>(tag)) {
    case FcmSectionTag::kModelCard:
      return "model_card";
    case FcmSectionTag::kEvidence:
      return "evidence";
    case FcmSectionTag::kActionHead:
      return "action_head";
    case FcmSectionTag::kActions:
      return "actions";
  }
  return "?";
}

size_t element_bytes(FcmDtype d) {
  return d == FcmDtype::kUtf8 ? 1 : 4;
}

const Record* find(const std::vector<Record>& records, const char* name) {
  for (const Record& r : records)
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace

RecordWriter::RecordWriter(std::vector<uint8_t>* out) : out_(out) {}

void RecordWriter::head(const std::string& name, FcmDtype dtype, uint64_t n) {
  ByteWriter w(&body_);
  w.string(name);
  w.u32(static_cast<uint32_t>(dtype));
  w.u64(n);
  ++count_;
}

void RecordWriter::f32(const std::string& name, const float* x, size_t n) {
  head(name, FcmDtype::kF32, n);
  ByteWriter(&body_).f32_array(x, n);
}

void RecordWriter::u32(const std::string& name, const uint32_t* x, size_t n) {
  head(name, FcmDtype::kU32, n);
  ByteWriter w(&body_);
  for (size_t i = 0; i < n; ++i) w.u32(x[i]);
}

void RecordWriter::text(const std::string& name, const std::string& s) {
  head(name, FcmDtype::kUtf8, s.size());
  ByteWriter w(&body_);
  w.bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  w.pad_to(4);
}

void RecordWriter::finish() {
  ByteWriter w(out_);
  w.u32(count_);
  w.bytes(body_.data(), body_.size());
}

Status parse_records(const uint8_t* data, const SectionInfo& s, std::vector<Record>* out) {
  const std::string where = std::string("section ") + tag_name(s.tag);
  Cursor cur(data, s.offset, s.offset + s.nbytes);
  uint32_t count = 0;
  FORECART_RETURN_IF_ERROR(cur.u32("record count", &count));
  if (count > kMaxSectionRecords) return corrupt_model(where + " has " + n2s(count) + " records, too many");
  std::unordered_set<std::string> names;
  for (uint32_t i = 0; i < count; ++i) {
    Record r;
    std::string_view name;
    uint32_t dtype = 0;
    FORECART_RETURN_IF_ERROR(cur.string("record name", 1, kMaxTensorNameBytes, &name, i));
    r.name = std::string(name);
    FORECART_RETURN_IF_ERROR(cur.u32("record dtype", &dtype, i));
    FORECART_RETURN_IF_ERROR(cur.u64("record count", &r.count, i));
    r.dtype = static_cast<FcmDtype>(dtype);
    if (r.dtype != FcmDtype::kF32 && r.dtype != FcmDtype::kU32 && r.dtype != FcmDtype::kUtf8)
      return corrupt_model(where + " record " + r.name + " has dtype " + n2s(dtype) + " (f32, u32 or utf8 expected)");
    if (!names.insert(r.name).second) return corrupt_model(where + " record " + r.name + " appears twice");
    if (r.count > cur.remaining()) return corrupt_model(where + " record " + r.name + " runs past the section");
    const uint64_t nbytes = align_up(r.count * element_bytes(r.dtype), 4);
    FORECART_RETURN_IF_ERROR(cur.bytes(nbytes, "record data", &r.data, i));
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

std::vector<SectionBlob> encode_sections(const Model& m) {
  std::vector<SectionBlob> out;
  if (!m.meta.card.empty()) {
    SectionBlob b{FcmSectionTag::kModelCard, kFcmSectionSkippable, {}};
    RecordWriter w(&b.bytes);
    w.text("json", m.meta.card);
    w.finish();
    out.push_back(std::move(b));
  }
  if (m.meta.default_action != 0) {
    SectionBlob b{FcmSectionTag::kActions, kFcmSectionSkippable, {}};
    RecordWriter w(&b.bytes);
    w.u32("default_action", &m.meta.default_action, 1);
    w.finish();
    out.push_back(std::move(b));
  }
  const Evidence& e = m.evidence;
  if (e.active() || !e.follow.empty()) {
    SectionBlob b{FcmSectionTag::kEvidence, 0, {}};
    RecordWriter w(&b.bytes);
    const EvidenceParams& p = e.params;
    const float params[5] = {p.follow_bump, p.follow_slope, p.repeat_bump, p.repeat_slope, p.repeat_decay};
    w.f32("params", params, 5);
    if (!e.follow.empty()) {
      w.u32("follow_offsets", e.follow.offsets.data(), e.follow.offsets.size());
      w.u32("follow_items", e.follow.items.data(), e.follow.items.size());
      w.f32("follow_weights", e.follow.weights.data(), e.follow.weights.size());
    }
    w.finish();
    out.push_back(std::move(b));
  }
  const ActionHead& h = m.action_head;
  if (h.active()) {
    SectionBlob b{FcmSectionTag::kActionHead, 0, {}};
    RecordWriter w(&b.bytes);
    const uint32_t shape[2] = {h.actions, h.buckets};
    const float calibration[2] = {h.alpha, h.temperature};
    w.u32("shape", shape, 2);
    w.f32("marginal", h.marginal.data(), h.marginal.size());
    w.f32("log_prior", h.log_prior.data(), h.log_prior.size());
    w.f32("calibration", calibration, 2);
    if (!h.shift.empty()) w.f32("shift", h.shift.data(), h.shift.size());
    w.finish();
    out.push_back(std::move(b));
  }
  return out;
}

Status parse_section_table(Cursor& cur, uint64_t data_begin, uint64_t data_end, std::vector<SectionInfo>* out) {
  uint32_t count = 0;
  FORECART_RETURN_IF_ERROR(cur.u32("section count", &count));
  if (count > kMaxSections) return corrupt_model("section count " + n2s(count) + " exceeds " + n2s(kMaxSections));
  for (uint32_t i = 0; i < count; ++i) {
    SectionInfo s;
    FORECART_RETURN_IF_ERROR(cur.u32("section tag", &s.tag, i));
    FORECART_RETURN_IF_ERROR(cur.u32("section flags", &s.flags, i));
    FORECART_RETURN_IF_ERROR(cur.u64("section offset", &s.offset, i));
    FORECART_RETURN_IF_ERROR(cur.u64("section nbytes", &s.nbytes, i));
    const std::string name = "section " + n2s(i) + " (tag " + n2s(s.tag) + ")";
    if (s.flags & ~kFcmSectionSkippable) return corrupt_model(name + " has unknown flags " + n2s(s.flags));
    for (const SectionInfo& seen : *out)
      if (seen.tag == s.tag) return corrupt_model(name + ": the tag appears twice");
    if (s.offset % kFcmAlignment != 0 || s.offset < data_begin || s.offset > data_end || s.nbytes > data_end - s.offset)
      return corrupt_model(name + " at offset " + n2s(s.offset) + " (" + n2s(s.nbytes) +
                           " bytes) is unaligned or outside the data section");
    if (!known_tag(s.tag) && !(s.flags & kFcmSectionSkippable))
      return Status(StatusCode::kUnsupportedVersion, "model file has a " + name +
                                                         " that this forecart does not know and may not skip: "
                                                         "it needs a newer forecart");
    out->push_back(s);
  }
  return Status::Ok();
}

namespace {

template <typename T>
void copy_record(const Record& r, std::vector<T>* out) {
  out->resize(r.count);
  for (size_t i = 0; i < r.count; ++i) std::memcpy(&(*out)[i], r.data + 4 * i, 4);  // little-endian, as written
}

Status decode_evidence(const std::vector<Record>& records, Model* m) {
  const Record* params = find(records, "params");
  if (!params || params->dtype != FcmDtype::kF32 || params->count != 5)
    return corrupt_model("section evidence needs an f32 record 'params' of 5 values");
  float p[5];
  std::memcpy(p, params->data, sizeof(p));
  Evidence& e = m->evidence;
  e.params = {p[0], p[1], p[2], p[3], p[4]};
  if (Status s = e.params.validate(); !s.ok()) return corrupt_model("section " + s.message());
  const Record* off = find(records, "follow_offsets");
  const Record* items = find(records, "follow_items");
  const Record* weights = find(records, "follow_weights");
  if (off || items || weights) {
    if (!off || !items || !weights || off->dtype != FcmDtype::kU32 || items->dtype != FcmDtype::kU32 ||
        weights->dtype != FcmDtype::kF32)
      return corrupt_model("section evidence: the follow table needs u32 offsets, u32 items and f32 weights");
    copy_record(*off, &e.follow.offsets);
    copy_record(*items, &e.follow.items);
    copy_record(*weights, &e.follow.weights);
    if (Status s = e.follow.validate(m->config.vocab()); !s.ok())
      return corrupt_model("section evidence: " + s.message());
  }
  return Status::Ok();
}

Status decode_action_head(const std::vector<Record>& records, Model* m) {
  const Record* shape = find(records, "shape");
  const Record* marginal = find(records, "marginal");
  const Record* prior = find(records, "log_prior");
  const Record* calibration = find(records, "calibration");
  if (!shape || shape->dtype != FcmDtype::kU32 || shape->count != 2 || !marginal || marginal->dtype != FcmDtype::kF32 ||
      !prior || prior->dtype != FcmDtype::kF32 || !calibration || calibration->dtype != FcmDtype::kF32 ||
      calibration->count != 2)
    return corrupt_model(
        "section action_head needs u32 'shape' [2], f32 'marginal', f32 'log_prior' and f32 'calibration' [2]");
  ActionHead& h = m->action_head;
  std::vector<uint32_t> dims;
  std::vector<float> cal;
  copy_record(*shape, &dims);
  copy_record(*calibration, &cal);
  copy_record(*marginal, &h.marginal);
  copy_record(*prior, &h.log_prior);
  h.actions = dims[0];
  h.buckets = dims[1];
  h.alpha = cal[0];
  h.temperature = cal[1];
  if (const Record* shift = find(records, "shift")) {
    if (shift->dtype != FcmDtype::kF32) return corrupt_model("section action_head: 'shift' must be f32");
    copy_record(*shift, &h.shift);
  }
  if (Status s = h.validate(m->config.num_actions, m->config.time_buckets); !s.ok()) {
    m->action_head = ActionHead{};
    return corrupt_model("section action_head: " + s.message());
  }
  return Status::Ok();
}

}  // namespace

Status decode_sections(const uint8_t* data, const std::vector<SectionInfo>& sections, Model* m) {
  for (const SectionInfo& s : sections) {
    if (!known_tag(s.tag)) continue;  // skippable, checked by parse_section_table
    std::vector<Record> records;
    FORECART_RETURN_IF_ERROR(parse_records(data, s, &records));
    if (s.tag == static_cast<uint32_t>(FcmSectionTag::kModelCard)) {
      const Record* r = find(records, "json");
      if (!r || r->dtype != FcmDtype::kUtf8 || r->count > kMaxModelCardBytes || !valid_utf8(r->data, r->count))
        return corrupt_model("section model_card needs a UTF-8 record 'json' of at most " + n2s(kMaxModelCardBytes) +
                             " bytes");
      m->meta.card.assign(reinterpret_cast<const char*>(r->data), r->count);
    } else if (s.tag == static_cast<uint32_t>(FcmSectionTag::kEvidence)) {
      FORECART_RETURN_IF_ERROR(decode_evidence(records, m));
    } else if (s.tag == static_cast<uint32_t>(FcmSectionTag::kActionHead)) {
      FORECART_RETURN_IF_ERROR(decode_action_head(records, m));
    } else if (s.tag == static_cast<uint32_t>(FcmSectionTag::kActions)) {
      const Record* r = find(records, "default_action");
      uint32_t a = 0;
      if (r && r->dtype == FcmDtype::kU32 && r->count == 1) std::memcpy(&a, r->data, 4);
      if (!r || r->dtype != FcmDtype::kU32 || r->count != 1 || a >= m->config.num_actions)
        return corrupt_model("section actions needs a u32 record 'default_action' below the " +
                             n2s(m->config.num_actions) + " actions");
      m->meta.default_action = a;
    }
  }
  return Status::Ok();
}

}  // namespace forecart::fcm_internal
