// The event-log readers of events.h: one Builder per call adds the files in order (format detection, SASRec text,
// delimited lines) and merges them into per-user sequences; read_events / read_events_text drive it. The pieces live
// beside it: line_reader.h (plain/gzip lines), line_split.h (fields), columns.h (options, column guessing),
// time_parse.h (times).
#include "data/events.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "core/limits.h"
#include "data/columns.h"
#include "data/line_reader.h"
#include "data/line_split.h"

namespace forecart::data {

size_t Dataset::num_events() const {
  size_t n = 0;
  for (const auto& s : sequences) n += s.size();
  return n;
}

namespace detail {
namespace {

constexpr size_t kMaxReportedErrors = 5;
constexpr uint32_t kNone = 0xFFFFFFFFu;

// The reader: one Builder per read_events call, files are added in order.
class Builder {
 public:
  Builder(const ReadOptions& opts, ReadReport* report) : opts_(opts), report_(report) {}

  Status init() {
    if (opts_.format != "auto" && opts_.format != "csv" && opts_.format != "text")
      return invalid_argument("format '" + opts_.format + "': expected auto, csv or text");
    char d = opts_.delimiter;
    if (d == '\n' || d == '\r' || d == '"') return invalid_argument("delimiter cannot be a newline or a quote");
    if (trim(opts_.default_action).empty()) return invalid_argument("default action is empty");
    if (opts_.default_action.size() > kMaxActionNameBytes)
      return invalid_argument("default action longer than " + std::to_string(kMaxActionNameBytes) + " bytes");
    FORECART_RETURN_IF_ERROR(parse_columns(opts_.columns, &spec_));
    if (opts_.no_header && spec_.any_named)
      return invalid_argument("columns '" + opts_.columns + "' name header columns, but no_header is set");
    FORECART_RETURN_IF_ERROR(parse_actions(opts_.actions, &action_map_));
    return Status::Ok();
  }

  // Reads one file from `in`; `name` is used in messages; `const_action` is the "#action=" value or "".
  Status add_file(LineReader* in, const std::string& name, const std::string& const_action);

  Result<Dataset> finish(const std::string& what);

 private:
  Status add_sasrec(LineReader* in, const std::string& name);
  Status sasrec_line(std::string_view line, size_t line_no, const std::string& name);
  Status add_delimited(LineReader* in, const std::string& name, bool action_override);
  Status delimited_line(std::string_view line, size_t line_no, const std::string& name);
  void note_layout(const std::string& name, bool has_header, const std::vector<std::string>& header);
  Status malformed(const std::string& name, size_t line, const std::string& reason);
  Status intern(std::unordered_map<std::string, uint32_t>* map, std::vector<std::string>* ids, std::string_view key,
                size_t limit, const char* what, uint32_t* index);
  Status intern_user(std::string_view id, uint32_t* index);
  Status file_constant_action(uint32_t* index);

  const ReadOptions& opts_;
  ReadReport* report_;
  ColumnSpec spec_;
  std::unordered_map<std::string, std::string> action_map_;

  Dataset ds_;
  std::unordered_map<std::string, uint32_t> users_, items_, actions_, categories_;
  std::unordered_map<std::string, uint32_t> raw_actions_;  // raw action value -> action index (a cache)
  std::string key_;                                        // reused lookup key: no allocation per field
  std::vector<std::string_view> fields_;
  std::string unescaped_;

