// Implements time_zone.h: UTC offsets, POSIX TZ rules, and TZif files (RFC 8536, versions 1-4) of the tz
// database, read and checked in full before use.
#include "data/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "data/line_split.h"
#include "data/time_parse.h"

namespace forecart::data::detail {
namespace {

constexpr int64_t kMaxOffset = 26 * 3600;      // no zone is further from UTC than this
constexpr size_t kMaxZoneFileBytes = 1 << 20;  // real TZif files are a few KB

bool read_int(std::string_view s, size_t* pos, size_t max_digits, int* value) {
  size_t start = *pos;
  int v = 0;
  while (*pos < s.size() && is_digit(s[*pos]) && *pos - start < max_digits) v = v * 10 + (s[(*pos)++] - '0');
  *value = v;
  return *pos > start;
}

// [+-]h[h][:mm[:ss]] at s[*pos], in seconds; hours up to max_hours.
bool read_hms(std::string_view s, size_t* pos, int max_hours, int64_t* out) {
  int sign = 1;
  if (*pos < s.size() && (s[*pos] == '+' || s[*pos] == '-')) sign = s[(*pos)++] == '-' ? -1 : 1;
  int h = 0, m = 0, sec = 0;
  if (!read_int(s, pos, 3, &h) || h > max_hours) return false;
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
    if (!read_int(s, pos, 2, &m) || m > 59) return false;
    if (*pos < s.size() && s[*pos] == ':') {
      ++*pos;
      if (!read_int(s, pos, 2, &sec) || sec > 59) return false;
    }
  }
  *out = sign * (static_cast<int64_t>(h) * 3600 + m * 60 + sec);
  return true;
}

// A zone abbreviation: "<...>" or three or more letters.
bool read_abbreviation(std::string_view s, size_t* pos) {
  if (*pos < s.size() && s[*pos] == '<') {
    size_t close = s.find('>', *pos);
    if (close == std::string_view::npos || close - *pos < 4) return false;
    *pos = close + 1;
    return true;
  }
  size_t start = *pos;
  while (*pos < s.size() && ((s[*pos] >= 'A' && s[*pos] <= 'Z') || (s[*pos] >= 'a' && s[*pos] <= 'z'))) ++*pos;
  return *pos - start >= 3;
}

bool read_rule_date(std::string_view s, size_t* pos, PosixRule::Date* d) {
  if (*pos >= s.size()) return false;
  if (s[*pos] == 'M') {
    ++*pos;
    d->kind = 'M';
    if (!read_int(s, pos, 2, &d->month) || d->month < 1 || d->month > 12) return false;
    if (*pos >= s.size() || s[(*pos)++] != '.' || !read_int(s, pos, 1, &d->week) || d->week < 1 || d->week > 5)
      return false;
    if (*pos >= s.size() || s[(*pos)++] != '.' || !read_int(s, pos, 1, &d->day) || d->day > 6) return false;
  } else {
    d->kind = s[*pos] == 'J' ? 'J' : 'D';
    if (d->kind == 'J') ++*pos;
    if (!read_int(s, pos, 3, &d->day) || d->day > 365 || (d->kind == 'J' && d->day < 1)) return false;
  }
  d->time = 7200;
  if (*pos < s.size() && s[*pos] == '/') {
    ++*pos;
    if (!read_hms(s, pos, 167, &d->time)) return false;
  }
  return true;
}

// The UTC instant of the change `d` in year y, when the offset in effect before it is `before`.
int64_t change_instant(const PosixRule::Date& d, int64_t y, int32_t before) {
  int64_t day;  // days since 1970-01-01
  if (d.kind == 'M') {
    const int64_t first = days_from_civil(y, static_cast<unsigned>(d.month), 1);
    const int weekday_of_first = static_cast<int>(((first % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
    int dom = 1 + (d.day - weekday_of_first + 7) % 7 + (d.week - 1) * 7;
    while (dom > static_cast<int>(days_in_month(y, static_cast<unsigned>(d.month)))) dom -= 7;
    day = first + dom - 1;
  } else {
    int n = d.day;
    if (d.kind == 'J') n = n - 1 + (is_leap_year(y) && n >= 60 ? 1 : 0);
    day = days_from_civil(y, 1, 1) + n;
  }
  return day * 86400 + d.time - before;
}

uint32_t be32(const std::string& b, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(b[at + i]);
  return v;
}

int64_t be64(const std::string& b, size_t at) {
  return static_cast<int64_t>(static_cast<uint64_t>(be32(b, at)) << 32 | be32(b, at + 4));
}

// The TZif header at b[at] for a block with `tsize`-byte times; false unless the magic is there and the block
// fits in the file.
bool read_tzif_header(const std::string& b, size_t at, size_t tsize, TzifHeader* h) {
  if (b.size() < at + 44 || b.compare(at, 4, "TZif") != 0) return false;
  h->version = b[at + 4];
  h->isut = be32(b, at + 20);
  h->isstd = be32(b, at + 24);
  h->leap = be32(b, at + 28);
  h->timecnt = be32(b, at + 32);
  h->typecnt = be32(b, at + 36);
  h->charcnt = be32(b, at + 40);
  h->block = uint64_t{h->timecnt} * (tsize + 1) + uint64_t{h->typecnt} * 6 + h->charcnt +
             uint64_t{h->leap} * (tsize + 4) + h->isstd + h->isut;
  return h->block <= b.size() - at - 44;
}

}  // namespace

bool read_utc_offset(std::string_view s, size_t* pos, int32_t* offset) {
  size_t p = *pos;
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
    *pos = p + 1;
    *offset = 0;
    return true;
  }
  if (p + 3 <= s.size() && (iequals(s.substr(p, 3), "UTC") || iequals(s.substr(p, 3), "GMT"))) {
    *pos = p + 3;
    *offset = 0;
    return true;
  }
  if (p >= s.size() || (s[p] != '+' && s[p] != '-')) return false;
  const bool neg = s[p++] == '-';
  auto two = [&](int* v) {
    if (p + 2 > s.size() || !is_digit(s[p]) || !is_digit(s[p + 1])) return false;
    *v = (s[p] - '0') * 10 + (s[p + 1] - '0');
    p += 2;
    return true;
  };
  int h = 0, m = 0;
  if (!two(&h)) return false;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!two(&m)) return false;
  } else if (p < s.size() && is_digit(s[p]) && !two(&m)) {
    return false;
  }
  if (h > 23 || m > 59) return false;
  *offset = (neg ? -1 : 1) * (h * 3600 + m * 60);
  *pos = p;
  return true;
}

