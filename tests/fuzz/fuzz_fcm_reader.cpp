// Fuzz target: the .fcm model reader (format/fcm.h), the one loader the browser runs on downloaded bytes.
//
// Each input is read twice: as given (so the envelope checks see arbitrary bytes) and with its declared file
// size and XXH64 checksum patched to match (so that mutations get past the checksum into the field parser).
// For each, the properties checked are:
//   - read_model and inspect_model never crash, and fail with one of the file's documented status codes;
//     inspect_model fails exactly when read_model fails before the tensor data, with the same code;
//   - a model read_model accepts is usable: a Session records events (known, unknown and sliding), predicts
//     (plain, with exclude/allow/category filters), explains and scores, with well-formed results;
//   - write_model of that model succeeds and read_model reads the written bytes back to an identical model,
//     and writing that model again gives the same bytes (the writer is a fixed point after one round trip).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "format/fcm.h"
#include "format/fcm_bytes.h"
#include "fuzz_check.h"
#include "model/session.h"

namespace {

using namespace forecart;

bool same_floats(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool same_bits(float a, float b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same_config(const ModelConfig& a, const ModelConfig& b) {
  return a.num_items == b.num_items && a.num_actions == b.num_actions && a.dim == b.dim && a.layers == b.layers &&
         a.heads == b.heads && a.ffn_dim == b.ffn_dim && a.max_len == b.max_len && a.time_buckets == b.time_buckets &&
         a.activation == b.activation && same_bits(a.norm_eps, b.norm_eps);
}

// The codes read_model may return for a bad file (invalid_argument only for null data).
bool is_file_error(StatusCode c) {
  switch (c) {
    case StatusCode::kBadMagic:
    case StatusCode::kUnsupportedVersion:
    case StatusCode::kChecksumMismatch:
    case StatusCode::kTruncated:
    case StatusCode::kCorruptModel:
    case StatusCode::kLimitExceeded:
      return true;
    default:
      return false;
  }
}

// What read_model promises about the Model it returns.
void check_model_shape(const Model& m) {
  const ModelConfig& c = m.config;
  FUZZ_CHECK(c.validate().ok(), "accepted config fails validate(): %s", c.validate().message().c_str());
  FUZZ_CHECK(m.meta.action_names.size() == c.num_actions, "action names");
  FUZZ_CHECK(m.meta.item_ids.size() == c.num_items, "item ids");
  FUZZ_CHECK(m.meta.popularity.size() == c.num_items, "popularity");
  if (m.meta.category_names.empty()) {
    FUZZ_CHECK(m.meta.item_category.empty(), "item categories without category names");
  } else {
    FUZZ_CHECK(m.meta.item_category.size() == c.num_items, "item categories");
    for (uint32_t k : m.meta.item_category) FUZZ_CHECK(k < m.meta.category_names.size(), "category index %u", k);
  }
  FUZZ_CHECK(m.items.rows == c.vocab() && m.items.cols == c.dim, "item table shape");
  const size_t cells = static_cast<size_t>(m.items.rows) * m.items.cols;
  if (m.items.quantized) {
    FUZZ_CHECK(m.items.q8.data.size() == cells && m.items.q8.scales.size() == m.items.rows, "int8 item table size");
    FUZZ_CHECK(m.items.f32.empty(), "an int8 catalogue also holds an fp32 copy");
  } else {
    FUZZ_CHECK(m.items.f32.size() == cells, "fp32 item table size");
  }
  FUZZ_CHECK(m.rest.arena.size() == ParamLayout::build(c, false).total, "weights arena size");
  for (size_t i = 0; i < m.meta.item_ids.size(); ++i)
    FUZZ_CHECK(m.item_index(m.meta.item_ids[i]) == i + 1, "item index of item %zu", i);
}

bool all_finite(const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return false;
  return true;
}

// Whether every weight of m is finite (what write_model demands), the int8 item table included.
bool finite_weights(const Model& m) {
  if (!all_finite(m.rest.arena.data(), m.rest.arena.size()) || !all_finite(m.items.f32.data(), m.items.f32.size()))
    return false;
  for (size_t r = 0; r < m.items.q8.scales.size(); ++r)
    for (size_t c = 0; c < m.items.cols; ++c)
      if (!std::isfinite(m.items.q8.scales[r] * static_cast<float>(m.items.q8.row(r)[c]))) return false;
  return true;
}

// The scale write_model's quantizer gives the row x[n].
float requantized_scale(const float* x, size_t n) {
  float amax = 0.0f;
  for (size_t i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  return amax / 127.0f;
}

// Per int8 weight tensor of the input file (by name): whether each row is one forecart's quantizer can write: all
// codes 0, or a code of magnitude 127 with a normal scale s that is its own requantized scale (s * 127 / 127 in
// float gives s back; true of every s = amax / 127, not of every float). Those rows must survive write + read
// (fcm_write.cpp: "Requantizing values that were already dequantized gives the same codes and scales").
using CanonicalRows = std::unordered_map<std::string, std::vector<bool>>;

CanonicalRows canonical_rows(const uint8_t* data, const ModelFileInfo& info) {
  CanonicalRows out;
  for (const TensorInfo& t : info.tensors) {
    if (t.dtype != static_cast<uint32_t>(FcmDtype::kQ8Row) || t.name == "item_emb") continue;
    const size_t rows = t.shape[0], cols = t.shape[1];
    std::vector<bool>& canonical = out[t.name];
    for (size_t r = 0; r < rows; ++r) {
      float scale;
      fcm_internal::load_f32_array(data + t.offset + 4 * r, 1, &scale);
      const int8_t* codes = reinterpret_cast<const int8_t*>(data + t.offset + 4 * rows + r * cols);
      int amax = 0;
      for (size_t c = 0; c < cols; ++c) amax = std::max(amax, std::abs(static_cast<int>(codes[c])));
      const float amax_value = scale * 127.0f;
      canonical.push_back(amax == 0 || (amax == 127 && scale >= FLT_MIN && amax_value / 127.0f == scale));
    }
  }
  return out;
}

// b's copy of one int8 weight row x[n] after write + read: identical when the row was canonical, else within
// half a step of the scale the writer's quantizer picks for x (q8.h: "the error of one element is at most
// scale[r] / 2").
void check_requantized_row(const float* x, const float* y, size_t n, bool canonical, const char* what,
                           const std::string& name, size_t row) {
  if (canonical) {
    for (size_t i = 0; i < n; ++i)
      FUZZ_CHECK(same_bits(x[i], y[i]) || (x[i] == 0.0f && y[i] == 0.0f),  // a -0 scale gives -0: fine
                 "%s: canonical int8 row %zu of %s [%zu] %.9g became %.9g", what, row, name.c_str(), i,
                 static_cast<double>(x[i]), static_cast<double>(y[i]));
    return;
  }
  if (std::memcmp(x, y, n * sizeof(float)) == 0) return;
  const float scale = requantized_scale(x, n);
  // F3 (README): a non-canonical row is normalised by the writer, by design (fcm.h): within half a step.
  // F1 (fixed): a row the quantizer would give a subnormal scale is flushed to zero (q8.h).
  if (scale < FLT_MIN) {
    for (size_t i = 0; i < n; ++i)
      FUZZ_CHECK(y[i] == 0.0f, "%s: tiny int8 row %zu of %s [%zu] not flushed to zero", what, row, name.c_str(), i);
    return;
  }
  const float bound = 0.5f * scale * 1.0001f;
  for (size_t i = 0; i < n; ++i)
    FUZZ_CHECK(std::fabs(x[i] - y[i]) <= bound, "%s: int8 tensor %s row %zu [%zu] %.9g became %.9g (bound %.9g)", what,
               name.c_str(), row, i, static_cast<double>(x[i]), static_cast<double>(y[i]), static_cast<double>(bound));
}

// canonical: a's int8 rows that must come back bit for bit (null: none known).
void check_same_model(const Model& a, const Model& b, const char* what, const CanonicalRows* canonical) {
  FUZZ_CHECK(same_config(a.config, b.config), "%s: config differs", what);
  FUZZ_CHECK(a.meta.action_names == b.meta.action_names, "%s: action names differ", what);
  FUZZ_CHECK(a.meta.item_ids == b.meta.item_ids, "%s: item ids differ", what);
  FUZZ_CHECK(a.meta.category_names == b.meta.category_names, "%s: category names differ", what);
  FUZZ_CHECK(a.meta.item_category == b.meta.item_category, "%s: item categories differ", what);
  FUZZ_CHECK(same_floats(a.meta.popularity, b.meta.popularity), "%s: popularity differs", what);
  FUZZ_CHECK(a.meta.card == b.meta.card, "%s: model card differs", what);
  FUZZ_CHECK(a.items.quantized == b.items.quantized, "%s: weight format differs", what);
  FUZZ_CHECK(same_floats(a.items.f32, b.items.f32), "%s: fp32 item table differs", what);
  FUZZ_CHECK(a.items.q8.data == b.items.q8.data, "%s: int8 item codes differ", what);
  FUZZ_CHECK(same_floats(a.items.q8.scales, b.items.q8.scales), "%s: int8 item scales differ", what);
  const ParamLayout& layout = a.rest.layout;
  FUZZ_CHECK(a.rest.arena.size() == b.rest.arena.size(), "%s: weights arena size differs", what);
  for (const ParamTensor& t : layout.tensors) {
    const float* x = a.rest.arena.data() + t.offset;
    const float* y = b.rest.arena.data() + t.offset;
    if (a.items.quantized && stored_int8(t.name)) {
      const std::vector<bool>* exact = nullptr;
      if (canonical && canonical->count(t.name)) exact = &canonical->at(t.name);
      for (size_t r = 0; r < t.rows; ++r)
        check_requantized_row(x + r * t.cols, y + r * t.cols, t.cols, exact && (*exact)[r], what, t.name, r);
      continue;
    }
    for (size_t i = 0; i < t.size(); ++i)
      FUZZ_CHECK(same_bits(x[i], y[i]), "%s: tensor %s [%zu] %.9g != %.9g", what, t.name.c_str(), i,
                 static_cast<double>(x[i]), static_cast<double>(y[i]));
  }
}

// A prediction's invariants: k best eligible ids, each once, in [1, vocab), best first.
void check_prediction(const Model& m, const PredictOptions& o, const Prediction& p) {
  const uint32_t V = m.config.vocab();
  FUZZ_CHECK(p.items.size() <= o.k, "%zu items for k=%zu", p.items.size(), o.k);
  FUZZ_CHECK(p.actions.size() == m.config.num_actions, "action probabilities");
  std::vector<uint32_t> seen;
  for (size_t i = 0; i < p.items.size(); ++i) {
    const ScoredItem& s = p.items[i];
    FUZZ_CHECK(s.index >= 1 && s.index < V, "predicted id %u outside 1..%u", s.index, V - 1);
    FUZZ_CHECK(std::find(seen.begin(), seen.end(), s.index) == seen.end(), "id %u predicted twice", s.index);
    seen.push_back(s.index);
    FUZZ_CHECK(std::find(o.exclude.begin(), o.exclude.end(), s.index) == o.exclude.end(), "excluded id %u", s.index);
    if (!o.allow.empty())
      FUZZ_CHECK(std::find(o.allow.begin(), o.allow.end(), s.index) != o.allow.end(), "id %u not allowed", s.index);
    if (o.category >= 0)
      FUZZ_CHECK(m.meta.item_category[s.index - 1] == static_cast<uint32_t>(o.category), "id %u of another category",
                 s.index);
    if (i > 0 && !std::isnan(s.score) && !std::isnan(p.items[i - 1].score))
      FUZZ_CHECK(p.items[i - 1].score >= s.score, "results not best first");
  }
}

// Uses a model read_model accepted the way the browser does.
void exercise_session(const Model& m) {
  const ModelConfig& c = m.config;
  const uint32_t V = c.vocab();
  Session s(m);
  Prediction p;
  PredictOptions o;
  o.k = 3;
  FUZZ_CHECK(s.predict(o, &p).ok(), "predict on an empty history");
  FUZZ_CHECK(p.from_popularity, "empty history is not the popularity fallback");
  check_prediction(m, o, p);

  const std::vector<std::string>& actions = m.meta.action_names;
  const std::string first = c.num_items ? m.meta.item_ids.front() : std::string("none");
  const std::string last = c.num_items ? m.meta.item_ids.back() : std::string("none");
  // Unknown ids map to 0; an unknown action is refused and changes nothing.
  std::string no_action = "not-an-action";
  while (s.action_index(no_action) >= 0) no_action += "!";
  FUZZ_CHECK(s.record(first, no_action, 5).code() == StatusCode::kInvalidArgument, "unknown action accepted");
  FUZZ_CHECK(s.predictor().empty(), "a refused event changed the history");
  FUZZ_CHECK(s.record_index(V, 0, 5).code() == StatusCode::kInvalidArgument, "item index past the vocabulary accepted");
  FUZZ_CHECK(s.record_index(0, c.num_actions, 5).code() == StatusCode::kInvalidArgument, "action index accepted");

  FUZZ_CHECK(s.record(first, actions.front(), 1'700'000'000).ok(), "record a known item");
  FUZZ_CHECK(s.record("\xff not in the catalogue", actions.back(), -1).ok(), "record an unknown item");
  FUZZ_CHECK(s.record(last, actions[actions.size() / 2], 1'700'000'060).ok(), "record the last item");
  // Past max_len (when it is small) the window slides and is recomputed.
  const size_t extra = std::min<size_t>(c.max_len, 5);
  for (size_t i = 0; i < extra; ++i)
    FUZZ_CHECK(s.record_index(static_cast<uint32_t>((i * 7919) % V), static_cast<uint32_t>(i % c.num_actions),
                              1'700'000'100 + static_cast<int64_t>(i) * 3600)
                   .ok(),
               "record_index");
  // Up to max_len events are attended to (how the window slides once full is the predictor's business).
  const size_t pushed = 3 + extra, window = s.predictor().window();
  FUZZ_CHECK(window >= 1 && window <= c.max_len && (pushed > c.max_len || window == pushed),
             "window of %zu after %zu events, max_len %u", window, pushed, c.max_len);

  o.k = 4;
  FUZZ_CHECK(s.predict(o, &p).ok(), "predict");
  FUZZ_CHECK(!p.from_popularity, "history ignored");
  check_prediction(m, o, p);

  o.exclude = {1, V, V + 100, 0};
  o.allow = {2, 1, 2, V - 1, V, 0xFFFFFFFFu};
  FUZZ_CHECK(s.predict(o, &p).ok(), "predict with filters");
  check_prediction(m, o, p);
  o.allow.clear();
  o.k = 0;
  FUZZ_CHECK(s.predict(o, &p).ok() && p.items.empty(), "predict k=0");
  o.k = 2;
  o.exclude.clear();
  o.category = static_cast<int64_t>(m.meta.category_names.size());  // one past the last: refused
  FUZZ_CHECK(s.predict(o, &p).code() == StatusCode::kInvalidArgument, "category out of range accepted");
  if (!m.meta.category_names.empty()) {
    o.category = static_cast<int64_t>(m.meta.item_category.front());
    FUZZ_CHECK(s.predict(o, &p).ok(), "predict by category");
    check_prediction(m, o, p);
  }

  std::vector<uint32_t> ids = {0, V - 1};
  std::vector<float> out;
  FUZZ_CHECK(s.explain(ids, &out).ok(), "explain");
  FUZZ_CHECK(out.size() == ids.size() * s.predictor().window(), "explain size");
  ids.push_back(V);
  FUZZ_CHECK(s.explain(ids, &out).code() == StatusCode::kInvalidArgument, "explain past the vocabulary accepted");
  s.score_items(ids, &out);
  FUZZ_CHECK(out.size() == ids.size() && out.back() == 0.0f, "score_items");

  s.reset();
  FUZZ_CHECK(s.predictor().empty(), "reset");
}

void check_round_trip(const Model& m, const CanonicalRows& canonical) {
  FUZZ_CHECK(finite_weights(m), "read_model accepted int8 scales whose values overflow to inf (F2, fixed)");
  Result<std::vector<uint8_t>> bytes = write_model(m);
  FUZZ_CHECK(bytes.ok(), "write_model of a model read_model accepted: %s", bytes.status().to_string().c_str());
  Result<Model> again = read_model(bytes.value().data(), bytes.value().size());
  FUZZ_CHECK(again.ok(), "read_model of write_model's output: %s", again.status().to_string().c_str());
  check_same_model(m, again.value(), "read(write(m)) vs m", &canonical);
  Result<std::vector<uint8_t>> bytes2 = write_model(again.value());
  FUZZ_CHECK(bytes2.ok(), "write(read(write(m))): %s", bytes2.status().to_string().c_str());
  const std::vector<uint8_t>& x = bytes.value();
  const std::vector<uint8_t>& y = bytes2.value();
  if (x == y) return;
  size_t at = 0;
  while (at < x.size() && at < y.size() && x[at] == y[at]) ++at;
  std::string where = "the header";
  const Result<ModelFileInfo> layout = inspect_model(x.data(), x.size());
  for (const TensorInfo& t : layout.value().tensors)
    if (at >= t.offset && at < t.offset + t.nbytes) where = "tensor " + t.name + " +" + std::to_string(at - t.offset);
  FUZZ_CHECK(false, "write(read(write(m))) != write(m): %zu vs %zu bytes, first difference at byte %zu (%s)", x.size(),
             y.size(), at, where.c_str());
}

void check_file(const uint8_t* data, size_t size) {
  Result<ModelFileInfo> info = inspect_model(data, size);
  Result<Model> model = read_model(data, size);
  if (!info.ok()) {
    const Status& st = info.status();
    FUZZ_CHECK(is_file_error(st.code()), "inspect_model: unexpected status %s", st.to_string().c_str());
    FUZZ_CHECK(!st.message().empty(), "inspect_model: status without a message");
    FUZZ_CHECK(!model.ok() && model.status().code() == st.code(), "read_model and inspect_model disagree: %s vs %s",
               model.status().to_string().c_str(), st.to_string().c_str());
    return;
  }
  if (!model.ok()) {  // the header is fine; a tensor's values are not
    FUZZ_CHECK(model.status().code() == StatusCode::kCorruptModel, "read_model: unexpected status %s",
               model.status().to_string().c_str());
    return;
  }
  const Model& m = model.value();
  const ModelFileInfo& fi = info.value();
  FUZZ_CHECK(same_config(fi.config, m.config), "inspect_model config differs from read_model's");
  FUZZ_CHECK(fi.quantized == m.items.quantized, "inspect_model weight format");
  FUZZ_CHECK(fi.file_size == size && fi.version >= 1 && fi.version <= kFcmVersion, "inspect_model envelope");
  FUZZ_CHECK(fi.tensors.size() == ParamLayout::build(m.config).tensors.size(), "inspect_model tensor count");
  FUZZ_CHECK(fi.num_categories == m.meta.category_names.size(), "inspect_model category count");
  check_model_shape(m);
  exercise_session(m);
  check_round_trip(m, canonical_rows(data, fi));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace forecart::fcm_internal;
  check_file(data, size);
  if (size < kFixedHeaderBytes + kChecksumBytes) return 0;
  // The same bytes with a consistent envelope: declared size = real size, checksum recomputed.
  std::vector<uint8_t> fixed(data, data + size);
  store_u64(fixed.data() + kFileSizeOffset, size);
  store_u64(fixed.data() + size - kChecksumBytes, fcm_checksum(fixed.data(), size - kChecksumBytes));
  if (std::memcmp(fixed.data(), data, size) != 0) check_file(fixed.data(), fixed.size());
  return 0;
}
