// Implements time_reader.h: the per-file time reader (unit detection, zone, layout, range check, messages).
#include "data/time_reader.h"

#include "data/line_split.h"

namespace forecart::data::detail {

const char* time_unit_name(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSeconds:
      return "s";
    case TimeUnit::kMillis:
      return "ms";
    case TimeUnit::kMicros:
      return "us";
    case TimeUnit::kNanos:
      return "ns";
    default:
      return "auto";
  }
}

Status TimeReader::init(const std::string& unit, const std::string& zone, const std::string& format) {
  unit_ = TimeUnit::kAuto;
  bool known = false;
  for (TimeUnit u : {TimeUnit::kAuto, TimeUnit::kSeconds, TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
    if (unit == time_unit_name(u)) {
      unit_ = u;
      known = true;
    }
  }
  if (!known) return invalid_argument("time unit '" + unit + "': expected auto, s, ms, us or ns");
  Result<TimeZone> z = TimeZone::load(zone.empty() ? "UTC" : zone);
  if (!z.ok()) return z.status();
  zone_ = z.take();
  has_format_ = !format.empty();
  if (has_format_) FORECART_RETURN_IF_ERROR(format_.compile(format));
  start_file();
  return Status::Ok();
}

void TimeReader::start_file() {
  detected_ = TimeUnit::kAuto;
  saw_number_ = saw_local_ = false;
}

int64_t TimeReader::to_unix(const CivilTime& c) {
  const int64_t local = civil_seconds(c);
  if (c.has_offset) return local - c.offset;
  saw_local_ = true;
  return zone_.to_utc(local);
}

bool TimeReader::in_range(int64_t t, std::string_view value, const char* hint, int64_t* out,
                          std::string* reason) const {
  if (t >= kMinEventTime && t < kMaxEventTime) {
    *out = t;
    return true;
  }
  *reason = "\"" + excerpt(value) + "\" lands in " + std::to_string(year_of_unix(t)) + " (outside 1995-2100)" + hint;
  return false;
}

bool TimeReader::read(std::string_view value, int64_t* out, std::string* reason) {
  const std::string_view s = unquote_time(value);
  CivilTime c;
  if (has_format_) {
    if (s.empty() || !format_.parse(s, &c)) {
      *reason = "\"" + excerpt(s) + "\" does not match --time-format '" + format_.layout() + "'";
      return false;
    }
    return in_range(to_unix(c), s, "; wrong --time-format?", out, reason);
  }
  if (starts_like_date(s)) {
    if (!parse_iso_datetime(s, &c)) {
      *reason = "\"" + excerpt(s) + "\" is not a time";
      return false;
    }
    return in_range(to_unix(c), s, "", out, reason);
  }
  EpochNumber n;
  if (s.empty() || !parse_epoch_number(s, &n)) {
    *reason = "\"" + excerpt(s) + "\" is not a time";
    return false;
  }
  const TimeUnit unit = unit_ != TimeUnit::kAuto       ? unit_
                        : detected_ != TimeUnit::kAuto ? detected_
                                                       : unit_for_magnitude(n.magnitude);
  if (!in_range(epoch_seconds(n, unit), s, "; wrong --time-unit?", out, reason)) return false;
  if (unit_ == TimeUnit::kAuto) detected_ = unit;
  saw_number_ = true;
  return true;
}

bool TimeReader::parses(std::string_view value) const {
  if (!has_format_) {
    int64_t t;
    return parse_time(value, &t);  // the same forms as read(), without the unit and the range
  }
  const std::string_view s = unquote_time(value);
  CivilTime c;
  return !s.empty() && format_.parse(s, &c);
}

std::string TimeReader::note() const {
  std::string parts;
  auto add = [&parts](const std::string& p) { parts += (parts.empty() ? "" : "; ") + p; };
  if (saw_number_)
    add(std::string(time_unit_name(unit_ != TimeUnit::kAuto ? unit_ : detected_)) +
        (unit_ != TimeUnit::kAuto ? ", --time-unit" : ", detected"));
  if (has_format_) add("--time-format '" + format_.layout() + "'");
  if (saw_local_ && !zone_.is_utc()) add("zone-less times in " + zone_.name());
  return parts.empty() ? "" : "(" + parts + ")";
}

}  // namespace forecart::data::detail
