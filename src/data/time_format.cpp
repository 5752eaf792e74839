// Implements time_format.h: the --time-format layouts, checked once by compile() and then matched per value.
#include "data/time_format.h"

#include <cstddef>

#include "data/line_split.h"
#include "data/time_zone.h"

namespace forecart::data::detail {
namespace {

constexpr std::string_view kDirectives = "YymdejbhBHIpMSzTF%";
constexpr const char* kMonths[12] = {"january", "february", "march",     "april",   "may",      "june",
                                     "july",    "august",   "september", "october", "november", "december"};

// What a value has given so far.
struct Fields {
  CivilTime c;
  unsigned yday = 0;  // %j, 0 = not given
  int pm = -1;        // %p: -1 not given, 0 AM, 1 PM
  bool hour12 = false;
};

// 1 to `width` digits at s[*pos].
bool number(std::string_view s, size_t* pos, size_t width, unsigned* v) {
  size_t start = *pos;
  unsigned x = 0;
  while (*pos < s.size() && *pos - start < width && is_digit(s[*pos])) x = x * 10 + (s[(*pos)++] - '0');
  *v = x;
  return *pos > start;
}

bool month_name(std::string_view s, size_t* pos, unsigned* month) {
  for (unsigned m = 0; m < 12; ++m) {
    const std::string_view full = kMonths[m];
    for (size_t len : {full.size(), size_t{3}}) {
      if (*pos + len <= s.size() && iequals(s.substr(*pos, len), full.substr(0, len))) {
        *pos += len;
        *month = m + 1;
        return true;
      }
    }
  }
  return false;
}

bool directive(char d, std::string_view s, size_t* pos, Fields* f) {
  unsigned v = 0;
  switch (d) {
    case 'Y':
      return number(s, pos, 4, &v) && ((f->c.year = v), true);
    case 'y':
      return number(s, pos, 2, &v) && ((f->c.year = v < 69 ? 2000 + v : 1900 + v), true);
    case 'm':
      return number(s, pos, 2, &f->c.month);
    case 'e':
      while (*pos < s.size() && s[*pos] == ' ') ++*pos;
      return number(s, pos, 2, &f->c.day);
    case 'd':
      return number(s, pos, 2, &f->c.day);
    case 'j':
      return number(s, pos, 3, &f->yday) && f->yday >= 1;
    case 'b':
    case 'h':
    case 'B':
      return month_name(s, pos, &f->c.month);
    case 'H':
      return number(s, pos, 2, &f->c.hour);
    case 'I':
      return number(s, pos, 2, &f->c.hour) && f->c.hour >= 1 && f->c.hour <= 12 && ((f->hour12 = true));
    case 'M':
      return number(s, pos, 2, &f->c.minute);
    case 'S':
      if (!number(s, pos, 2, &f->c.second)) return false;
      if (*pos + 1 < s.size() && (s[*pos] == '.' || s[*pos] == ',') && is_digit(s[*pos + 1]))
        while (++*pos < s.size() && is_digit(s[*pos])) {
        }
      return true;
    case 'p':
      if (*pos + 2 > s.size() || (lower(s[*pos + 1]) != 'm') || (lower(s[*pos]) != 'a' && lower(s[*pos]) != 'p'))
        return false;
      f->pm = lower(s[*pos]) == 'p';
      *pos += 2;
      return true;
    case 'z':
      return read_utc_offset(s, pos, &f->c.offset) && ((f->c.has_offset = true));
    case '%':
      return *pos < s.size() && s[(*pos)++] == '%';
    default:
      return false;
  }
}

// Applies %j, %I/%p; false when the result is no valid time.
bool finish(Fields* f) {
  CivilTime& c = f->c;
  if (f->hour12) {
    if (c.hour == 12) c.hour = 0;
    if (f->pm == 1) c.hour += 12;
  }
  if (f->yday != 0) {
    if (f->yday > (is_leap_year(c.year) ? 366u : 365u)) return false;
    unsigned left = f->yday;
    c.month = 1;
    while (left > days_in_month(c.year, c.month)) left -= days_in_month(c.year, c.month++);
    c.day = left;
  }
  return valid_civil(c);
}

}  // namespace

Status TimeFormat::compile(const std::string& layout) {
  // %T and %F are written out once here, so that parse() sees only single directives.
  std::string expanded;
  bool year = false, month = false, day = false, yday = false;
  for (size_t i = 0; i < layout.size(); ++i) {
    if (layout[i] != '%') {
      expanded += layout[i];
      continue;
    }
    const char d = i + 1 < layout.size() ? layout[++i] : '\0';
    if (d == '\0' || kDirectives.find(d) == std::string_view::npos)
      return invalid_argument("time format '" + layout + "': unsupported directive %" + (d ? std::string(1, d) : "") +
                              " (supported: %Y %y %m %d %e %j %b %h %B %H %I %p %M %S %z %T %F %%)");
    expanded += d == 'T' ? "%H:%M:%S" : d == 'F' ? "%Y-%m-%d" : std::string{'%', d};
    year |= d == 'Y' || d == 'y' || d == 'F';
    month |= d == 'm' || d == 'b' || d == 'h' || d == 'B' || d == 'F';
    day |= d == 'd' || d == 'e' || d == 'F';
    yday |= d == 'j';
  }
  if (!year || !(yday || (month && day)))
    return invalid_argument("time format '" + layout +
                            "': needs a year (%Y or %y) and a day (%j, or %m or %b with %d)");
  layout_ = layout;
  expanded_ = expanded;
  return Status::Ok();
}

bool TimeFormat::parse(std::string_view s, CivilTime* out) const {
  Fields f;
  size_t pos = 0;
  for (size_t i = 0; i < expanded_.size(); ++i) {
    const char c = expanded_[i];
    if (c == '%') {
      if (!directive(expanded_[++i], s, &pos, &f)) return false;
    } else if (c == ' ') {
      while (pos < s.size() && is_space(s[pos])) ++pos;
    } else if (pos < s.size() && s[pos] == c) {
      ++pos;
    } else {
      return false;
    }
  }
  if (pos != s.size() || !finish(&f)) return false;
  *out = f.c;
  return true;
}

}  // namespace forecart::data::detail
