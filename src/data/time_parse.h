// Time parsing for the event-log readers: unix seconds or milliseconds, ISO 8601 dates and datetimes.
// Part of the public reader API (data/events.h includes it); native and dependency-free.
#pragma once

#include <cstdint>
#include <string_view>

namespace forecart::data {

// Unix seconds or milliseconds (integers or decimals, optional sign; magnitudes > 1e11 are milliseconds;
// fractions are floored), or "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|+hh:mm|-hh:mm]" (UTC unless an offset
// is given; offsets may also be written +hhmm or +hh). Surrounding spaces are ignored. Returns false on malformed
// input (and leaves *unix_seconds alone).
bool parse_time(std::string_view s, int64_t* unix_seconds);

namespace detail {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

// "YYYY-MM-DD" or "YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|+hh:mm|-hh:mm]", already trimmed, to unix seconds.
bool parse_datetime(std::string_view s, int64_t* out);

// "[+-]digits[.digits]" (seconds, or milliseconds above 1e11), already trimmed and non-empty, floored to seconds.
bool parse_number_time(std::string_view s, int64_t* out);

}  // namespace detail
}  // namespace forecart::data
