// Implements time_parse.h: ISO 8601 dates/datetimes with optional UTC offsets, and unix seconds or milliseconds.
#include "data/time_parse.h"

#include <cstddef>

#include "data/line_split.h"

namespace forecart::data {
namespace detail {
namespace {

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

}  // namespace

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parse_datetime(std::string_view s, int64_t* out) {
  size_t pos = 0;
  unsigned year = 0, month = 0, day = 0;  // set by read_digits (initialized for -Wmaybe-uninitialized)
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
  unsigned hh = 0, mm = 0, ss = 0;
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
      unsigned oh = 0, om = 0;
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

}  // namespace detail

bool parse_time(std::string_view s, int64_t* unix_seconds) {
  s = detail::trim(s);
  if (s.empty()) return false;
  int64_t t;
  bool ok;
  using detail::is_digit;
  if (s.size() >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-')
    ok = detail::parse_datetime(s, &t);
  else
    ok = detail::parse_number_time(s, &t);
  if (ok) *unix_seconds = t;
  return ok;
}

}  // namespace forecart::data