  // Per file: the constant action name ("#action=" or the default) and its index once interned; the first
  // non-empty line (a copy: it decides the format and may be data); the delimited layout.
  std::string const_action_name_;
  uint32_t const_action_ = kNone;
  std::string first_line_;
  size_t first_line_no_ = 0;
  char delim_ = ',';
  bool quotes_ = true;
  size_t num_fields_ = 0;
  int pos_[kNumKinds] = {-1, -1, -1, -1, -1};
  std::string too_long_;
};

Status Builder::malformed(const std::string& name, size_t line, const std::string& reason) {
  std::string msg = name + ":" + std::to_string(line) + ": " + reason;
  if (opts_.strict) return parse_error(std::move(msg));
  ++report_->skipped;
  if (report_->first_errors.size() < kMaxReportedErrors) report_->first_errors.push_back(std::move(msg));
  return Status::Ok();
}

Status Builder::intern(std::unordered_map<std::string, uint32_t>* map, std::vector<std::string>* ids,
                       std::string_view key, size_t limit, const char* what, uint32_t* index) {
  key_.assign(key.data(), key.size());
  auto it = map->find(key_);
  if (it != map->end()) {
    *index = it->second;
    return Status::Ok();
  }
  if (ids->size() >= limit)
    return limit_exceeded(std::string("more than ") + std::to_string(limit) + " distinct " + what +
                          " (is the right column selected?)");
  uint32_t idx = static_cast<uint32_t>(ids->size());
  map->emplace(key_, idx);
  ids->emplace_back(key);
  *index = idx;
  return Status::Ok();
}

Status Builder::intern_user(std::string_view id, uint32_t* index) {
  size_t before = ds_.user_ids.size();
  FORECART_RETURN_IF_ERROR(intern(&users_, &ds_.user_ids, id, kNone - 1, "users", index));
  if (ds_.user_ids.size() != before) ds_.sequences.emplace_back();
  return Status::Ok();
}

Status Builder::file_constant_action(uint32_t* index) {
  if (const_action_ == kNone)
    FORECART_RETURN_IF_ERROR(
        intern(&actions_, &ds_.action_names, const_action_name_, kMaxActions, "actions", &const_action_));
  *index = const_action_;
  return Status::Ok();
}

Status Builder::add_file(LineReader* in, const std::string& name, const std::string& const_action) {
  const_action_name_ = const_action.empty() ? std::string(trim(opts_.default_action)) : const_action;
  const_action_ = kNone;

  // The first non-empty line decides the format, the delimiter and (maybe) the header.
  std::string_view line;
  bool found = false;
  while (in->next(&line)) {
    // A UTF-8 byte-order mark would otherwise glue itself to the first header name.
    if (in->line_no() == 1 && line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.remove_prefix(3);
    if (!trim(line).empty()) {
      found = true;
      break;
    }
  }
  FORECART_RETURN_IF_ERROR(in->status());
  if (!found) {
    report_->file_notes.push_back(name + ": empty");
    return Status::Ok();
  }
  first_line_.assign(line.data(), line.size());
  first_line_no_ = in->line_no();

  bool delimited;
  if (opts_.format == "csv") {
    delimited = true;
  } else if (opts_.format == "text") {
    delimited = false;
  } else {
    delimited = first_line_.find_first_of(",;\t") != std::string::npos;
  }
  Status st = delimited ? add_delimited(in, name, !const_action.empty()) : add_sasrec(in, name);
  FORECART_RETURN_IF_ERROR(st);
  return in->status();
}

Status Builder::add_sasrec(LineReader* in, const std::string& name) {
  report_->file_notes.push_back(name + ": SASRec text (user item item ...), action=(" + const_action_name_ + ")");
  too_long_ = "item id longer than " + std::to_string(kMaxItemIdBytes) + " bytes";
  FORECART_RETURN_IF_ERROR(sasrec_line(first_line_, first_line_no_, name));
  std::string_view line;
  while (in->next(&line)) FORECART_RETURN_IF_ERROR(sasrec_line(line, in->line_no(), name));
  return Status::Ok();
}

Status Builder::sasrec_line(std::string_view line, size_t line_no, const std::string& name) {
  std::vector<std::string_view>& tokens = fields_;
  tokens.clear();
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !is_space(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
  if (tokens.empty()) return Status::Ok();
  ++report_->lines;
  if (tokens.size() < 2) return malformed(name, line_no, "expected a user id and at least one item id");
  for (size_t t = 1; t < tokens.size(); ++t)
    if (tokens[t].size() > kMaxItemIdBytes) return malformed(name, line_no, too_long_);
  uint32_t action, user;
  FORECART_RETURN_IF_ERROR(file_constant_action(&action));
  FORECART_RETURN_IF_ERROR(intern_user(tokens[0], &user));
  std::vector<Event>& seq = ds_.sequences[user];
  for (size_t t = 1; t < tokens.size(); ++t) {
    uint32_t item;
    FORECART_RETURN_IF_ERROR(intern(&items_, &ds_.item_ids, tokens[t], kMaxItems, "items", &item));
    if (item == ds_.item_category.size()) ds_.item_category.push_back(kNoCategory);
    seq.push_back(Event{user, item, action, kNoCategory, -1});
    ++report_->events;
  }
  return Status::Ok();
}

Status Builder::add_delimited(LineReader* in, const std::string& name, bool action_override) {
  delim_ = detect_delimiter(first_line_, opts_.delimiter);
  quotes_ = delim_ == ',' || delim_ == ';';
  const char* err = split_fields(first_line_, delim_, quotes_, &fields_, &unescaped_);
  if (err) return parse_error(name + ":" + std::to_string(first_line_no_) + ": " + err);
  num_fields_ = fields_.size();

  const bool has_header = first_row_is_header(spec_, opts_.no_header, fields_);
  std::vector<std::string> header;
  if (has_header)
    for (std::string_view f : fields_) header.emplace_back(trim(f));
  FORECART_RETURN_IF_ERROR(resolve_columns(spec_, header, num_fields_, first_line_no_, delim_, name, pos_));
  if (action_override) pos_[kAction] = -1;
  note_layout(name, has_header, header);

  too_long_ = "item id longer than " + std::to_string(kMaxItemIdBytes) + " bytes";
  if (!has_header) FORECART_RETURN_IF_ERROR(delimited_line(first_line_, first_line_no_, name));
  std::string_view line;
  while (in->next(&line)) FORECART_RETURN_IF_ERROR(delimited_line(line, in->line_no(), name));
  return Status::Ok();
}

// Describes the layout chosen for this file in the report, for logs.
void Builder::note_layout(const std::string& name, bool has_header, const std::vector<std::string>& header) {
  std::string note = name + ": csv '" + (delim_ == '\t' ? std::string("\\t") : std::string(1, delim_)) + "'" +
                     (has_header ? " header" : " no header");
  for (int k = 0; k < kNumKinds; ++k) {
    if (pos_[k] >= 0) {
      note += std::string(" ") + kKindNames[k] + "=" + (has_header ? header[pos_[k]] : "#" + std::to_string(pos_[k]));
    } else if (k == kAction) {
      note += " action=(" + const_action_name_ + ")";
    }
  }
  report_->file_notes.push_back(std::move(note));
}

Status Builder::delimited_line(std::string_view line, size_t line_no, const std::string& name) {
  if (trim(line).empty()) return Status::Ok();
  ++report_->lines;
  const int* pos = pos_;
  const char* err = split_fields(line, delim_, quotes_, &fields_, &unescaped_);
  if (err) return malformed(name, line_no, err);
  if (fields_.size() != num_fields_)
    return malformed(name, line_no,
                     "expected " + std::to_string(num_fields_) + " fields, found " + std::to_string(fields_.size()));
  std::string_view user_id = fields_[pos[kUser]];
  std::string_view item_id = fields_[pos[kItem]];
  if (user_id.empty()) return malformed(name, line_no, "empty user id");
  if (item_id.empty()) return malformed(name, line_no, "empty item id");
  if (item_id.size() > kMaxItemIdBytes) return malformed(name, line_no, too_long_);
  int64_t time = -1;
  if (pos[kTime] >= 0 && !parse_time(fields_[pos[kTime]], &time))
    return malformed(name, line_no, "unparsable time '" + excerpt(fields_[pos[kTime]]) + "'");
  std::string_view category;
  if (pos[kCategory] >= 0) {
    category = fields_[pos[kCategory]];
    if (category.size() > kMaxCategoryNameBytes)
      return malformed(name, line_no, "category longer than " + std::to_string(kMaxCategoryNameBytes) + " bytes");
  }
  // Action last: resolving it may register a new action name, which only a valid line may do.
  uint32_t action;
  if (pos[kAction] >= 0) {
    std::string_view raw = fields_[pos[kAction]];
    key_.assign(raw.data(), raw.size());
    auto it = raw_actions_.find(key_);
    if (it != raw_actions_.end()) {
      action = it->second;
    } else {
      if (raw.empty()) return malformed(name, line_no, "empty action");
      auto mapped = action_map_.find(key_);
      std::string action_name = mapped != action_map_.end() ? mapped->second : key_;
      if (action_name.size() > kMaxActionNameBytes)
        return malformed(name, line_no, "action name longer than " + std::to_string(kMaxActionNameBytes) + " bytes");
      std::string raw_key = key_;  // intern() reuses key_
      FORECART_RETURN_IF_ERROR(intern(&actions_, &ds_.action_names, action_name, kMaxActions, "actions", &action));
      raw_actions_.emplace(std::move(raw_key), action);
    }
  } else {
    FORECART_RETURN_IF_ERROR(file_constant_action(&action));
  }
  uint32_t user, item;
  FORECART_RETURN_IF_ERROR(intern_user(user_id, &user));
  FORECART_RETURN_IF_ERROR(intern(&items_, &ds_.item_ids, item_id, kMaxItems, "items", &item));
  if (item == ds_.item_category.size()) ds_.item_category.push_back(kNoCategory);
  if (!category.empty()) {
    uint32_t cat;
    FORECART_RETURN_IF_ERROR(intern(&categories_, &ds_.category_names, category, kMaxCategories, "categories", &cat));
    ds_.item_category[item] = cat;  // the last one seen wins
  }
  ds_.sequences[user].push_back(Event{user, item, action, kNoCategory, time});
  ++report_->events;
  return Status::Ok();
}

Result<Dataset> Builder::finish(const std::string& what) {
  if (ds_.user_ids.empty() || ds_.item_ids.empty()) {
    std::string msg = "no events read from " + what;
    if (report_->skipped > 0)
      msg += " (" + std::to_string(report_->skipped) +
             " malformed lines skipped, first: " + report_->first_errors.front() + ")";
    return parse_error(std::move(msg));
  }
  for (auto& seq : ds_.sequences) {
    // Categories are per item (last seen wins), so events carry the item's final category.
    for (Event& e : seq) e.category = ds_.item_category[e.item];
    auto by_time = [](const Event& a, const Event& b) { return a.time < b.time; };
    if (!std::is_sorted(seq.begin(), seq.end(), by_time)) std::stable_sort(seq.begin(), seq.end(), by_time);
  }
  return std::move(ds_);
}

}  // namespace
}  // namespace detail

Result<Dataset> read_events(const std::vector<std::string>& paths, const ReadOptions& opts, ReadReport* report) {
  ReadReport local;
  ReadReport* rep = report ? report : &local;
  *rep = ReadReport();
  if (paths.empty()) return invalid_argument("no input files");
  detail::Builder b(opts, rep);
  FORECART_RETURN_IF_ERROR(b.init());
  std::string path, action, what;
  for (const std::string& spec : paths) {
    FORECART_RETURN_IF_ERROR(detail::split_action_suffix(spec, &path, &action));
    detail::LineReader in{std::string_view()};
    FORECART_RETURN_IF_ERROR(in.open(path));
    FORECART_RETURN_IF_ERROR(b.add_file(&in, path, action));
    what += (what.empty() ? "" : ", ") + path;
  }
  return b.finish(what);
}

Result<Dataset> read_events_text(const std::string& text, const std::string& name, const ReadOptions& opts,
                                 ReadReport* report) {
  ReadReport local;
  ReadReport* rep = report ? report : &local;
  *rep = ReadReport();
  detail::Builder b(opts, rep);
  FORECART_RETURN_IF_ERROR(b.init());
  std::string path, action;
  FORECART_RETURN_IF_ERROR(detail::split_action_suffix(name, &path, &action));
  detail::LineReader in{std::string_view(text)};
  FORECART_RETURN_IF_ERROR(b.add_file(&in, path, action));
  return b.finish(path);
}

}  // namespace forecart::data
