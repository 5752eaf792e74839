// Implements jsonl_reader.h: one line parsed with nlohmann-json (no exceptions on the good path), column paths
// with alternatives, the layout decision (one event per line or sessions) and column guessing, and the text of
// scalar values (numbers printed so that 123, 123.0 and "123" are the same id).
#include "data/jsonl_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "data/events.h"
#include "data/line_split.h"

namespace forecart::data::detail {

namespace {

using Json = nlohmann::json;

constexpr size_t kNumberBytes = 40;               // room for the text of one number
constexpr double kExactIds = 9007199254740992.0;  // 2^53: larger floats are not exact integers

// One step of a path: an object key, which also picks an array element when it is a number.
struct Step {
  std::string key;
  long index = -1;
};
using Path = std::vector<Step>;

// A column: its alternatives ('|'), each a path; the text as given, for notes and messages.
struct Column {
  std::vector<Path> alts;
  std::string text;
  bool used() const { return !alts.empty(); }
};

Column make_column(std::string_view spec) {
  Column c;
  c.text = std::string(trim(spec));
  for (std::string_view alt : split_simple(c.text, '|')) {
    alt = trim(alt);
    if (alt.empty()) continue;
    Path p;
    for (std::string_view part : split_simple(alt, '.')) {
      Step s{std::string(part), -1};
      if (!part.empty() && part.size() <= 9 && std::all_of(part.begin(), part.end(), is_digit))
        s.index = std::stol(s.key);
      p.push_back(std::move(s));
    }
    c.alts.push_back(std::move(p));
  }
  return c;
}

// A column of one key taken as it is (a guessed or detected key may hold '.' or '|').
Column key_column(const std::string& key) {
  Column c;
  c.text = key;
  c.alts.push_back(Path{Step{key, -1}});
  return c;
}

const Json* find_key(const Json& obj, const std::string& key) {
  auto it = obj.find(key);
  if (it != obj.end()) return &*it;
  for (auto i = obj.begin(); i != obj.end(); ++i)
    if (iequals(i.key(), key)) return &i.value();
  return nullptr;
}

// The value at `p` from `root`, or nullptr when a step is missing or the value is null.
const Json* resolve(const Json& root, const Path& p) {
  const Json* n = &root;
  for (const Step& s : p) {
    if (n->is_object()) {
      n = find_key(*n, s.key);
      if (n == nullptr) return nullptr;
    } else if (n->is_array() && s.index >= 0 && static_cast<size_t>(s.index) < n->size()) {
      n = &(*n)[static_cast<size_t>(s.index)];
    } else {
      return nullptr;
    }
  }
  return n->is_null() ? nullptr : n;
}

const Json* resolve(const Json& root, const Column& c) {
  for (const Path& p : c.alts)
    if (const Json* v = resolve(root, p)) return v;
  return nullptr;
}

bool is_scalar_value(const Json& v) {
  return v.is_string() || v.is_number();
}

// The first key of `obj` (by guess_names() priority) that names `kind` and holds a string or a number; "" if none.
std::string guess_key(const Json& obj, int kind) {
  for (std::string_view cand : guess_names()[kind])
    for (auto i = obj.begin(); i != obj.end(); ++i)
      if (iequals(i.key(), cand) && is_scalar_value(i.value())) return i.key();
  return "";
}

// Whether the line nests arrays and objects deeper than kMaxJsonDepth (checked before parsing).
bool too_deep(std::string_view s) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

// Why the line is not JSON, from nlohmann's message without its prefix ("column 7: syntax error ...").
std::string json_error(std::string_view line) {
  std::string why = "invalid JSON";
  try {
    const Json parsed = Json::parse(line.data(), line.data() + line.size());  // throws: that is the point here
    (void)parsed;
  } catch (const Json::exception& e) {
    std::string what = e.what();
    const size_t at = what.find("column ");
    if (at != std::string::npos) what.erase(0, at);
    for (char& c : what)
      if (static_cast<unsigned char>(c) < 0x20) c = '?';
    why += ", " + excerpt(what);
  }
  return why;
}

const char* type_word(const Json& v) {
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_boolean()) return "a boolean";
  return "not a value";
}

}  // namespace

