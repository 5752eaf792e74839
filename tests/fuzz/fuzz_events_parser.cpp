// Fuzz target: the event-log readers (data/events.h) on in-memory text, and parse_time.
//
// Input layout: byte 0 and byte 1 choose the ReadOptions (see options_from), the rest is the text. When the
// options say so, the first line(s) of the text are the columns and/or actions specs themselves, so that the
// option parsers are fuzzed too.
// Properties:
//   - read_events_text never crashes and fails only with invalid_argument, parse_error or limit_exceeded;
//   - a Dataset it returns is consistent (indices in range, ids unique and within limits, sequences sorted by
//     time, categories per item, the report's counts add up);
//   - strict mode succeeding means lenient mode gives the same Dataset with nothing skipped;
//   - parse_time ignores surrounding spaces, and agrees with simple oracles on plain digits and dates.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/limits.h"
#include "core/status.h"
#include "data/events.h"
#include "fuzz_check.h"

namespace {

using namespace forecart;
using namespace forecart::data;

// Takes the first line off *text (without its '\n').
std::string take_line(std::string* text) {
  const size_t nl = text->find('\n');
  std::string line = text->substr(0, nl);
  text->erase(0, nl == std::string::npos ? text->size() : nl + 1);
  return line;
}

// byte 0: bits 0-1 format (auto, csv, text, auto), bits 2-3 delimiter (auto, ',', ';', tab),
//         bit 4 no_header, bit 5 strict, bits 6-7 columns (none, by name, by position, first line of the text)
// byte 1: bits 0-1 actions (none, JD numbers, Taobao names, next line of the text), bit 2 "#action=" in the
//         name, bit 3 another default action, bits 4-5 a second columns style (mixed names and positions,
//         category and time only by position, user/item only, a bad spec) used when byte 0 asks for none.
ReadOptions options_from(uint8_t b0, uint8_t b1, std::string* text, std::string* name) {
  ReadOptions o;
  static const char* const kFormats[] = {"auto", "csv", "text", "auto"};
  static const char kDelims[] = {0, ',', ';', '\t'};
  o.format = kFormats[b0 & 3];
  o.delimiter = kDelims[(b0 >> 2) & 3];
  o.no_header = (b0 >> 4) & 1;
  o.strict = (b0 >> 5) & 1;
  switch (b0 >> 6) {
    case 1: o.columns = "user=user_id,item=item_id,action=type,time=timestamp,category=category"; break;
    case 2: o.columns = "user=0,item=1,category=2,action=3,time=4"; break;
    case 3: o.columns = take_line(text); break;
    default:
      switch ((b1 >> 4) & 3) {
        case 1: o.columns = "user=session_id, item=2, time=Timestamp"; break;
        case 2: o.columns = "user=1,item=0,time=2"; break;
        case 3: o.columns = "item=0"; break;  // invalid: user missing
        default: break;
      }
  }
  switch (b1 & 3) {
    case 1: o.actions = "1=view,2=purchase,3=follow,4=comment"; break;
    case 2: o.actions = "pv=view, buy=purchase, cart=cart, fav=favourite"; break;
    case 3: o.actions = take_line(text); break;
    default: break;
  }
  *name = (b1 >> 2) & 1 ? "fuzz.csv#action=buy" : "fuzz.csv";
  if ((b1 >> 3) & 1) o.default_action = " click ";
  return o;
}

bool is_read_error(StatusCode c) {
  return c == StatusCode::kInvalidArgument || c == StatusCode::kParseError || c == StatusCode::kLimitExceeded;
}

void check_unique(const std::vector<std::string>& ids, const char* what) {
  std::unordered_set<std::string_view> seen;
  for (const std::string& s : ids) FUZZ_CHECK(seen.insert(s).second, "duplicate %s id", what);
}

void check_dataset(const Dataset& ds, const ReadReport& rep, const ReadOptions& o) {
  FUZZ_CHECK(ds.sequences.size() == ds.user_ids.size(), "one sequence per user");
  FUZZ_CHECK(ds.item_category.size() == ds.item_ids.size(), "one category slot per item");
  FUZZ_CHECK(!ds.user_ids.empty() && !ds.item_ids.empty() && !ds.action_names.empty(), "empty tables");
  FUZZ_CHECK(ds.item_ids.size() <= kMaxItems && ds.action_names.size() <= kMaxActions &&
                 ds.category_names.size() <= kMaxCategories,
             "a table over its limit");
  check_unique(ds.user_ids, "user");
  check_unique(ds.item_ids, "item");
  check_unique(ds.action_names, "action");
  check_unique(ds.category_names, "category");
  for (const std::string& s : ds.user_ids) FUZZ_CHECK(!s.empty(), "empty user id");
  for (const std::string& s : ds.item_ids)
    FUZZ_CHECK(!s.empty() && s.size() <= kMaxItemIdBytes, "item id of %zu bytes", s.size());
  for (const std::string& s : ds.action_names)
    FUZZ_CHECK(!s.empty() && s.size() <= kMaxActionNameBytes, "action name of %zu bytes", s.size());
  for (const std::string& s : ds.category_names)
    FUZZ_CHECK(!s.empty() && s.size() <= kMaxCategoryNameBytes, "category name of %zu bytes", s.size());
  for (uint32_t k : ds.item_category)
    FUZZ_CHECK(k == kNoCategory || k < ds.category_names.size(), "item category %u", k);
  size_t events = 0;
  for (size_t u = 0; u < ds.sequences.size(); ++u) {
    const std::vector<Event>& seq = ds.sequences[u];
    FUZZ_CHECK(!seq.empty(), "user %zu without events", u);
    for (size_t i = 0; i < seq.size(); ++i) {
      const Event& e = seq[i];
      FUZZ_CHECK(e.user == u, "event of user %u in sequence %zu", e.user, u);
      FUZZ_CHECK(e.item < ds.item_ids.size() && e.action < ds.action_names.size(), "event index out of range");
      FUZZ_CHECK(e.category == ds.item_category[e.item], "event category is not its item's");
      if (i > 0) FUZZ_CHECK(seq[i - 1].time <= e.time, "sequence %zu not sorted by time", u);
    }
    events += seq.size();
  }
  FUZZ_CHECK(events == ds.num_events() && events == rep.events, "event counts: %zu vs report %zu", events, rep.events);
  FUZZ_CHECK(rep.skipped <= rep.lines, "skipped %zu of %zu lines", rep.skipped, rep.lines);
  FUZZ_CHECK(rep.first_errors.size() == std::min<size_t>(rep.skipped, 5), "first_errors");
  if (o.strict) FUZZ_CHECK(rep.skipped == 0, "strict mode skipped lines");
  FUZZ_CHECK(!rep.file_notes.empty(), "no file note");
}

bool same_dataset(const Dataset& a, const Dataset& b) {
  if (a.user_ids != b.user_ids || a.item_ids != b.item_ids || a.action_names != b.action_names ||
      a.category_names != b.category_names || a.item_category != b.item_category ||
      a.sequences.size() != b.sequences.size())
    return false;
  for (size_t u = 0; u < a.sequences.size(); ++u) {
    const auto& x = a.sequences[u];
    const auto& y = b.sequences[u];
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i].user != y[i].user || x[i].item != y[i].item || x[i].action != y[i].action ||
          x[i].category != y[i].category || x[i].time != y[i].time)
        return false;
  }
  return true;
}