bool PosixRule::parse(std::string_view s) {
  size_t pos = 0;
  int64_t off = 0;
  if (!read_abbreviation(s, &pos) || !read_hms(s, &pos, 24, &off)) return false;
  std_offset = static_cast<int32_t>(-off);
  has_dst = pos < s.size();
  if (!has_dst) return true;
  if (!read_abbreviation(s, &pos)) return false;
  dst_offset = std_offset + 3600;
  if (pos < s.size() && s[pos] != ',') {
    if (!read_hms(s, &pos, 24, &off)) return false;
    dst_offset = static_cast<int32_t>(-off);
  }
  // zic always writes the rule when there is daylight time; without one the dates are unknown.
  if (pos >= s.size() || s[pos++] != ',' || !read_rule_date(s, &pos, &start)) return false;
  if (pos >= s.size() || s[pos++] != ',' || !read_rule_date(s, &pos, &end)) return false;
  return pos == s.size();
}

int32_t PosixRule::offset_at(int64_t utc) const {
  if (!has_dst) return std_offset;
  const int64_t year = year_of_unix(utc + std_offset);
  const int64_t on = change_instant(start, year, std_offset);
  const int64_t off = change_instant(end, year, dst_offset);
  const bool dst = on < off ? (utc >= on && utc < off) : !(utc >= off && utc < on);  // southern: DST spans new year
  return dst ? dst_offset : std_offset;
}

Result<TimeZone> TimeZone::load(const std::string& spec) {
  TimeZone z;
  const std::string_view s = trim(spec);
  size_t pos = 0;
  int32_t offset = 0;
  if (read_utc_offset(s, &pos, &offset) && pos == s.size()) {
    z.fixed_ = offset;
    z.name_ = offset == 0 ? "UTC" : std::string(s);
    return z;
  }
  const bool name_ok = !s.empty() && s[0] != '/' && s.find("..") == std::string_view::npos &&
                       std::all_of(s.begin(), s.end(), [](char c) {
                         return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '/' ||
                                c == '_' || c == '-' || c == '+';
                       });
  if (!name_ok)
    return invalid_argument("time zone '" + spec +
                            "': expected UTC, an offset like +05:30, or a name like Europe/Berlin");
  const char* dir = std::getenv("TZDIR");
  const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(s);
  std::ifstream f(path, std::ios::binary);
  std::string bytes;
  if (f) bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (!f || bytes.empty()) return invalid_argument("time zone '" + spec + "': no such zone (cannot read " + path + ")");
  Status st = z.read_tzif(bytes);
  if (!st.ok()) return invalid_argument("time zone '" + spec + "': " + path + ": " + st.message());
  z.name_ = std::string(s);
  return z;
}

