// Internal to src/data: which columns of a delimited event log hold what. Parses the `columns` and `actions` options
// and the "#action=NAME" path suffix, detects a header row, and guesses or resolves column positions from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace forecart::data::detail {

enum Kind { kUser = 0, kItem, kAction, kTime, kCategory, kNumKinds };
inline constexpr const char* kKindNames[kNumKinds] = {"user", "item", "action", "time", "category"};

// Header names tried for each kind, in priority order (the first name present in the header wins). Users are
// preferred over sessions: a file with both (Diginetica, JD) is read per user unless `columns` says otherwise.
// The JSON Lines reader guesses keys from the same names.
const std::vector<std::vector<std::string_view>>& guess_names();

// Whether `field` (trimmed, case-insensitive) is one of guess_names().
bool is_known_column_name(std::string_view field);

struct ColumnRef {
  int pos = -1;      // resolved 0-based position, -1 = absent
  std::string name;  // header name when given by name
  bool given = false;
};

struct ColumnSpec {
  ColumnRef col[kNumKinds];
  bool any = false;        // columns were given explicitly
  bool any_named = false;  // at least one is a header name
  std::string events;      // "events=PATH": the events array of a JSON Lines session line ("" = none or detected)
};

// How one column of one event came out: not read at all, read but absent in this event (JSON), or a value.
enum FieldState : uint8_t { kNoColumn = 0, kAbsent, kValue };

// One event's values by kind, from a delimited line or a JSON line (views valid until the next line).
struct EventFields {
  std::string_view value[kNumKinds];
  uint8_t state[kNumKinds] = {};  // FieldState
};

// The `columns` option ("user=user_id,item=1,..."); empty = guess every column. A name may list alternatives
// ("user=session_id|sessionId": the first one present wins); "events=PATH" is the JSON Lines events array and may
// be given alone (the other columns are then guessed).
Status parse_columns(const std::string& spec, ColumnSpec* out);

// The `actions` option ("1=view,2=purchase"): raw action value -> name.
Status parse_actions(const std::string& spec, std::unordered_map<std::string, std::string>* out);

// Splits "path#action=NAME" into the path and the constant action ("" when there is no suffix).
Status split_action_suffix(const std::string& spec, std::string* path, std::string* action);

// Whether the first row, split into `fields`, is a header: always with guessed or named columns, never with
// no_header; with only positional columns when a field is a known column name or the time field does not read
// as a time under the file's time options (`reads_as_time`: --time-unit, --time-zone, --time-format).
bool first_row_is_header(const ColumnSpec& spec, bool no_header, const std::vector<std::string_view>& fields,
                         const std::function<bool(std::string_view)>& reads_as_time);

// Resolves the columns to 0-based positions (pos[k] = -1: absent) for a file whose first row has `num_fields`
// fields; `header` holds that row's trimmed fields when it is a header and is empty otherwise. Guesses from the
// header names when `spec` gives no columns. `name` (the file) and `delim` are for messages.
Status resolve_columns(const ColumnSpec& spec, const std::vector<std::string>& header, size_t num_fields,
                       size_t first_line_no, char delim, const std::string& name, int pos[kNumKinds]);

}  // namespace forecart::data::detail
