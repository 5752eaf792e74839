// Internal to src/data: the zone in which the event-log readers read times written without one (--time-zone).
// UTC, a fixed offset, or an IANA name read from the tz database's compiled files (TZif, RFC 8536) with its
// POSIX-TZ footer rule for the years after the file's last transition. Immutable once loaded, so one zone can be
// shared between threads; no process-wide state (no TZ variable, no localtime) is touched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace forecart::data::detail {

// A POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3"): standard offset, and optionally a daylight offset with the
// dates it starts and ends. Offsets are seconds east of UTC (the opposite sign of the POSIX text).
struct PosixRule {
  struct Date {
    char kind = 'M';          // 'J': Julian day 1-365 without Feb 29, 'D': zero-based day 0-365, 'M': month rule
    int month = 0, week = 0;  // 'M': month 1-12, week 1-5 (5 = the last)
    int day = 0;              // 'M': weekday 0-6 (Sunday = 0); 'J'/'D': the day number
    int64_t time = 7200;      // local time of day of the change, seconds (may be negative or over 24 h)
  };
  int32_t std_offset = 0;
  int32_t dst_offset = 0;
  bool has_dst = false;
  Date start, end;

  // Parses a POSIX TZ string; false when it is not one (or uses a form not described above).
  bool parse(std::string_view s);
  int32_t offset_at(int64_t utc) const;
};

// The counts of a TZif header (RFC 8536 section 3.1) and the size of the data block they describe.
struct TzifHeader {
  char version = 0;
  uint32_t isut = 0, isstd = 0, leap = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  uint64_t block = 0;
};

class TimeZone {
 public:
  // UTC.
  TimeZone() = default;

  // "UTC", "Z", "GMT"; a fixed offset "+05:30", "+0530", "-08"; or an IANA name ("Europe/Berlin") read from
  // $TZDIR or /usr/share/zoneinfo. invalid_argument naming the zone when it is none of these or cannot be read.
  static Result<TimeZone> load(const std::string& spec);

  // Seconds east of UTC at the instant `utc`.
  int32_t offset_at(int64_t utc) const;

  // The instant of the wall-clock time `local` (seconds since 1970-01-01 00:00 on that clock). A repeated local
  // time (clocks go back) is the first of the two instants; a skipped one (clocks go forward) is read with the
  // offset before the change.
  int64_t to_utc(int64_t local) const;

  bool is_utc() const { return name_ == "UTC"; }
  const std::string& name() const { return name_; }

 private:
  Status read_tzif(const std::string& bytes);
  Status read_tzif_block(const std::string& bytes, size_t at, size_t tsize, const TzifHeader& h);

  std::string name_ = "UTC";
  int32_t fixed_ = 0;                 // the offset when there are no transitions and no rule
  std::vector<int64_t> transitions_;  // UTC instants, ascending
  std::vector<int32_t> offsets_;      // the offset from each transition on
  bool has_rule_ = false;             // rule_ applies after the last transition
  PosixRule rule_;
};

// Reads a UTC offset at s[*pos]: "Z", "UTC", "GMT" (any case), "+hh:mm", "+hhmm" or "+hh" (also '-'). Advances
// *pos past it and sets *offset (seconds east of UTC); false (and *pos unchanged) when there is none.
bool read_utc_offset(std::string_view s, size_t* pos, int32_t* offset);

}  // namespace forecart::data::detail
