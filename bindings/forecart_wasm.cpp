// Embind registration of the WASM module: one class, WasmForecart, owning a Model and a Session.
// Raw methods carry a leading underscore; every fallible call returns a StatusCode (never throws),
// with the message available from _lastError(). Arrays leave the heap as copies. The bindings only
// translate: rules live in the core, and the status names and limits web/ needs are exported here.
#include <emscripten/bind.h>
#include <emscripten/heap.h>
#include <emscripten/val.h>

#include <memory>
#include <string>
#include <vector>

#include "core/limits.h"
#include "format/fcm.h"
#include "kernels/kernels.h"
#include "model/session.h"

using emscripten::val;

namespace forecart {
namespace {

template <typename T>
val copy_out(const T* data, size_t n, const char* type) {
  // typed_memory_view dies when the heap grows: hand JS its own copy (new TypedArray(view) copies).
  return val::global(type).new_(emscripten::typed_memory_view(n, data));  // the constructor copies
}

std::vector<uint32_t> u32_vector(const val& array) {
  if (array.isNull() || array.isUndefined()) return {};
  return emscripten::convertJSArrayToNumberVector<uint32_t>(array);
}

int g_live_instances = 0;  // leak check for the JS tests: constructed minus deleted

class WasmForecart {
 public:
  WasmForecart() { ++g_live_instances; }
  ~WasmForecart() { --g_live_instances; }
  WasmForecart(const WasmForecart&) = delete;
  WasmForecart& operator=(const WasmForecart&) = delete;
  int load(const std::string& bytes) {
    const Status admitted = admit_model_file(bytes.size(), emscripten_get_heap_max());
    if (!admitted.ok()) return fail(admitted);
    Result<Model> m = read_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (!m.ok()) return fail(m.status());
    session_.reset();
    model_ = std::make_unique<Model>(m.take());
    session_ = std::make_unique<Session>(*model_);
    return ok();
  }
  std::string lastError() const { return error_; }

  int numItems() const { return model_ ? static_cast<int>(model_->config.num_items) : 0; }
  int numActions() const { return model_ ? static_cast<int>(model_->config.num_actions) : 0; }
  int defaultAction() const { return model_ ? static_cast<int>(model_->meta.default_action) : 0; }
  int numCategories() const { return model_ ? static_cast<int>(model_->meta.category_names.size()) : 0; }
  int maxLen() const { return model_ ? static_cast<int>(model_->config.max_len) : 0; }
  int dim() const { return model_ ? static_cast<int>(model_->config.dim) : 0; }
  bool quantized() const { return model_ && model_->items.quantized; }
  std::string actionName(int i) const {
    return model_ && i >= 0 && i < numActions() ? model_->meta.action_names[i] : "";
  }
  std::string categoryName(int i) const {
    return model_ && i >= 0 && i < numCategories() ? model_->meta.category_names[i] : "";
  }
  // Vocab id i >= 1 -> storefront id.
  std::string itemId(int i) const { return model_ && i >= 1 && i <= numItems() ? model_->meta.item_ids[i - 1] : ""; }
  // Storefront id -> vocab id (0 = unknown).
  int itemIndex(const std::string& id) const { return model_ ? static_cast<int>(model_->item_index(id)) : 0; }
  int itemCategory(int i) const {
    if (!model_ || i < 1 || i > numItems() || model_->meta.item_category.empty()) return -1;
    return static_cast<int>(model_->meta.item_category[i - 1]);
  }
  int window() const { return session_ ? static_cast<int>(session_->predictor().window()) : 0; }

