// Internal to src/data: the JSON Lines reader of the event-log readers (format "jsonl"). Parses one line at a time
// with nlohmann-json (the Builder streams the lines, so memory is bounded by the longest line) into the events it
// holds, as views the Builder checks and adds like the fields of a delimited line.
//
// Layouts, per file:
//   - one event per line: every column is a path from the line's object;
//   - one session per line: an array of event objects (columns "events=PATH", or detected: the first top-level
//     array, in key order, whose first element holds the item column) gives one event per element; each column
//     is looked up in the element first, then in the line (OTTO: {"session":1,"events":[{"aid":..,"ts":..}]}).
// Columns are dotted paths ("user.id", "items.0.item_id": a number picks an array element), keys matched exactly
// or else case-insensitively, with alternatives separated by '|' (the first present wins). Without columns they
// are guessed from the key names of guess_names() (columns.h), on the first line that holds an item.
// Ids and actions may be strings or numbers (123 and "123" are the same id); times are strings or numbers as the
// time reader takes them; null is an absent value; objects, arrays and booleans are not values.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/columns.h"

namespace forecart::data::detail {

constexpr int kMaxJsonDepth = 64;  // deeper nesting makes the line malformed (and bounds the parse)

// Format auto-detection: is_jsonl_name(name) (events.h), or a first non-blank line that starts with '{'.
bool looks_like_jsonl(std::string_view name, std::string_view first_line);

class JsonlReader {
 public:
  JsonlReader();
  ~JsonlReader();
  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  // A new file read with `spec` (given columns, or none: guessed); use_action false ignores the action column
  // (a "#action=" file). invalid_argument for a spec that names columns by position.
  Status start_file(const ColumnSpec& spec, bool use_action, const std::string& name);

  // Parses one non-blank line into *events (views valid until the next call). False with *reason when the line
  // is malformed (not a JSON object, no events array, a value of the wrong type, no item column to be found).
  bool parse(std::string_view line, std::vector<EventFields>* events, std::string* reason);

  // Whether the layout is known (columns resolved, sessions or not): after the first line that held an item.
  bool decided() const;
  bool sessions() const;
  // The path read for a kind ("" when the kind is not read), and the events array's path ("" for none).
  const std::string& path(int kind) const;
  const std::string& events_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace forecart::data::detail