void check_read(const std::string& text, const std::string& name, const ReadOptions& o) {
  ReadReport rep;
  Result<Dataset> ds = read_events_text(text, name, o, &rep);
  if (!ds.ok()) {
    FUZZ_CHECK(is_read_error(ds.status().code()), "unexpected status %s", ds.status().to_string().c_str());
    FUZZ_CHECK(!ds.status().message().empty(), "status without a message");
    return;
  }
  check_dataset(ds.value(), rep, o);
  if (o.strict) {
    ReadOptions lenient = o;
    lenient.strict = false;
    ReadReport rep2;
    Result<Dataset> ds2 = read_events_text(text, name, lenient, &rep2);
    FUZZ_CHECK(ds2.ok() && same_dataset(ds.value(), ds2.value()) && rep2.skipped == 0,
               "strict succeeded but lenient differs");
  }
}

void check_parse_time(std::string_view s) {
  int64_t t = 12345, t2 = 67890;
  const bool ok = parse_time(s, &t);
  if (!ok) FUZZ_CHECK(t == 12345, "parse_time changed its output on failure");
  const std::string padded = " \t" + std::string(s) + " ";
  const bool ok2 = parse_time(padded, &t2);
  FUZZ_CHECK(ok == ok2 && (!ok || t == t2), "parse_time depends on surrounding spaces");
  if (!ok) return;
  // Oracles: up to 11 plain digits are seconds as written; a bare date is a whole number of days.
  if (!s.empty() && s.size() <= 11 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    FUZZ_CHECK(t == v, "parse_time(\"%.*s\") = %lld", static_cast<int>(s.size()), s.data(), static_cast<long long>(t));
  }
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') FUZZ_CHECK(t % 86400 == 0, "a date is not a whole day");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string name;
  const ReadOptions o = options_from(data[0], data[1], &text, &name);
  check_read(text, name, o);

  // parse_time on the whole text (when short) and on each field-like piece of its first line.
  if (text.size() <= 64) check_parse_time(text);
  std::string_view first(text);
  first = first.substr(0, std::min(first.find('\n'), size_t{256}));
  size_t start = 0;
  for (size_t i = 0; i <= first.size(); ++i) {
    if (i == first.size() || first[i] == ',' || first[i] == ';' || first[i] == '\t') {
      check_parse_time(first.substr(start, i - start));
      start = i + 1;
    }
  }
  return 0;
}