  void reset() {
    if (session_) session_->reset();
  }
  int push(int item, int action, double time_seconds) {
    if (!session_) return fail(Status(StatusCode::kInvalidArgument, "no model loaded"));
    if (item < 0 || action < 0) return fail(invalid_argument("negative index"));
    const int64_t t = time_seconds >= 0 ? static_cast<int64_t>(time_seconds) : -1;
    return check(session_->record_index(static_cast<uint32_t>(item), static_cast<uint32_t>(action), t));
  }
  int predict(int k, val exclude, val allow, int category) {
    if (!session_) return fail(Status(StatusCode::kInvalidArgument, "no model loaded"));
    PredictOptions o;
    o.k = k > 0 ? static_cast<size_t>(k) : 0;
    o.exclude = u32_vector(exclude);
    o.allow = u32_vector(allow);
    o.category = category;
    return check(session_->predict(o, &prediction_));
  }
  val resultItems() const {
    std::vector<uint32_t> ids;
    for (const auto& s : prediction_.items) ids.push_back(s.index);
    return copy_out(ids.data(), ids.size(), "Uint32Array");
  }
  val resultScores() const {
    std::vector<float> sc;
    for (const auto& s : prediction_.items) sc.push_back(s.score);
    return copy_out(sc.data(), sc.size(), "Float32Array");
  }
  val resultActions() const { return copy_out(prediction_.actions.data(), prediction_.actions.size(), "Float32Array"); }
  bool resultFromPopularity() const { return prediction_.from_popularity; }
  val scoreItems(val ids) {
    std::vector<float> scores;
    if (session_) session_->score_items(u32_vector(ids), &scores);
    return copy_out(scores.data(), scores.size(), "Float32Array");
  }
  // Logit drops [items x window] and next-action probability drops [window x actions], row-major
  // (see Session::explain), read with _resultExplain() and _resultExplainActions().
  int explain(val ids) {
    explain_.clear();
    explain_actions_.clear();
    if (!session_) return fail(Status(StatusCode::kInvalidArgument, "no model loaded"));
    return check(session_->explain(u32_vector(ids), &explain_, &explain_actions_));
  }
  val resultExplain() const { return copy_out(explain_.data(), explain_.size(), "Float32Array"); }
  val resultExplainActions() const {
    return copy_out(explain_actions_.data(), explain_actions_.size(), "Float32Array");
  }
  // Raw logits of the whole vocabulary (tests compare them with the native CLI).
  val logits() const {
    std::vector<float> out(model_ ? model_->config.vocab() : 0);
    if (session_) session_->logits(out.data());
    return copy_out(out.data(), out.size(), "Float32Array");
  }

 private:
  int ok() {
    error_.clear();
    return 0;
  }
  int fail(const Status& s) {
    error_ = s.message();
    return static_cast<int>(s.code());
  }
  int check(const Status& s) { return s.ok() ? ok() : fail(s); }

  std::unique_ptr<Model> model_;
  std::unique_ptr<Session> session_;
  Prediction prediction_;
  std::vector<float> explain_;
  std::vector<float> explain_actions_;
  std::string error_;
};

std::string kernels() {
  return kernels_variant();
}
int live_instances() {
  return g_live_instances;
}
// The JS names of the status codes, indexed by number: web/errors.js maps statuses through them.
val status_codes() {
  val names = val::array();
  for (int32_t i = 0; i < kNumStatusCodes; ++i)
    names.call<void>("push", std::string(status_code_name(static_cast<StatusCode>(i))));
  return names;
}

}  // namespace
}  // namespace forecart

EMSCRIPTEN_BINDINGS(forecart) {
  using namespace forecart;
  emscripten::function("_kernels", &kernels);
  emscripten::function("_statusCodes", &status_codes);
  emscripten::constant("MAX_ITEM_ID_BYTES", static_cast<int>(kMaxItemIdBytes));
  emscripten::constant("FORMAT_VERSION", static_cast<int>(kFcmVersion));
  emscripten::function("_liveInstances", &live_instances);
  emscripten::class_<WasmForecart>("WasmForecart")
      .constructor<>()
      .function("_load", &WasmForecart::load)
      .function("_lastError", &WasmForecart::lastError)
      .function("_numItems", &WasmForecart::numItems)
      .function("_numActions", &WasmForecart::numActions)
      .function("_defaultAction", &WasmForecart::defaultAction)
      .function("_numCategories", &WasmForecart::numCategories)
      .function("_maxLen", &WasmForecart::maxLen)
      .function("_dim", &WasmForecart::dim)
      .function("_quantized", &WasmForecart::quantized)
      .function("_actionName", &WasmForecart::actionName)
      .function("_categoryName", &WasmForecart::categoryName)
      .function("_itemId", &WasmForecart::itemId)
      .function("_itemIndex", &WasmForecart::itemIndex)
      .function("_itemCategory", &WasmForecart::itemCategory)
      .function("_window", &WasmForecart::window)
      .function("_reset", &WasmForecart::reset)
      .function("_push", &WasmForecart::push)
      .function("_predict", &WasmForecart::predict)
      .function("_resultItems", &WasmForecart::resultItems)
      .function("_resultScores", &WasmForecart::resultScores)
      .function("_resultActions", &WasmForecart::resultActions)
      .function("_resultFromPopularity", &WasmForecart::resultFromPopularity)
      .function("_scoreItems", &WasmForecart::scoreItems)
      .function("_explain", &WasmForecart::explain)
      .function("_resultExplain", &WasmForecart::resultExplain)
      .function("_resultExplainActions", &WasmForecart::resultExplainActions)
      .function("_logits", &WasmForecart::logits);
}