struct JsonlReader::Impl {
  Json doc;
  Column col[kNumKinds];
  Column events;  // the events array of a session line; unused: one event per line
  bool events_given = false;
  bool guess = false;
  bool decided = false;
  int missing = kItem;     // what guessing did not find
  std::vector<char> nums;  // the text of this line's numbers, sized once per line: views into it stay valid
  size_t nums_at = 0;
  std::string empty;

  void reserve(size_t num_events) {
    nums.resize(std::max(nums.size(), num_events * kNumKinds * kNumberBytes));
    nums_at = 0;
  }
  bool decide(const Json& line);
  bool guess_from(const Json& line);
  bool number_text(const Json& v, int kind, std::string_view* out, std::string* reason);
  bool fill(const Json& ev, const Json& line, EventFields* f, std::string* reason);
};

// Given columns: one event per line when the line holds the item, else the first array whose first element does.
bool JsonlReader::Impl::decide(const Json& line) {
  if (guess) return guess_from(line);
  if (events.used() || resolve(line, col[kItem]) != nullptr) return decided = true;
  for (auto i = line.begin(); i != line.end(); ++i) {
    const Json& v = i.value();
    if (v.is_array() && !v.empty() && v[0].is_object() && resolve(v[0], col[kItem]) != nullptr) {
      events = key_column(i.key());
      return decided = true;
    }
  }
  return false;
}

// No columns given: the item's key in the line, else in the first element of an array of objects (which then is
// the events array); the other kinds in that element first, then in the line. The user is required too.
bool JsonlReader::Impl::guess_from(const Json& line) {
  const Json* ev = &line;
  if (events.used()) {
    const Json* a = resolve(line, events);
    if (a == nullptr || !a->is_array() || a->empty() || !(*a)[0].is_object()) return false;
    ev = &(*a)[0];
  }
  std::string item = guess_key(*ev, kItem);
  for (auto i = line.begin(); item.empty() && !events.used() && i != line.end(); ++i) {
    const Json& v = i.value();
    if (!v.is_array() || v.empty() || !v[0].is_object()) continue;
    item = guess_key(v[0], kItem);
    if (!item.empty()) {
      events = key_column(i.key());
      ev = &v[0];
    }
  }
  missing = kItem;
  if (item.empty()) return false;
  for (int k = 0; k < kNumKinds; ++k) {
    std::string key = k == kItem ? item : guess_key(*ev, k);
    if (key.empty() && ev != &line) key = guess_key(line, k);
    col[k] = key.empty() ? Column() : key_column(key);
  }
  if (col[kUser].used()) return decided = true;
  missing = kUser;
  for (Column& c : col) c = Column();
  if (!events_given) events = Column();
  return false;
}

// The text of a number: integers (and integral floats) in decimal, other floats in their shortest fixed form.
bool JsonlReader::Impl::number_text(const Json& v, int kind, std::string_view* out, std::string* reason) {
  char* first = nums.data() + nums_at;
  char* last = first + kNumberBytes;
  std::to_chars_result r{first, std::errc()};
  if (v.is_number_unsigned()) {
    r = std::to_chars(first, last, v.get<uint64_t>());
  } else if (v.is_number_integer()) {
    r = std::to_chars(first, last, v.get<int64_t>());
  } else {
    const double d = v.get<double>();
    const bool integral = std::isfinite(d) && d == std::floor(d);
    if (integral && std::fabs(d) < (kind == kTime ? 9.2e18 : kExactIds)) {
      r = std::to_chars(first, last, static_cast<int64_t>(d));
    } else if (!std::isfinite(d) || (integral && kind != kTime)) {
      r.ec = std::errc::value_too_large;
    } else {
      r = std::to_chars(first, last, d, std::chars_format::fixed);
    }
  }
  if (r.ec != std::errc()) {
    *reason = std::string(kKindNames[kind]) + " \"" + col[kind].text + "\": number " + excerpt(v.dump()) +
              (kind == kTime ? " out of range" : " too large to be an exact id (write it as a string)");
    return false;
  }
  *out = std::string_view(first, static_cast<size_t>(r.ptr - first));
  nums_at += kNumberBytes;
  return true;
}

