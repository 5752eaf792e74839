// Implements time_parse.h: calendar arithmetic, ISO 8601 dates/datetimes with an optional zone, epoch numbers
// in the four units, and parse_time on top of them.
#include "data/time_parse.h"

#include <cstddef>
#include <limits>

#include "data/line_split.h"
#include "data/time_zone.h"

namespace forecart::data {
namespace detail {
namespace {

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

// "HH:MM:SS[.fff]" at s[*pos]; the fraction is floored away.
bool read_clock(std::string_view s, size_t* pos, CivilTime* c) {
  if (!read_digits(s, pos, 2, &c->hour) || *pos >= s.size() || s[(*pos)++] != ':') return false;
  if (!read_digits(s, pos, 2, &c->minute) || *pos >= s.size() || s[(*pos)++] != ':') return false;
  if (!read_digits(s, pos, 2, &c->second)) return false;
  if (*pos < s.size() && (s[*pos] == '.' || s[*pos] == ',')) {
    size_t start = ++*pos;
    while (*pos < s.size() && is_digit(s[*pos])) ++*pos;
    if (*pos == start) return false;
  }
  return true;
}

}  // namespace

bool is_leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t year_of_unix(int64_t t) {
  // H. Hinnant's civil_from_days, year only.
  const int64_t days = t / 86400 - (t % 86400 < 0 ? 1 : 0) + 719468;  // floor, without overflow at INT64_MIN
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

bool valid_civil(const CivilTime& c) {
  return c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= days_in_month(c.year, c.month) && c.hour <= 23 &&
         c.minute <= 59 && c.second <= 60;  // 60: a leap second, as ISO 8601 allows
}

int64_t civil_seconds(const CivilTime& c) {
  return days_from_civil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
}

bool parse_iso_datetime(std::string_view s, CivilTime* out) {
  CivilTime c;
  size_t pos = 0;
  unsigned year = 0;
  if (!read_digits(s, &pos, 4, &year) || pos >= s.size() || s[pos++] != '-') return false;
  if (!read_digits(s, &pos, 2, &c.month) || pos >= s.size() || s[pos++] != '-') return false;
  if (!read_digits(s, &pos, 2, &c.day)) return false;
  c.year = year;
  if (pos < s.size()) {
    const char sep = s[pos++];
    if ((sep != 'T' && sep != 't' && sep != ' ') || !read_clock(s, &pos, &c)) return false;
    if (pos < s.size()) {
      size_t z = pos;
      while (z < s.size() && s[z] == ' ') ++z;  // "... 00:00:00 UTC", "... 10:22:11 -0500"
      if (!read_utc_offset(s, &z, &c.offset) || z != s.size()) return false;
      c.has_offset = true;
      pos = z;
    }
  }
  if (!valid_civil(c)) return false;
  *out = c;
  return true;
}

bool parse_epoch_number(std::string_view s, EpochNumber* out) {
  EpochNumber n;
  size_t pos = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) n.negative = s[pos++] == '-';
  const size_t start = pos;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  while (pos < s.size() && is_digit(s[pos])) {
    const uint64_t d = static_cast<uint64_t>(s[pos] - '0');
    if (pos - start >= 19 || n.magnitude > (kMax - d) / 10) return false;  // no real timestamp is that long
    n.magnitude = n.magnitude * 10 + d;
    ++pos;
  }
  if (pos == start) return false;
  if (pos < s.size() && s[pos] == '.') {
    const size_t fstart = ++pos;
    while (pos < s.size() && is_digit(s[pos])) n.fraction |= s[pos++] != '0';
    if (pos == fstart) return false;
  }
  if (pos != s.size()) return false;
  *out = n;
  return true;
}

TimeUnit unit_for_magnitude(uint64_t v) {
  // 1e11 s is the year 5138 while 1e11 ms is 1973; likewise one step up for us and ns.
  if (v <= 100000000000ULL) return TimeUnit::kSeconds;
  if (v <= 100000000000000ULL) return TimeUnit::kMillis;
  if (v <= 100000000000000000ULL) return TimeUnit::kMicros;
  return TimeUnit::kNanos;
}

int64_t epoch_seconds(const EpochNumber& n, TimeUnit unit) {
  const uint64_t div = unit == TimeUnit::kMillis   ? 1000
                       : unit == TimeUnit::kMicros ? 1000000
                       : unit == TimeUnit::kNanos  ? 1000000000
                                                   : 1;
  const int64_t q = static_cast<int64_t>(n.magnitude / div);
  if (!n.negative) return q;                                     // floor for non-negative values
  return -q - ((n.magnitude % div != 0 || n.fraction) ? 1 : 0);  // floor(-x); INT64_MIN at worst
}

std::string_view unquote_time(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
  return s;
}

bool starts_like_date(std::string_view s) {
  return s.size() >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-';
}

}  // namespace detail

bool parse_time(std::string_view s, int64_t* unix_seconds) {
  s = detail::unquote_time(s);
  if (s.empty()) return false;
  if (detail::starts_like_date(s)) {
    detail::CivilTime c;
    if (!detail::parse_iso_datetime(s, &c)) return false;
    *unix_seconds = detail::civil_seconds(c) - c.offset;
    return true;
  }
  detail::EpochNumber n;
  if (!detail::parse_epoch_number(s, &n)) return false;
  *unix_seconds = detail::epoch_seconds(n, detail::unit_for_magnitude(n.magnitude));
  return true;
}

}  // namespace forecart::data
