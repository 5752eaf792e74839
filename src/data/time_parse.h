// Time parsing for the event-log readers: epoch numbers (seconds, milliseconds, microseconds, nanoseconds) and
// ISO 8601 dates/datetimes with an optional zone. Part of the public reader API (data/events.h includes it);
// native and dependency-free. The per-file reader with --time-unit/--time-zone/--time-format and the range
// check is detail::TimeReader (data/time_reader.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace forecart::data {

// The readers accept event times in [kMinEventTime, kMaxEventTime): 1995-01-01 to 2100-01-01 UTC. Anything
// else is a wrong unit or a broken value, reported as a malformed line instead of a far-future event.
constexpr int64_t kMinEventTime = 788918400;
constexpr int64_t kMaxEventTime = 4102444800;

enum class TimeUnit { kAuto, kSeconds, kMillis, kMicros, kNanos };

// One time value, on its own (no range check; the unit of a number is chosen from its own magnitude):
//   - epoch numbers "[+-]digits[.digits]" (at most 19 digits): seconds up to 1e11, then milliseconds up to 1e14,
//     microseconds up to 1e17, nanoseconds above; fractions are floored to whole seconds;
//   - "YYYY-MM-DD" (midnight) or "YYYY-MM-DD[T ]HH:MM:SS[.fff]" followed, with or without a space, by an
//     optional zone "Z", "UTC", "GMT", "+hh:mm", "+hhmm" or "+hh" (also '-'); UTC when there is none; the
//     fraction is floored.
// Surrounding spaces and one pair of surrounding double quotes are ignored ("1696118400123456" as BigQuery writes
// INT64 in JSON). Returns false on malformed input (and leaves *unix_seconds alone).
bool parse_time(std::string_view s, int64_t* unix_seconds);

namespace detail {

bool is_leap_year(int64_t y);
unsigned days_in_month(int64_t y, unsigned m);  // m in 1..12

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

// The calendar year (UTC) of a unix time.
int64_t year_of_unix(int64_t t);

// A wall-clock time as written, with its UTC offset when the text gives one.
struct CivilTime {
  int64_t year = 1970;
  unsigned month = 1, day = 1, hour = 0, minute = 0, second = 0;  // second may be 60 (a leap second)
  bool has_offset = false;
  int32_t offset = 0;  // seconds east of UTC
};

// Whether the date exists and the time of day is in range.
bool valid_civil(const CivilTime& c);

// The wall-clock seconds of `c` as if it were UTC (add the zone afterwards).
int64_t civil_seconds(const CivilTime& c);

// The ISO forms of parse_time, already trimmed, into *out (validated).
bool parse_iso_datetime(std::string_view s, CivilTime* out);

// "[+-]digits[.digits]", already trimmed; at most 19 digits and no more than INT64_MAX.
struct EpochNumber {
  uint64_t magnitude = 0;
  bool negative = false;
  bool fraction = false;  // a non-zero fraction follows the digits
};
bool parse_epoch_number(std::string_view s, EpochNumber* out);

// The unit a magnitude is read in when none is given (the thresholds of parse_time); never kAuto.
TimeUnit unit_for_magnitude(uint64_t magnitude);

// The number in `unit` (not kAuto) as unix seconds, floored.
int64_t epoch_seconds(const EpochNumber& n, TimeUnit unit);

// Trims, then removes one pair of surrounding double quotes and trims again.
std::string_view unquote_time(std::string_view s);

// Whether s starts like a date ("YYYY-"), as opposed to a number.
bool starts_like_date(std::string_view s);

}  // namespace detail
}  // namespace forecart::data
