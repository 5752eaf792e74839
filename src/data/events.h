// Event-log readers: delimited text (CSV/TSV/';', plain or gzip) and SASRec text into per-user event sequences.
// Native only (zlib); every failure comes back as a Status, nothing throws or exits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/time_parse.h"  // parse_time

namespace forecart::data {

constexpr uint32_t kNoCategory = 0xFFFFFFFFu;

// One interaction. item/action/category are 0-based indices into the Dataset tables.
struct Event {
  uint32_t user;
  uint32_t item;
  uint32_t action;
  uint32_t category;  // the item's category (= Dataset::item_category[item]) or kNoCategory
  int64_t time;       // unix seconds; -1 when the input has no time column
};

struct Dataset {
  // Id tables; an id's index is its order of first appearance across the files (in the order given).
  std::vector<std::string> user_ids, item_ids, action_names, category_names;
  std::vector<uint32_t> item_category;  // per item: category index (last one seen wins) or kNoCategory
  // Per user (index = user): ordered by time, STABLE for ties, so equal times keep the input order
  // (line order within a file, files in the order given).
  std::vector<std::vector<Event>> sequences;

  size_t num_events() const;
};

struct ReadOptions {
  // "auto" | "csv" | "text" (SASRec: "user item item ..." per line) | "jsonl" (JSON Lines, data/jsonl_reader.h).
  // auto: jsonl for names ending .jsonl/.ndjson (also + .gz) or a first line starting with '{'; else csv when the
  // first line holds ',', ';' or a tab; else text.
  std::string format = "auto";
  char delimiter = 0;  // 0 = auto-detect among ',', ';', '\t' (most frequent in the first line)
  // "user=user_id,item=product_id,action=event_type,time=event_time,category=cat" (by header name, case-insensitive)
  // or "user=0,item=1,category=2,action=3,time=4" (0-based positions); names and positions may be mixed.
  // Only the listed columns are used. Empty = guess every column from the header names. A name may list
  // alternatives, "user=session_id|sessionId" (the first present wins). JSON Lines: names are dotted key paths
  // ("user.id", "items.0.item_id"), and "events=PATH" names the events array of a session per line.
  std::string columns;
  bool no_header = false;  // the file has no header row (columns must be positional; empty = user=0,item=1 only)
  // "1=view,2=purchase,3=favourite,4=comment": raw action value -> name. Default: the raw values themselves;
  // values not in a given mapping are kept under their raw value.
  std::string actions;
  // Drop (and count in ReadReport::dropped) the events whose raw action is not a key of `actions`, or is absent
  // (JSON); only where an action column is read (not for a "#action=" file).
  bool drop_unmapped_actions = false;
  // A named preset (data/presets.h: ga4, segment, snowplow, retailrocket, otto): its format, columns, actions and
  // time unit fill the options left at their defaults here, and it turns drop_unmapped_actions on. "" = none.
  std::string preset;
  std::string default_action = "view";  // action name when the file has no action column
  bool strict = false;  // fail at the first malformed line (message "FILE:LINE: reason"); otherwise skip and count
  // Times (data/time_reader.h). time_unit: epoch numbers are "s", "ms", "us" or "ns"; "auto" detects the unit
  // per file from the first number's magnitude. time_zone: where times written without a zone are read ("UTC",
  // "+05:30", "Europe/Berlin"). time_format: a strftime-like layout (data/time_format.h) every time must match;
  // empty = epoch numbers and ISO 8601. A time outside 1995-2100 is a malformed line.
  std::string time_unit = "auto";
  std::string time_zone = "UTC";
  std::string time_format;
};

struct ReadReport {
  size_t lines = 0;                       // non-empty data lines seen (headers excluded), all files
  size_t events = 0;                      // events added
  size_t skipped = 0;                     // malformed lines skipped (lenient mode)
  size_t dropped = 0;                     // events dropped for an unmapped action (drop_unmapped_actions)
  std::vector<std::string> first_errors;  // at most 5, "FILE:LINE: reason"
  // One line per file saying how it was read, e.g. "views.csv: csv ';' header user=session_id item=item_id
  // action=(view) time=eventdate"; meant for CLI logs so that a wrong guess is visible.
  std::vector<std::string> file_notes;
};

// Reads and merges several files (plain or .gz). A path may end in "#action=NAME" to give every event of that
// file the constant action NAME (overrides the action column and default_action), e.g.
// "train-purchases.csv.gz#action=purchase". A path may also be a directory (its regular files, sorted by name,
// without dot files) or a glob(3) pattern ("exports/events_*.jsonl.gz"); see data/paths.h.
//
// Column guessing from header names (JSON Lines: key names), case-insensitive, first match in this order wins:
//   user:     user_id, userid, user, user_pseudo_id, anonymous_id, anonymousid, domain_userid, visitorid,
//             visitor_id, session_id, sessionid, session  (a user column is preferred over a session column)
//   item:     item_id, itemid, item, sku_id, sku, product_id, productid, aid
//   action:   type, action, event_type, event_name, behavior_type, event
//   time:     timestamp, time, ts, event_time, event_timestamp, action_time, eventdate
//   category: category_id, category, categoryid
// Header rows: with guessed or named columns the first row is the header. With only positional columns the
// first row is taken as a header when one of its fields is a known column name above, or its time field does
// not parse as a time; no_header turns this off.
// Quoted fields ("a,b", "" for a quote) are understood with ',' and ';' delimiters; a quoted field cannot
// span lines. A UTF-8 BOM and trailing \r are ignored; spaces around delimited fields are trimmed.
// Malformed lines (wrong field count, empty user/item id, item id over kMaxItemIdBytes, a time that cannot be read
// or lands outside 1995-2100, action or category name over its limit; JSON Lines: see data/jsonl_reader.h) are
// skipped and counted, or fail with parse_error in strict mode.
// Errors: io_error (file cannot be opened or read, an empty directory, a glob without matches), invalid_argument
// (bad options, a named column not in the header, user or item column not found), limit_exceeded (more than
// kMaxItems items, kMaxActions actions or kMaxCategories categories), parse_error (strict mode, no events at all,
// or a line over detail::kMaxLineBytes = 64 MiB).
// Files are streamed in 1 MiB chunks, so memory is bounded by the Dataset rather than the file size.
// *report is reset first and is filled in as far as reading got, also when an error is returned.
Result<Dataset> read_events(const std::vector<std::string>& paths, const ReadOptions& opts,
                            ReadReport* report = nullptr);

// Whether format "auto" reads a file of this name as JSON Lines whatever its first line: a name ending .jsonl or
// .ndjson, also followed by .gz (case-insensitive).
bool is_jsonl_name(std::string_view path);

// The same from in-memory text (for tests): name is used in messages and may carry "#action=NAME".
Result<Dataset> read_events_text(const std::string& text, const std::string& name, const ReadOptions& opts,
                                 ReadReport* report = nullptr);

}  // namespace forecart::data
