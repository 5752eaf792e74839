// Internal to src/data: how the readers turn one file's time column into unix seconds. Applies --time-unit
// (or detects the unit from the file's first epoch number), --time-zone for times written without a zone, and
// --time-format; checks that every time lands in 1995-2100 (kMinEventTime..kMaxEventTime) and says why not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "data/time_format.h"
#include "data/time_parse.h"
#include "data/time_zone.h"

namespace forecart::data::detail {

class TimeReader {
 public:
  // unit: "auto", "s", "ms", "us" or "ns"; zone: see TimeZone::load; format: "" (epoch numbers and ISO 8601) or
  // a TimeFormat layout. invalid_argument naming the bad option.
  Status init(const std::string& unit, const std::string& zone, const std::string& format);

  // A new file: the unit is detected again (auto).
  void start_file();

  // One value of the time column (spaces and one pair of double quotes around it are ignored). True with
  // *out in [kMinEventTime, kMaxEventTime); otherwise false with *reason naming the value, e.g.
  //   "2019-13-01" is not a time
  //   "1696118400123456" lands in 55716 (outside 1995-2100); wrong --time-unit?
  // In auto mode the first epoch number that lands in range under the unit its magnitude suggests fixes the
  // unit for the rest of the file (s up to 1e11, ms up to 1e14, us up to 1e17, ns above).
  bool read(std::string_view value, int64_t* out, std::string* reason);

  // Whether `value` has the shape of a time under these options (a --time-format match, ISO 8601 or an epoch
  // number), its range not checked and nothing detected: tells a header row from a data row.
  bool parses(std::string_view value) const;

  // How this file's times were read, for its file note ("" when there is nothing to add to the column name):
  // "(us, detected)", "(ms, --time-unit)", "(--time-format '%d/%m/%Y')", "(zone-less times in Europe/Berlin)".
  std::string note() const;

 private:
  bool in_range(int64_t t, std::string_view value, const char* hint, int64_t* out, std::string* reason) const;
  int64_t to_unix(const CivilTime& c);

  TimeUnit unit_ = TimeUnit::kAuto;      // given
  TimeUnit detected_ = TimeUnit::kAuto;  // this file's, in auto mode
  TimeZone zone_;
  bool has_format_ = false;
  TimeFormat format_;
  bool saw_number_ = false, saw_local_ = false;  // this file
};

// "s", "ms", "us", "ns" (or "auto").
const char* time_unit_name(TimeUnit u);

}  // namespace forecart::data::detail
