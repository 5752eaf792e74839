// Implements columns.h: option parsing, header detection, and column guessing and resolution.
#include "data/columns.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <utility>

#include "core/limits.h"
#include "data/line_split.h"

namespace forecart::data::detail {

namespace {

// The header row as it appeared (with spaces for tabs), quoted and shortened, for messages.
std::string header_text(const std::vector<std::string>& header, char delim) {
  std::string h;
  for (size_t i = 0; i < header.size(); ++i) {
    if (i) h += delim == '\t' ? ' ' : delim;
    h += header[i];
  }
  return "'" + excerpt(h) + "'";
}

// No columns given: the first name of guess_names() present in the header, per kind; user and item are required.
Status guess_columns(const std::vector<std::string>& header, char delim, const std::string& name, int pos[kNumKinds]) {
  for (int k = 0; k < kNumKinds; ++k) {
    for (std::string_view cand : guess_names()[k]) {
      for (size_t i = 0; i < header.size() && pos[k] < 0; ++i)
        if (iequals(header[i], cand)) pos[k] = static_cast<int>(i);
      if (pos[k] >= 0) break;
    }
  }
  for (int k : {kUser, kItem}) {
    if (pos[k] >= 0) continue;
    std::string tried;
    for (std::string_view cand : guess_names()[k]) tried += (tried.empty() ? "" : ", ") + std::string(cand);
    return invalid_argument(name + ": cannot find the " + kKindNames[k] + " column in the header " +
                            header_text(header, delim) + " (looked for " + tried +
                            "); pass columns (e.g. user=0,item=1 or " + kKindNames[k] +
                            "=NAME), and no_header if the first row is data");
  }
  return Status::Ok();
}

// Columns given: positions as they are, names looked up in the header.
Status given_columns(const ColumnSpec& spec, const std::vector<std::string>& header, char delim,
                     const std::string& name, int pos[kNumKinds]) {
  for (int k = 0; k < kNumKinds; ++k) {
    const ColumnRef& ref = spec.col[k];
    if (!ref.given) continue;
    if (ref.pos >= 0) {
      pos[k] = ref.pos;
      continue;
    }
    for (std::string_view alt : split_simple(ref.name, '|'))
      for (size_t i = 0; i < header.size() && pos[k] < 0; ++i)
        if (iequals(header[i], trim(alt))) pos[k] = static_cast<int>(i);
    if (pos[k] < 0)
      return invalid_argument(name + ": " + kKindNames[k] + " column '" + ref.name + "' is not in the header " +
                              header_text(header, delim));
  }
  return Status::Ok();
}

// One "KEY=VALUE" entry of a comma-separated option, both sides trimmed; an error naming the option without '='.
Status split_pair(const char* option, const std::string& spec, const char* expected, std::string_view part,
                  std::string_view* key, std::string_view* val) {
  part = trim(part);
  const size_t eq = part.find('=');
  if (eq == std::string_view::npos)
    return invalid_argument(std::string(option) + " '" + spec + "': expected " + expected + ", got '" +
                            std::string(part) + "'");
  *key = trim(part.substr(0, eq));
  *val = trim(part.substr(eq + 1));
  return Status::Ok();
}

}  // namespace

const std::vector<std::vector<std::string_view>>& guess_names() {
  static const std::vector<std::vector<std::string_view>> names = {
      {"user_id", "userid", "user", "user_pseudo_id", "anonymous_id", "anonymousid", "domain_userid", "visitorid",
       "visitor_id", "session_id", "sessionid", "session"},
      {"item_id", "itemid", "item", "sku_id", "sku", "product_id", "productid", "aid"},
      {"type", "action", "event_type", "event_name", "behavior_type", "event"},
      {"timestamp", "time", "ts", "event_time", "event_timestamp", "action_time", "eventdate"},
      {"category_id", "category", "categoryid"},
  };
  return names;
}

bool is_known_column_name(std::string_view field) {
  for (const auto& names : guess_names())
    for (std::string_view n : names)
      if (iequals(trim(field), n)) return true;
  return false;
}

Status parse_columns(const std::string& spec, ColumnSpec* out) {
  *out = ColumnSpec();
  std::string_view s = trim(spec);
  if (s.empty()) return Status::Ok();
  for (std::string_view part : split_simple(s, ',')) {
    std::string_view key, val;
    FORECART_RETURN_IF_ERROR(split_pair("columns", spec, "KIND=COLUMN", part, &key, &val));
    if (iequals(key, "events")) {
      if (val.empty() || !out->events.empty())
        return invalid_argument("columns '" + spec + "': events given twice or empty");
      out->events = std::string(val);
      continue;
    }
    int kind = -1;
    for (int k = 0; k < kNumKinds; ++k)
      if (iequals(key, kKindNames[k])) kind = k;
    if (kind < 0)
      return invalid_argument("columns '" + spec + "': unknown kind '" + std::string(key) +
                              "' (expected user, item, action, time, category or events)");
    ColumnRef& ref = out->col[kind];
    if (ref.given) return invalid_argument("columns '" + spec + "': " + kKindNames[kind] + " given twice");
    if (val.empty()) return invalid_argument("columns '" + spec + "': empty column for " + kKindNames[kind]);
    ref.given = true;
    out->any = true;
    if (std::all_of(val.begin(), val.end(), is_digit)) {
      int pos = 0;
      auto [end, ec] = std::from_chars(val.data(), val.data() + val.size(), pos);
      if (ec != std::errc() || end != val.data() + val.size() || pos > 100000)
        return invalid_argument("columns '" + spec + "': bad position '" + std::string(val) + "'");
      ref.pos = pos;
    } else {
      ref.name = std::string(val);
      out->any_named = true;
    }
  }
  if (out->any && (!out->col[kUser].given || !out->col[kItem].given))
    return invalid_argument("columns '" + spec + "': user and item columns are required");
  return Status::Ok();
}

Status parse_actions(const std::string& spec, std::unordered_map<std::string, std::string>* out) {
  out->clear();
  std::string_view s = trim(spec);
  if (s.empty()) return Status::Ok();
  for (std::string_view part : split_simple(s, ',')) {
    std::string_view key, val;
    FORECART_RETURN_IF_ERROR(split_pair("actions", spec, "RAW=NAME", part, &key, &val));
    std::string raw(key), name(val);
    if (raw.empty() || name.empty())
      return invalid_argument("actions '" + spec + "': empty value or name in '" + std::string(trim(part)) + "'");
    if (name.size() > kMaxActionNameBytes)
      return invalid_argument("actions '" + spec + "': action name longer than " + std::to_string(kMaxActionNameBytes) +
                              " bytes");
    if (!out->emplace(std::move(raw), std::move(name)).second)
      return invalid_argument("actions '" + spec + "': value '" + std::string(key) + "' mapped twice");
  }
  return Status::Ok();
}

Status split_action_suffix(const std::string& spec, std::string* path, std::string* action) {
  static const std::string kSuffix = "#action=";
  size_t pos = spec.rfind(kSuffix);
  if (pos == std::string::npos) {
    *path = spec;
    action->clear();
    return Status::Ok();
  }
  *path = spec.substr(0, pos);
  *action = std::string(trim(std::string_view(spec).substr(pos + kSuffix.size())));
  if (action->empty()) return invalid_argument("'" + spec + "': empty action name after #action=");
  if (action->size() > kMaxActionNameBytes)
    return invalid_argument("'" + spec + "': action name longer than " + std::to_string(kMaxActionNameBytes) +
                            " bytes");
  if (path->empty()) return invalid_argument("'" + spec + "': empty path before #action=");
  return Status::Ok();
}

bool first_row_is_header(const ColumnSpec& spec, bool no_header, const std::vector<std::string_view>& fields,
                         const std::function<bool(std::string_view)>& reads_as_time) {
  if (no_header) return false;
  if (!spec.any || spec.any_named) return true;
  if (std::any_of(fields.begin(), fields.end(), is_known_column_name)) return true;
  const ColumnRef& t = spec.col[kTime];
  return t.given && t.pos >= 0 && static_cast<size_t>(t.pos) < fields.size() && !reads_as_time(fields[t.pos]);
}

Status resolve_columns(const ColumnSpec& spec, const std::vector<std::string>& header, size_t num_fields,
                       size_t first_line_no, char delim, const std::string& name, int pos[kNumKinds]) {
  for (int k = 0; k < kNumKinds; ++k) pos[k] = -1;
  if (spec.any) {
    FORECART_RETURN_IF_ERROR(given_columns(spec, header, delim, name, pos));
  } else if (!header.empty()) {
    FORECART_RETURN_IF_ERROR(guess_columns(header, delim, name, pos));
  } else {
    pos[kUser] = 0;
    pos[kItem] = 1;
  }
  for (int k = 0; k < kNumKinds; ++k) {
    if (pos[k] >= 0 && static_cast<size_t>(pos[k]) >= num_fields)
      return invalid_argument(name + ": " + kKindNames[k] + " column " + std::to_string(pos[k]) + " is out of range (" +
                              std::to_string(num_fields) + " fields in line " + std::to_string(first_line_no) + ")");
  }
  if (pos[kUser] == pos[kItem])
    return invalid_argument(name + ": user and item are the same column " + std::to_string(pos[kUser]));
  return Status::Ok();
}

}  // namespace forecart::data::detail
