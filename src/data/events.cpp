// Implements the event-log readers of events.h: streaming gzip/plain line reading, format and delimiter detection,
// header column guessing, CSV field splitting with quotes, SASRec text, time parsing, and the merge into per-user
// sequences.
#include "data/events.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <unordered_map>
#include <utility>

#include "core/limits.h"

namespace forecart::data {

size_t Dataset::num_events() const {
  size_t n = 0;
  for (const auto& s : sequences) n += s.size();
  return n;
}

namespace {

constexpr size_t kMaxReportedErrors = 5;
constexpr uint32_t kNone = 0xFFFFFFFFu;

enum Kind { kUser = 0, kItem, kAction, kTime, kCategory, kNumKinds };
const char* const kKindNames[kNumKinds] = {"user", "item", "action", "time", "category"};

// Header names tried for each kind, in priority order (the first name present in the header wins). Sessions are
// preferred over users: in session logs (Diginetica, YooChoose, OTTO, JD) the session is the sequence to model.
const std::vector<std::vector<std::string_view>>& guess_names() {
  static const std::vector<std::vector<std::string_view>> names = {
      {"session_id", "sessionid", "session", "user_id", "userid", "user"},
      {"item_id", "itemid", "item", "sku_id", "sku", "product_id", "aid"},
      {"type", "action", "event_type", "behavior_type"},
      {"timestamp", "time", "ts", "event_time", "action_time", "eventdate"},
      {"category_id", "category", "categoryid"},
  };
  return names;
}

// ---------------------------------------------------------------------------------------------------------------
// Small string helpers (string_view based: the hot loop must not allocate per field).

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Shortens a value quoted in an error message so one garbage line cannot produce a huge message.
std::string excerpt(std::string_view s) {
  constexpr size_t kMax = 40;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

std::vector<std::string_view> split_simple(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Splits "path#action=NAME" into the path and the constant action ("" when there is no suffix).
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

// ---------------------------------------------------------------------------------------------------------------
// Time parsing.

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at s[*pos].
bool read_digits(std::string_view s, size_t* pos, size_t width, unsigned* value) {
  if (*pos + width > s.size()) return false;
  unsigned v = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = s[*pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *pos += width;
  *value = v;
  return true;
}

bool parse_datetime(std::string_view s, int64_t* out) {
  size_t pos = 0;
  unsigned year, month, day;
  if (!read_digits(s, &pos, 4, &year) || pos >= s.size() || s[pos++] != '-') return false;
  if (!read_digits(s, &pos, 2, &month) || pos >= s.size() || s[pos++] != '-') return false;
  if (!read_digits(s, &pos, 2, &day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  int64_t t = days_from_civil(year, month, day) * 86400;
  if (pos == s.size()) {
    *out = t;
    return true;
  }
  char sep = s[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  unsigned hh, mm, ss;
  if (!read_digits(s, &pos, 2, &hh) || pos >= s.size() || s[pos++] != ':') return false;
  if (!read_digits(s, &pos, 2, &mm) || pos >= s.size() || s[pos++] != ':') return false;
  if (!read_digits(s, &pos, 2, &ss)) return false;
  if (hh > 23 || mm > 59 || ss > 60) return false;  // 60: a leap second, as ISO 8601 allows
  t += hh * 3600 + mm * 60 + ss;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {  // fraction of a second: floored away
    size_t start = ++pos;
    while (pos < s.size() && is_digit(s[pos])) ++pos;
    if (pos == start) return false;
  }
  if (pos < s.size()) {
    char z = s[pos];
    if (z == 'Z' || z == 'z') {
      ++pos;
    } else if (z == '+' || z == '-') {
      ++pos;
      unsigned oh, om = 0;
      if (!read_digits(s, &pos, 2, &oh)) return false;
      if (pos < s.size()) {
        if (s[pos] == ':') ++pos;
        if (!read_digits(s, &pos, 2, &om)) return false;
      }
      if (oh > 23 || om > 59) return false;
      int64_t offset = static_cast<int64_t>(oh) * 3600 + om * 60;
      // Local time = UTC + offset, so UTC = local - offset.
      t += z == '+' ? -offset : offset;
    }
  }
  if (pos != s.size()) return false;
  *out = t;
  return true;
}

bool parse_number_time(std::string_view s, int64_t* out) {
  size_t pos = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    ++pos;
  }
  size_t start = pos;
  int64_t v = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (pos - start >= 18) return false;  // would overflow int64; no real timestamp is that long
    v = v * 10 + (s[pos] - '0');
    ++pos;
  }
  if (pos == start) return false;
  bool frac = false;  // a non-zero fraction
  if (pos < s.size() && s[pos] == '.') {
    size_t fstart = ++pos;
    while (pos < s.size() && is_digit(s[pos])) frac |= s[pos++] != '0';
    if (pos == fstart) return false;
  }
  if (pos != s.size()) return false;
  // 1e11 s is the year 5138 while 1e11 ms is 1973: anything larger is milliseconds.
  const bool ms = v > 100000000000LL;
  int64_t sec;
  if (!neg) {
    sec = ms ? v / 1000 : v;  // floor for non-negative values
  } else if (ms) {
    sec = -(v / 1000 + ((v % 1000 != 0 || frac) ? 1 : 0));  // floor(-x / 1000)
  } else {
    sec = -(v + (frac ? 1 : 0));  // floor(-x)
  }
  *out = sec;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Options.

struct ColumnRef {
  int pos = -1;      // resolved 0-based position, -1 = absent
  std::string name;  // header name when given by name
  bool given = false;
};

struct ColumnSpec {
  ColumnRef col[kNumKinds];
  bool any = false;        // columns were given explicitly
  bool any_named = false;  // at least one is a header name
};

Status parse_columns(const std::string& spec, ColumnSpec* out) {
  *out = ColumnSpec();
  std::string_view s = trim(spec);
  if (s.empty()) return Status::Ok();
  out->any = true;
  for (std::string_view part : split_simple(s, ',')) {
    part = trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return invalid_argument("columns '" + spec + "': expected KIND=COLUMN, got '" + std::string(part) + "'");
    std::string_view key = trim(part.substr(0, eq));
    std::string_view val = trim(part.substr(eq + 1));
    int kind = -1;
    for (int k = 0; k < kNumKinds; ++k)
      if (iequals(key, kKindNames[k])) kind = k;
    if (kind < 0)
      return invalid_argument("columns '" + spec + "': unknown kind '" + std::string(key) +
                              "' (expected user, item, action, time or category)");
    ColumnRef& ref = out->col[kind];
    if (ref.given) return invalid_argument("columns '" + spec + "': " + kKindNames[kind] + " given twice");
    if (val.empty()) return invalid_argument("columns '" + spec + "': empty column for " + kKindNames[kind]);
    ref.given = true;
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
  if (!out->col[kUser].given || !out->col[kItem].given)
    return invalid_argument("columns '" + spec + "': user and item columns are required");
  return Status::Ok();
}

Status parse_actions(const std::string& spec, std::unordered_map<std::string, std::string>* out) {
  out->clear();
  std::string_view s = trim(spec);
  if (s.empty()) return Status::Ok();
  for (std::string_view part : split_simple(s, ',')) {
    part = trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return invalid_argument("actions '" + spec + "': expected RAW=NAME, got '" + std::string(part) + "'");
    std::string raw(trim(part.substr(0, eq)));
    std::string name(trim(part.substr(eq + 1)));
    if (raw.empty() || name.empty())
      return invalid_argument("actions '" + spec + "': empty value or name in '" + std::string(part) + "'");
    if (name.size() > kMaxActionNameBytes)
      return invalid_argument("actions '" + spec + "': action name longer than " + std::to_string(kMaxActionNameBytes) +
                              " bytes");
    if (!out->emplace(std::move(raw), std::move(name)).second)
      return invalid_argument("actions '" + spec + "': value '" + std::string(trim(part.substr(0, eq))) +
                              "' mapped twice");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------------------------
// Delimited line splitting.

// Spaces around fields are padding, unless the delimiter is that character.
bool is_pad(char c, char delim) {
  return (c == ' ' || c == '\t') && c != delim;
}

// Splits one line (no '\n' or trailing '\r') into fields. Quoted fields are unescaped into `scratch`, which is
// reserved up front so that views into it stay valid. Returns nullptr or the reason the line is malformed.
const char* split_fields(std::string_view line, char delim, bool quotes, std::vector<std::string_view>* fields,
                         std::string* scratch) {
  fields->clear();
  scratch->clear();
  if (quotes && scratch->capacity() < line.size()) scratch->reserve(line.size());
  const size_t n = line.size();
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (start < n && is_pad(line[start], delim)) ++start;
    if (quotes && start < n && line[start] == '"') {
      size_t j = start + 1, close = std::string_view::npos;
      bool escaped = false;
      while (j < n) {
        if (line[j] == '"') {
          if (j + 1 < n && line[j + 1] == '"') {
            escaped = true;
            j += 2;
            continue;
          }
          close = j;
          break;
        }
        ++j;
      }
      if (close == std::string_view::npos) return "unterminated quoted field";
      std::string_view content = line.substr(start + 1, close - start - 1);
      if (escaped) {
        size_t off = scratch->size();
        for (size_t k = 0; k < content.size(); ++k) {
          scratch->push_back(content[k]);
          if (content[k] == '"') ++k;  // "" -> "
        }
        content = std::string_view(scratch->data() + off, scratch->size() - off);
      }
      fields->push_back(content);
      size_t k = close + 1;
      while (k < n && is_pad(line[k], delim)) ++k;
      if (k >= n) break;
      if (line[k] != delim) return "text after a closing quote";
      i = k + 1;
      continue;
    }
    size_t end = line.find(delim, start);
    if (end == std::string_view::npos) end = n;
    size_t e = end;
    while (e > start && is_pad(line[e - 1], delim)) --e;
    fields->push_back(line.substr(start, e - start));
    if (end >= n) break;
    i = end + 1;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------------------------
// Line source: in-memory text, or a file streamed through zlib in chunks (gzread also passes plain files through),
// so memory stays bounded by the Dataset rather than by the decompressed file.

constexpr size_t kChunkBytes = 1 << 20;
constexpr size_t kMaxLineBytes = 64u << 20;  // a "line" this long means a binary or newline-less file

class LineReader {
 public:
  explicit LineReader(std::string_view text) : data_(text) {}
  ~LineReader() {
    if (file_ != nullptr) gzclose(file_);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  Status open(const std::string& path) {
    path_ = path;
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      int e = errno;
      return io_error("cannot open '" + path + "'" + (e ? std::string(": ") + std::strerror(e) : std::string()));
    }
    gzbuffer(file_, 1 << 18);
    return Status::Ok();
  }

  // The next line without its '\n' and trailing '\r'; valid until the next call. False at the end of the input or
  // on a read error (then status() says why).
  bool next(std::string_view* line) {
    while (true) {
      size_t nl = data_.find('\n', scan_);
      if (nl != std::string_view::npos) {
        emit(nl, nl + 1, line);
        return true;
      }
      scan_ = data_.size();
      if (file_ != nullptr && !eof_ && status_.ok()) {
        if (scan_ - pos_ > kMaxLineBytes) {
          status_ = parse_error(path_ + ":" + std::to_string(line_no_ + 1) + ": line longer than " +
                                std::to_string(kMaxLineBytes >> 20) + " MiB");
          return false;
        }
        refill();
        continue;
      }
      if (!status_.ok() || pos_ >= data_.size()) return false;
      emit(data_.size(), data_.size(), line);
      return true;
    }
  }

  size_t line_no() const { return line_no_; }
  const Status& status() const { return status_; }

 private:
  void emit(size_t end, size_t next, std::string_view* line) {
    std::string_view l = data_.substr(pos_, end - pos_);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    *line = l;
    pos_ = scan_ = next;
    ++line_no_;
  }

  // Keeps the unfinished line, appends the next chunk.
  void refill() {
    buf_.erase(0, pos_);
    scan_ -= pos_;
    pos_ = 0;
    size_t old = buf_.size();
    buf_.resize(old + kChunkBytes);
    int n = gzread(file_, &buf_[old], static_cast<unsigned>(kChunkBytes));
    buf_.resize(old + static_cast<size_t>(std::max(n, 0)));
    data_ = buf_;
    if (n > 0) return;
    eof_ = true;
    // A read error, or a truncated gzip stream: the latter ends like a normal one and only gzerror tells.
    int errnum = Z_OK;
    const char* msg = gzerror(file_, &errnum);
    if (n < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
      std::string why = errnum == Z_ERRNO ? std::strerror(errno) : (msg ? msg : "read error");
      status_ = io_error("cannot read '" + path_ + "': " + why);
    }
  }

  gzFile file_ = nullptr;
  std::string path_;
  std::string buf_;
  std::string_view data_;  // the text, or buf_ in file mode
  size_t pos_ = 0;         // start of the next line
  size_t scan_ = 0;        // no '\n' in [pos_, scan_)
  size_t line_no_ = 0;
  bool eof_ = false;
  Status status_;
};

// ---------------------------------------------------------------------------------------------------------------
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

bool is_known_column_name(std::string_view field) {
  for (const auto& names : guess_names())
    for (std::string_view n : names)
      if (iequals(trim(field), n)) return true;
  return false;
}

Status Builder::add_delimited(LineReader* in, const std::string& name, bool action_override) {
  std::string_view first = first_line_;
  char delim = opts_.delimiter;
  if (delim == 0) {
    // The candidate that occurs most often in the first line; ties go to ',' then ';' then tab.
    size_t best = 0;
    delim = ',';
    for (char c : {',', ';', '\t'}) {
      size_t count = static_cast<size_t>(std::count(first.begin(), first.end(), c));
      if (count > best) {
        best = count;
        delim = c;
      }
    }
  }
  delim_ = delim;
  quotes_ = delim == ',' || delim == ';';

  const char* err = split_fields(first, delim_, quotes_, &fields_, &unescaped_);
  if (err) return parse_error(name + ":" + std::to_string(first_line_no_) + ": " + err);
  num_fields_ = fields_.size();

  // Header or not.
  bool has_header;
  if (opts_.no_header) {
    has_header = false;
  } else if (!spec_.any || spec_.any_named) {
    has_header = true;
  } else {
    has_header = std::any_of(fields_.begin(), fields_.end(), is_known_column_name);
    const ColumnRef& t = spec_.col[kTime];
    int64_t dummy;
    if (!has_header && t.given && t.pos >= 0 && static_cast<size_t>(t.pos) < num_fields_ &&
        !parse_time(fields_[t.pos], &dummy))
      has_header = true;
  }
  std::vector<std::string> header;
  if (has_header)
    for (std::string_view f : fields_) header.emplace_back(trim(f));

  auto header_text = [&]() {
    std::string h;
    for (size_t i = 0; i < header.size(); ++i) {
      if (i) h += delim == '\t' ? ' ' : delim;
      h += header[i];
    }
    return "'" + excerpt(h) + "'";
  };

  // Resolve columns to positions.
  int* pos = pos_;
  for (int k = 0; k < kNumKinds; ++k) pos[k] = -1;
  if (!spec_.any) {
    if (has_header) {
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
        return invalid_argument(name + ": cannot find the " + kKindNames[k] + " column in the header " + header_text() +
                                " (looked for " + tried + "); pass columns (e.g. user=0,item=1 or " + kKindNames[k] +
                                "=NAME), and no_header if the first row is data");
      }
    } else {
      pos[kUser] = 0;
      pos[kItem] = 1;
    }
  } else {
    for (int k = 0; k < kNumKinds; ++k) {
      const ColumnRef& ref = spec_.col[k];
      if (!ref.given) continue;
      if (ref.pos >= 0) {
        pos[k] = ref.pos;
        continue;
      }
      for (size_t i = 0; i < header.size() && pos[k] < 0; ++i)
        if (iequals(header[i], ref.name)) pos[k] = static_cast<int>(i);
      if (pos[k] < 0)
        return invalid_argument(name + ": " + kKindNames[k] + " column '" + ref.name + "' is not in the header " +
                                header_text());
    }
  }
  for (int k = 0; k < kNumKinds; ++k) {
    if (pos[k] >= 0 && static_cast<size_t>(pos[k]) >= num_fields_)
      return invalid_argument(name + ": " + kKindNames[k] + " column " + std::to_string(pos[k]) + " is out of range (" +
                              std::to_string(num_fields_) + " fields in line " + std::to_string(first_line_no_) + ")");
  }
  if (pos[kUser] == pos[kItem])
    return invalid_argument(name + ": user and item are the same column " + std::to_string(pos[kUser]));
  if (action_override) pos[kAction] = -1;

  {  // Describe the choice for logs.
    std::string note = name + ": csv '" + (delim == '\t' ? std::string("\\t") : std::string(1, delim)) + "'" +
                       (has_header ? " header" : " no header");
    for (int k = 0; k < kNumKinds; ++k) {
      if (pos[k] >= 0) {
        note += std::string(" ") + kKindNames[k] + "=" + (has_header ? header[pos[k]] : "#" + std::to_string(pos[k]));
      } else if (k == kAction) {
        note += " action=(" + const_action_name_ + ")";
      }
    }
    report_->file_notes.push_back(std::move(note));
  }

  too_long_ = "item id longer than " + std::to_string(kMaxItemIdBytes) + " bytes";
  if (!has_header) FORECART_RETURN_IF_ERROR(delimited_line(first_line_, first_line_no_, name));
  std::string_view line;
  while (in->next(&line)) FORECART_RETURN_IF_ERROR(delimited_line(line, in->line_no(), name));
  return Status::Ok();
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

bool parse_time(std::string_view s, int64_t* unix_seconds) {
  s = trim(s);
  if (s.empty()) return false;
  int64_t t;
  bool ok;
  if (s.size() >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-')
    ok = parse_datetime(s, &t);
  else
    ok = parse_number_time(s, &t);
  if (ok) *unix_seconds = t;
  return ok;
}

Result<Dataset> read_events(const std::vector<std::string>& paths, const ReadOptions& opts, ReadReport* report) {
  ReadReport local;
  ReadReport* rep = report ? report : &local;
  *rep = ReadReport();
  if (paths.empty()) return invalid_argument("no input files");
  Builder b(opts, rep);
  FORECART_RETURN_IF_ERROR(b.init());
  std::string path, action, what;
  for (const std::string& spec : paths) {
    FORECART_RETURN_IF_ERROR(split_action_suffix(spec, &path, &action));
    LineReader in{std::string_view()};
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
  Builder b(opts, rep);
  FORECART_RETURN_IF_ERROR(b.init());
  std::string path, action;
  FORECART_RETURN_IF_ERROR(split_action_suffix(name, &path, &action));
  LineReader in{std::string_view(text)};
  FORECART_RETURN_IF_ERROR(b.add_file(&in, path, action));
  return b.finish(path);
}

}  // namespace forecart::data
