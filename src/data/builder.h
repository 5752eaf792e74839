// Internal to src/data: the Builder behind read_events / read_events_text (events.cpp). One per call: it adds the
// files in order (format detection, SASRec text, delimited lines, JSON Lines through jsonl_reader.h), checks each
// event, and merges them into per-user sequences.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "data/columns.h"
#include "data/events.h"
#include "data/jsonl_reader.h"
#include "data/line_reader.h"
#include "data/line_split.h"
#include "data/presets.h"
#include "data/time_reader.h"

namespace forecart::data::detail {

constexpr size_t kMaxReportedErrors = 5;
constexpr uint32_t kNone = 0xFFFFFFFFu;

// The reader: one Builder per read_events call, files are added in order.
class Builder {
 public:
  Builder(const ReadOptions& opts, ReadReport* report) : opts_(opts), report_(report) {}

  Status init() {
    FORECART_RETURN_IF_ERROR(apply_preset(&opts_));
    if (opts_.format != "auto" && opts_.format != "csv" && opts_.format != "text" && opts_.format != "jsonl")
      return invalid_argument("format '" + opts_.format + "': expected auto, csv, text or jsonl");
    char d = opts_.delimiter;
    if (d == '\n' || d == '\r' || d == '"') return invalid_argument("delimiter cannot be a newline or a quote");
    if (trim(opts_.default_action).empty()) return invalid_argument("default action is empty");
    if (opts_.default_action.size() > kMaxActionNameBytes)
      return invalid_argument("default action longer than " + std::to_string(kMaxActionNameBytes) + " bytes");
    FORECART_RETURN_IF_ERROR(parse_columns(opts_.columns, &spec_));
    if (opts_.no_header && spec_.any_named)
      return invalid_argument("columns '" + opts_.columns + "' name header columns, but no_header is set");
    FORECART_RETURN_IF_ERROR(parse_actions(opts_.actions, &action_map_));
    FORECART_RETURN_IF_ERROR(time_.init(opts_.time_unit, opts_.time_zone, opts_.time_format));
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
  void push_note(std::string head, const std::string (&names)[kNumKinds], const bool (&read)[kNumKinds]);
  void note_layout(const std::string& name, bool has_header, const std::vector<std::string>& header);
  void note_times();
  Status add_jsonl(LineReader* in, const std::string& name, bool action_override);
  Status jsonl_line(std::string_view line, size_t line_no, const std::string& name);
  void note_jsonl(const std::string& name);
  // The events of one line: all checked first (a line is added whole or is malformed), then added.
  Status add_events(const EventFields* events, size_t n, size_t line_no, const std::string& name, bool numbered);
  struct Checked {
    int64_t time = -1;
    bool drop = false;  // an unmapped action (drop_unmapped_actions)
  };
  bool check_event(const EventFields& f, Checked* c);  // false: reason_ says why the line is malformed
  bool check_action(const EventFields& f);
  Status add_event(const EventFields& f, const Checked& c);
  bool fail(std::string reason) {
    reason_ = std::move(reason);
    return false;
  }
  Status malformed(const std::string& name, size_t line, const std::string& reason);
  Status intern(std::unordered_map<std::string, uint32_t>* map, std::vector<std::string>* ids, std::string_view key,
                size_t limit, const char* what, uint32_t* index);
  Status intern_user(std::string_view id, uint32_t* index);
  Status file_constant_action(uint32_t* index);

  ReadOptions opts_;  // a copy: the preset fills it in
  ReadReport* report_;
  ColumnSpec spec_;
  std::unordered_map<std::string, std::string> action_map_;

  Dataset ds_;
  std::unordered_map<std::string, uint32_t> users_, items_, actions_, categories_;
  std::unordered_map<std::string, uint32_t> raw_actions_;  // raw action value -> action index (a cache)
  std::string key_;                                        // reused lookup key: no allocation per field
  std::vector<std::string_view> fields_;
  std::string unescaped_;
  std::string why_;
  std::string reason_;
  EventFields event_;                     // a delimited line's event
  std::vector<EventFields> json_events_;  // a JSON line's events
  std::vector<Checked> checked_;
  JsonlReader json_;

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
  const std::string too_long_ = "item id longer than " + std::to_string(kMaxItemIdBytes) + " bytes";
  TimeReader time_;
  size_t time_note_at_ = std::string::npos;  // where the time column's part of this file's note ends (npos: none)
  std::string time_column_;                  // "time column \"NAME\": " (or #POS) for messages
};

}  // namespace forecart::data::detail