int32_t TimeZone::offset_at(int64_t utc) const {
  if (transitions_.empty()) return has_rule_ ? rule_.offset_at(utc) : fixed_;
  if (utc < transitions_.front()) return fixed_;  // before the first transition: time type 0
  if (has_rule_ && utc > transitions_.back()) return rule_.offset_at(utc);
  const size_t i =
      static_cast<size_t>(std::upper_bound(transitions_.begin(), transitions_.end(), utc) - transitions_.begin()) - 1;
  return offsets_[i];
}

int64_t TimeZone::to_utc(int64_t local) const {
  if (transitions_.empty() && !has_rule_) return local - fixed_;
  // Every reading of `local` lies within kMaxOffset of it, and so do the changes that matter: the offsets in
  // effect a little before and after are the candidates (plus the one at `local`, for two changes in a day).
  const int32_t before = offset_at(local - kMaxOffset), after = offset_at(local + kMaxOffset);
  const int32_t middle = offset_at(local);
  int64_t best = 0;
  bool found = false;
  for (int32_t o : {before, middle, after}) {
    const int64_t u = local - o;
    if (offset_at(u) == o && (!found || u < best)) {
      best = u;
      found = true;
    }
  }
  return found ? best : local - before;
}

Status TimeZone::read_tzif(const std::string& bytes) {
  // The header: magic, version, 15 unused bytes, six counts, then a data block with 32-bit times. Version 2+
  // repeats header and block with 64-bit times, and ends with a POSIX TZ rule between newlines.
  if (bytes.size() > kMaxZoneFileBytes) return invalid_argument("not a TZif file (too large)");
  TzifHeader h;
  if (!read_tzif_header(bytes, 0, 4, &h)) return invalid_argument("not a TZif file, or truncated");
  size_t at = 44, tsize = 4;
  if (h.version >= '2') {
    at = 44 + h.block + 44;
    tsize = 8;
    if (!read_tzif_header(bytes, at - 44, 8, &h)) return invalid_argument("truncated TZif file");
  }
  FORECART_RETURN_IF_ERROR(read_tzif_block(bytes, at, tsize, h));
  if (tsize == 4) return Status::Ok();
  // The footer: "\n" rule "\n"; an empty rule means none.
  at += h.block;
  const size_t end = at < bytes.size() ? bytes.find('\n', at + 1) : std::string::npos;
  if (end == std::string::npos || bytes[at] != '\n') return invalid_argument("malformed TZif file (footer)");
  const std::string_view footer = std::string_view(bytes).substr(at + 1, end - at - 1);
  if (!footer.empty()) {
    if (!rule_.parse(footer)) return invalid_argument("unsupported TZ rule '" + std::string(footer) + "'");
    has_rule_ = true;
    if (transitions_.empty()) fixed_ = rule_.std_offset;
  }
  return Status::Ok();
}

Status TimeZone::read_tzif_block(const std::string& bytes, size_t at, size_t tsize, const TzifHeader& h) {
  if (h.leap != 0) return invalid_argument("zone files with leap seconds (right/...) are not supported");
  if (h.typecnt == 0 || h.typecnt > 256 || (h.isstd != 0 && h.isstd != h.typecnt) ||
      (h.isut != 0 && h.isut != h.typecnt))
    return invalid_argument("malformed TZif file (counts)");
  const size_t types_at = at + h.timecnt * (tsize + 1);
  std::vector<int32_t> type_offset(h.typecnt);
  for (uint32_t k = 0; k < h.typecnt; ++k) {
    type_offset[k] = static_cast<int32_t>(be32(bytes, types_at + 6 * k));
    if (type_offset[k] <= -kMaxOffset || type_offset[k] >= kMaxOffset)
      return invalid_argument("malformed TZif file (offset)");
  }
  for (uint32_t k = 0; k < h.timecnt; ++k) {
    const int64_t t = tsize == 8 ? be64(bytes, at + 8 * k) : static_cast<int32_t>(be32(bytes, at + 4 * k));
    const unsigned char idx = static_cast<unsigned char>(bytes[at + h.timecnt * tsize + k]);
    if (idx >= h.typecnt || (!transitions_.empty() && t <= transitions_.back()))
      return invalid_argument("malformed TZif file (transitions)");
    transitions_.push_back(t);
    offsets_.push_back(type_offset[idx]);
  }
  fixed_ = type_offset[0];  // before the first transition: time type 0 (RFC 8536)
  return Status::Ok();
}

}  // namespace forecart::data::detail