// One event's values: looked up in the event object, then in the line (sessions).
bool JsonlReader::Impl::fill(const Json& ev, const Json& line, EventFields* f, std::string* reason) {
  for (int k = 0; k < kNumKinds; ++k) {
    f->state[k] = kNoColumn;
    f->value[k] = std::string_view();
    if (!col[k].used()) continue;
    const Json* v = resolve(ev, col[k]);
    if (v == nullptr && &ev != &line) v = resolve(line, col[k]);
    if (v == nullptr) {
      f->state[k] = kAbsent;
      continue;
    }
    if (v->is_string()) {
      f->value[k] = v->get_ref<const std::string&>();
    } else if (v->is_number()) {
      if (!number_text(*v, k, &f->value[k], reason)) return false;
    } else {
      *reason =
          std::string(kKindNames[k]) + " \"" + col[k].text + "\" is " + type_word(*v) + ", not a string or a number";
      return false;
    }
    f->state[k] = kValue;
  }
  return true;
}

bool looks_like_jsonl(std::string_view name, std::string_view first_line) {
  if (is_jsonl_name(name)) return true;
  const std::string_view t = trim(first_line);
  return !t.empty() && t.front() == '{';
}

JsonlReader::JsonlReader() : impl_(std::make_unique<Impl>()) {}
JsonlReader::~JsonlReader() = default;

Status JsonlReader::start_file(const ColumnSpec& spec, bool use_action, const std::string& name) {
  Impl& m = *impl_;
  for (Column& c : m.col) c = Column();
  m.events = spec.events.empty() ? Column() : make_column(spec.events);
  m.events_given = m.events.used();
  m.guess = !spec.any;
  m.decided = false;
  for (int k = 0; k < kNumKinds && spec.any; ++k) {
    const ColumnRef& ref = spec.col[k];
    if (!ref.given || (k == kAction && !use_action)) continue;
    if (ref.pos >= 0)
      return invalid_argument(name + ": JSON Lines columns are key paths (e.g. " + kKindNames[k] +
                              "=user.id or items.0.item_id), not positions: " + kKindNames[k] + "=" +
                              std::to_string(ref.pos));
    m.col[k] = make_column(ref.name);
  }
  return Status::Ok();
}

bool JsonlReader::parse(std::string_view line, std::vector<EventFields>* events, std::string* reason) {
  Impl& m = *impl_;
  events->clear();
  if (too_deep(line)) {
    *reason = "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return false;
  }
  m.doc = Json::parse(line.data(), line.data() + line.size(), nullptr, /*allow_exceptions=*/false);
  if (m.doc.is_discarded()) {
    *reason = json_error(line);
    return false;
  }
  if (!m.doc.is_object()) {
    *reason = "not a JSON object";
    return false;
  }
  if (!m.decided && !m.decide(m.doc) && m.guess) {
    std::string tried;
    for (std::string_view cand : guess_names()[m.missing]) tried += (tried.empty() ? "" : ", ") + std::string(cand);
    *reason = std::string("no ") + kKindNames[m.missing] + " key (looked for " + tried +
              " in the line and in its arrays of objects); pass columns (e.g. item=items.0.item_id)";
    return false;
  }
  // Undecided with given columns: one event without an item, which the Builder reports (or drops).
  if (!m.events.used() || !m.decided) {
    events->resize(1);
    m.reserve(1);
    return m.fill(m.doc, m.doc, &(*events)[0], reason);
  }
  const Json* arr = resolve(m.doc, m.events);
  if (arr == nullptr || !arr->is_array()) {
    *reason = "no events array \"" + m.events.text + "\"";
    return false;
  }
  events->resize(arr->size());
  m.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& e = (*arr)[i];
    if (!e.is_object() || !m.fill(e, m.doc, &(*events)[i], reason)) {
      if (!e.is_object()) *reason = "not an object";
      *reason = "event " + std::to_string(i) + " of \"" + m.events.text + "\": " + *reason;
      return false;
    }
  }
  return true;
}

bool JsonlReader::decided() const {
  return impl_->decided;
}

bool JsonlReader::sessions() const {
  return impl_->decided && impl_->events.used();
}

const std::string& JsonlReader::path(int kind) const {
  return impl_->col[kind].used() ? impl_->col[kind].text : impl_->empty;
}

const std::string& JsonlReader::events_path() const {
  return impl_->events.used() ? impl_->events.text : impl_->empty;
}

}  // namespace forecart::data::detail
