// Internal to src/data: --time-format, a strftime-like layout for times that are neither epoch numbers nor ISO
// 8601. Locale-independent (English month names) and free of process-wide state, unlike strptime.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "data/time_parse.h"

namespace forecart::data::detail {

// Directives:
//   %Y year (4 digits)     %y year 00-99 (69-99: 19xx, else 20xx)   %m month 1-12      %d day 1-31
//   %e day, space padded   %j day of the year 1-366                 %b %h %B month name, English, any case,
//   %H hour 0-23           %I hour 1-12 (with %p)                   %p AM/PM, any case    abbreviated or full
//   %M minute 0-59         %S second 0-60, optionally followed by a fraction (.fff or ,fff), floored
//   %z zone: Z, UTC, GMT, +hh:mm, +hhmm, +hh                       %T = %H:%M:%S   %F = %Y-%m-%d   %% a '%'
// Numbers take 1 up to their width in digits (so "%Y%m%d" reads 20230105). A space matches any run of spaces
// (also none); other characters match themselves. A layout needs a year and a day of the year (%j) or a month
// and a day; the time of day defaults to midnight. Without %z the time is in the reader's --time-zone.
class TimeFormat {
 public:
  // invalid_argument naming the layout for an unknown directive or a layout without a date.
  Status compile(const std::string& layout);

  // The whole of `s` (already trimmed) read with the layout; false when it does not match or is no date.
  bool parse(std::string_view s, CivilTime* out) const;

  const std::string& layout() const { return layout_; }

 private:
  std::string layout_;    // as given
  std::string expanded_;  // %T and %F written out
};

}  // namespace forecart::data::detail
