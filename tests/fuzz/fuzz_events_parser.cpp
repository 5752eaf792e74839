// Fuzz target: the event-log readers (data/events.h) on in-memory text, and parse_time.
//
// Input layout: bytes 0-2 choose the ReadOptions and the extra checks (see Setup), the rest is the text. When
// the options say so, the first line(s) of the text are the columns spec, the actions spec and the file name
// (which may carry "#action=NAME") themselves, so that the option parsers are fuzzed too.
// Properties:
//   - read_events_text never crashes and fails only with invalid_argument, parse_error or limit_exceeded;
//   - a Dataset it returns is consistent (indices in range, ids unique and within limits, sequences sorted by
//     time, categories per item, the report's counts add up);
//   - strict mode succeeding means lenient mode gives the same Dataset with nothing skipped;
//   - the same text read from a plain or gzip file (the streaming reader of read_events) gives the same result,
//     and so does the text with "\r\n" line ends (when it had no '\r');
//   - parse_time ignores surrounding spaces, and agrees with simple oracles on plain digits and dates.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

struct Setup {
  ReadOptions options;
  std::string name = "fuzz.csv";
  bool via_file = false;  // also read the text from a file with read_events and compare
  bool via_gzip = false;  // ... from a gzip file
  bool crlf = false;      // also read it with "\r\n" line ends and compare
};

// The time options from one byte: bits 0-2 time_unit (auto, s, ms, us, ns, or a bad unit), bits 3-4 time_zone
// (UTC, a fixed offset, an IANA name, a bad zone), bits 5-6 time_format (none, a day-first layout, a compact date,
// the next line of the text).
void time_options_from(uint8_t b, ReadOptions* o, std::string* text) {
  static const char* const kUnits[] = {"auto", "s", "ms", "us", "ns", "auto", "minutes", "auto"};
  static const char* const kZones[] = {"UTC", "-05:30", "Europe/Berlin", "Mars/Olympus"};
  o->time_unit = kUnits[b & 7];
  o->time_zone = kZones[(b >> 3) & 3];
  switch ((b >> 5) & 3) {
    case 1:
      o->time_format = "%d/%m/%Y %H:%M";
      break;
    case 2:
      o->time_format = "%Y%m%d";
      break;
    case 3:
      o->time_format = take_line(text);
      break;
    default:
      break;
  }
}

