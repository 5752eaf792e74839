// The event-log readers of events.h: the Builder (builder.h) adds the files in order (format detection, SASRec
// text, delimited lines, JSON Lines), checks each event and merges them into per-user sequences; read_events /
// read_events_text drive it. The pieces live beside it: line_reader.h (plain/gzip lines), line_split.h (fields),
// columns.h (options, column guessing), jsonl_reader.h (JSON lines), paths.h (directories, globs), presets.h,
// time_reader.h (times).
#include "data/events.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "core/limits.h"
#include "data/builder.h"
#include "data/columns.h"
#include "data/line_reader.h"
#include "data/line_split.h"
#include "data/paths.h"

namespace forecart::data {

size_t Dataset::num_events() const {
  size_t n = 0;
  for (const auto& s : sequences) n += s.size();
  return n;
}

bool is_jsonl_name(std::string_view path) {
  for (std::string_view ext : {".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz"})
    if (path.size() >= ext.size() && detail::iequals(path.substr(path.size() - ext.size()), ext)) return true;
  return false;
}

namespace detail {

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
  time_.start_file();

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
  Status st;
  if (opts_.format == "jsonl" || (opts_.format == "auto" && looks_like_jsonl(name, first_line_))) {
    st = add_jsonl(in, name, !const_action.empty());
  } else {
    st = delimited ? add_delimited(in, name, !const_action.empty()) : add_sasrec(in, name);
  }
  FORECART_RETURN_IF_ERROR(st);
  return in->status();
}

Status Builder::add_sasrec(LineReader* in, const std::string& name) {
  report_->file_notes.push_back(name + ": SASRec text (user item item ...), action=(" + const_action_name_ + ")");
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

  const bool has_header =
      first_row_is_header(spec_, opts_.no_header, fields_, [this](std::string_view v) { return time_.parses(v); });
  std::vector<std::string> header;
  if (has_header)
    for (std::string_view f : fields_) header.emplace_back(trim(f));
  // Named with the header's line, so that a missing column's message says where it looked.
  FORECART_RETURN_IF_ERROR(resolve_columns(spec_, header, num_fields_, first_line_no_, delim_,
                                           name + ":" + std::to_string(first_line_no_), pos_));
  if (action_override) pos_[kAction] = -1;
  note_layout(name, has_header, header);

  if (!has_header) FORECART_RETURN_IF_ERROR(delimited_line(first_line_, first_line_no_, name));
  std::string_view line;
  while (in->next(&line)) FORECART_RETURN_IF_ERROR(delimited_line(line, in->line_no(), name));
  note_times();
  return Status::Ok();
}

// Files one file's note in the report: `head` (format and layout), then " kind=NAME" for each column read
// (read[k]; an action column not read is the file's constant action). Remembers where the time column's part
// ends, for note_times.
void Builder::push_note(std::string head, const std::string (&names)[kNumKinds], const bool (&read)[kNumKinds]) {
  time_note_at_ = std::string::npos;
  for (int k = 0; k < kNumKinds; ++k) {
    if (read[k]) {
      head += std::string(" ") + kKindNames[k] + "=" + names[k];
      if (k == kTime) time_note_at_ = head.size();
    } else if (k == kAction) {
      head += " action=(" + const_action_name_ + ")";
    }
  }
  report_->file_notes.push_back(std::move(head));
}

// Describes the layout chosen for this file in the report, for logs.
void Builder::note_layout(const std::string& name, bool has_header, const std::vector<std::string>& header) {
  std::string names[kNumKinds];
  bool read[kNumKinds];
  for (int k = 0; k < kNumKinds; ++k) {
    read[k] = pos_[k] >= 0;
    if (read[k]) names[k] = has_header ? header[pos_[k]] : "#" + std::to_string(pos_[k]);
  }
  if (read[kTime]) time_column_ = "time column " + (has_header ? "\"" + names[kTime] + "\"" : names[kTime]) + ": ";
  push_note(name + ": csv '" + (delim_ == '\t' ? std::string("\\t") : std::string(1, delim_)) + "'" +
                (has_header ? " header" : " no header"),
            names, read);
}

// Adds how the times were read (the unit chosen, the zone) after "time=NAME" in the file's note.
void Builder::note_times() {
  if (time_note_at_ == std::string::npos) return;
  const std::string how = time_.note();
  if (!how.empty()) report_->file_notes.back().insert(time_note_at_, " " + how);
}

Status Builder::delimited_line(std::string_view line, size_t line_no, const std::string& name) {
  if (trim(line).empty()) return Status::Ok();
  ++report_->lines;
  const char* err = split_fields(line, delim_, quotes_, &fields_, &unescaped_);
  if (err) return malformed(name, line_no, err);
  if (fields_.size() != num_fields_)
    return malformed(name, line_no,
                     "expected " + std::to_string(num_fields_) + " fields, found " + std::to_string(fields_.size()));
  for (int k = 0; k < kNumKinds; ++k) {
    event_.state[k] = pos_[k] >= 0 ? kValue : kNoColumn;
    event_.value[k] = pos_[k] >= 0 ? fields_[pos_[k]] : std::string_view();
  }
  return add_events(&event_, 1, line_no, name, false);
}

Status Builder::add_jsonl(LineReader* in, const std::string& name, bool action_override) {
  FORECART_RETURN_IF_ERROR(json_.start_file(spec_, !action_override, name));
  time_column_ = "time \"" + json_.path(kTime) + "\": ";
  FORECART_RETURN_IF_ERROR(jsonl_line(first_line_, first_line_no_, name));
  std::string_view line;
  while (in->next(&line)) FORECART_RETURN_IF_ERROR(jsonl_line(line, in->line_no(), name));
  note_jsonl(name);
  return Status::Ok();
}

Status Builder::jsonl_line(std::string_view line, size_t line_no, const std::string& name) {
  if (trim(line).empty()) return Status::Ok();
  ++report_->lines;
  const bool decided = json_.decided();
  if (!json_.parse(line, &json_events_, &reason_)) return malformed(name, line_no, reason_);
  if (!decided && json_.decided()) time_column_ = "time \"" + json_.path(kTime) + "\": ";
  return add_events(json_events_.data(), json_events_.size(), line_no, name, json_.sessions());
}

// Describes how a JSON Lines file was read, like note_layout: "t.jsonl: jsonl sessions events=events user=session
// item=aid action=type time=ts".
void Builder::note_jsonl(const std::string& name) {
  std::string head = name + ": jsonl";
  if (!json_.decided()) head += " (no line held the item)";
  if (json_.sessions()) head += " sessions events=" + json_.events_path();
  std::string names[kNumKinds];
  bool read[kNumKinds];
  for (int k = 0; k < kNumKinds; ++k) {
    names[k] = json_.path(k);
    read[k] = !names[k].empty();
  }
  push_note(std::move(head), names, read);
  note_times();
}

namespace {

// Why a read gave no events, for "no events read from FILES: ...": every file empty, no data lines, or every data
// line malformed (with the first one's "FILE:LINE: reason").
std::string no_events_reason(const ReadReport& r) {
  const bool all_empty = std::all_of(r.file_notes.begin(), r.file_notes.end(), [](const std::string& n) {
    return n.size() >= 7 && n.compare(n.size() - 7, 7, ": empty") == 0;
  });
  if (r.lines == 0)
    return all_empty ? (r.file_notes.size() > 1 ? "the files are empty" : "the file is empty")
                     : "no data lines (only a header)";
  if (r.skipped == 0 && r.dropped > 0)
    return "all " + std::to_string(r.dropped) + " events were dropped: their actions are not mapped (--actions)";
  if (r.skipped == 0 || r.first_errors.empty()) return "no usable data lines";
  const std::string count = r.skipped == r.lines ? "all " + std::to_string(r.lines)
                                                 : std::to_string(r.skipped) + " of " + std::to_string(r.lines);
  return count + " data lines are malformed; first: " + r.first_errors.front();
}

}  // namespace

Result<Dataset> Builder::finish(const std::string& what) {
  if (ds_.user_ids.empty() || ds_.item_ids.empty())
    return parse_error("no events read from " + what + ": " + no_events_reason(*report_));
  for (auto& seq : ds_.sequences) {
    // Categories are per item (last seen wins), so events carry the item's final category.
    for (Event& e : seq) e.category = ds_.item_category[e.item];
    auto by_time = [](const Event& a, const Event& b) { return a.time < b.time; };
    if (!std::is_sorted(seq.begin(), seq.end(), by_time)) std::stable_sort(seq.begin(), seq.end(), by_time);
  }
  return std::move(ds_);
}

}  // namespace detail

Result<Dataset> read_events(const std::vector<std::string>& paths, const ReadOptions& opts, ReadReport* report) {
  ReadReport local;
  ReadReport* rep = report ? report : &local;
  *rep = ReadReport();
  if (paths.empty()) return invalid_argument("no input files");
  detail::Builder b(opts, rep);
  FORECART_RETURN_IF_ERROR(b.init());
  std::string path, action, what;
  std::vector<std::string> files;
  for (const std::string& spec : paths) {
    FORECART_RETURN_IF_ERROR(detail::split_action_suffix(spec, &path, &action));
    files.clear();
    FORECART_RETURN_IF_ERROR(detail::expand_path(path, &files));  // a directory or a glob: its files
    for (const std::string& file : files) {
      detail::LineReader in{std::string_view()};
      FORECART_RETURN_IF_ERROR(in.open(file));
      FORECART_RETURN_IF_ERROR(b.add_file(&in, file, action));
      what += (what.empty() ? "" : ", ") + file;
    }
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