// byte 0: bits 0-1 format (auto, csv, text, jsonl), bits 2-3 delimiter (auto, ',', ';', tab),
//         bit 4 no_header, bit 5 strict, bits 6-7 columns (none, by name, by position, first line of the text)
// byte 1: bits 0-1 actions (none, JD numbers, Taobao names, next line of the text), bit 2 "#action=buy" in the
//         name, bit 3 another default action, bits 4-5 a second columns style (mixed names and positions,
//         time by position, user/item only, a bad spec) used when byte 0 asks for none, bits 6-7 a preset (none,
//         otto, ga4, segment)
// byte 2: bits 0-1 delimiter override (none, ' ', '|', the next byte of the text), bit 2 the name is the next
//         line of the text, bits 3-5 an extra comparison: 5 with CRLF line ends, 6 with a plain file, 7 with a
//         gzip file, else none (reading a file costs a 1 MiB buffer: kept to a quarter of the inputs), bit 6
//         drop_unmapped_actions, bit 7 the next byte of the text sets the time options (time_options_from)
Setup setup_from(const uint8_t* b, std::string* text) {
  Setup s;
  ReadOptions& o = s.options;
  static const char* const kFormats[] = {"auto", "csv", "text", "jsonl"};
  static const char* const kPresets[] = {"", "otto", "ga4", "segment"};
  static const char kDelims[] = {0, ',', ';', '\t'};
  o.format = kFormats[b[0] & 3];
  o.delimiter = kDelims[(b[0] >> 2) & 3];
  o.no_header = (b[0] >> 4) & 1;
  o.strict = (b[0] >> 5) & 1;
  switch (b[0] >> 6) {
    case 1:
      o.columns = "user=user_id,item=item_id,action=type,time=timestamp,category=category";
      break;
    case 2:
      o.columns = "user=0,item=1,category=2,action=3,time=4";
      break;
    case 3:
      o.columns = take_line(text);
      break;
    default:
      switch ((b[1] >> 4) & 3) {
        case 1:
          o.columns = "user=session_id, item=2, time=Timestamp";
          break;
        case 2:
          o.columns = "user=1,item=0,time=2";
          break;
        case 3:
          o.columns = "item=0";
          break;  // invalid: user missing
        default:
          break;
      }
  }
  switch (b[1] & 3) {
    case 1:
      o.actions = "1=view,2=purchase,3=follow,4=comment";
      break;
    case 2:
      o.actions = "pv=view, buy=purchase, cart=cart, fav=favourite";
      break;
    case 3:
      o.actions = take_line(text);
      break;
    default:
      break;
  }
  if ((b[1] >> 2) & 1) s.name += "#action=buy";
  if ((b[1] >> 3) & 1) o.default_action = " click ";
  o.preset = kPresets[b[1] >> 6];
  o.drop_unmapped_actions = (b[2] >> 6) & 1;
  switch (b[2] & 3) {
    case 1:
      o.delimiter = ' ';
      break;
    case 2:
      o.delimiter = '|';
      break;
    case 3:
      if (!text->empty()) {
        o.delimiter = (*text)[0];
        text->erase(0, 1);
      }
      break;
    default:
      break;
  }
  if ((b[2] >> 7) & 1 && !text->empty()) {
    const auto t = static_cast<uint8_t>((*text)[0]);
    text->erase(0, 1);
    time_options_from(t, &o, text);
  }
  if ((b[2] >> 2) & 1) s.name = take_line(text);
  const int extra = (b[2] >> 3) & 7;
  s.crlf = extra == 5;
  s.via_file = extra == 6;
  s.via_gzip = extra == 7;
  return s;
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

struct Outcome {
  Result<Dataset> dataset;
  ReadReport report;
};

Outcome read_text(const std::string& text, const std::string& name, const ReadOptions& o) {
  ReadReport rep;
  Result<Dataset> ds = read_events_text(text, name, o, &rep);
  return {std::move(ds), std::move(rep)};
}

// The same text through read_events from a file (plain or gzip-compressed), with the name's "#action=" suffix.
Outcome read_file(const std::string& text, const std::string& name, const ReadOptions& o, bool gzip) {
  static const std::string dir = [] {
    const char* d = std::getenv("TMPDIR");
    return std::string(d && *d ? d : "/tmp") + "/fuzz_events_" + std::to_string(getpid());
  }();
  // A name that says JSON Lines decides the format, so the file's name must say so too.
  const size_t suffix = name.rfind("#action=");
  const std::string base = name.substr(0, suffix);
  const bool jsonl_name = is_jsonl_name(base);
  const std::string path = dir + (jsonl_name ? ".jsonl" : ".csv");
  gzFile f = gzopen(path.c_str(), gzip ? "wb1" : "wbT");  // T: plain, no gzip header
  FUZZ_CHECK(f != nullptr, "cannot write %s", path.c_str());
  if (!text.empty()) FUZZ_CHECK(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) > 0, "gzwrite");
  FUZZ_CHECK(gzclose(f) == Z_OK, "gzclose");
  ReadReport rep;
  Result<Dataset> ds = read_events({path + (suffix == std::string::npos ? "" : name.substr(suffix))}, o, &rep);
  std::remove(path.c_str());
  return {std::move(ds), std::move(rep)};
}

void check_same_outcome(const Outcome& a, const Outcome& b, const char* what) {
  FUZZ_CHECK(a.dataset.status().code() == b.dataset.status().code(), "%s: %s vs %s", what,
             a.dataset.status().to_string().c_str(), b.dataset.status().to_string().c_str());
  if (!a.dataset.ok()) return;
  FUZZ_CHECK(same_dataset(a.dataset.value(), b.dataset.value()), "%s: different datasets", what);
  FUZZ_CHECK(
      a.report.lines == b.report.lines && a.report.events == b.report.events && a.report.skipped == b.report.skipped,
      "%s: different counts", what);
}

void check_read(const std::string& text, const Setup& s) {
  const ReadOptions& o = s.options;
  const Outcome out = read_text(text, s.name, o);
  if (!out.dataset.ok()) {
    const Status& st = out.dataset.status();
    FUZZ_CHECK(is_read_error(st.code()), "unexpected status %s", st.to_string().c_str());
    FUZZ_CHECK(!st.message().empty(), "status without a message");
  } else {
    check_dataset(out.dataset.value(), out.report, o);
    if (o.strict) {
      ReadOptions lenient = o;
      lenient.strict = false;
      const Outcome l = read_text(text, s.name, lenient);
      FUZZ_CHECK(l.dataset.ok() && same_dataset(out.dataset.value(), l.dataset.value()) && l.report.skipped == 0,
                 "strict succeeded but lenient differs");
    }
  }
  // Through a file: only for names whose path part is not empty (the file has a path), and not for text that
  // starts like gzip (a plain file holding it is decompressed, by design).
  const bool named_path = s.name.rfind("#action=") != 0;
  if (s.via_file && named_path && text.compare(0, 2, "\x1f\x8b") != 0)
    check_same_outcome(out, read_file(text, s.name, o, false), "text vs plain file");
  if (s.via_gzip && named_path) check_same_outcome(out, read_file(text, s.name, o, true), "text vs gzip file");
  if (s.crlf && text.find('\r') == std::string::npos) {
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    check_same_outcome(out, read_text(crlf, s.name, o), "LF vs CRLF");
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
  if (size < 3) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 3, size - 3);
  const Setup s = setup_from(data, &text);
  check_read(text, s);

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
