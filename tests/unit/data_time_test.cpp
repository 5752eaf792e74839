// Tests for the time forms of src/data (time_parse.h, time_reader.h, time_zone.h, time_format.h): the ISO and
// warehouse spellings, epoch units and their detection, JSON-string numbers, --time-zone (offsets and IANA names,
// checked against the C library), --time-format, the 1995-2100 range errors, and the same through read_events.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "data/events.h"
#include "data/time_reader.h"
#include "data_test_util.h"

using forecart::StatusCode;
using namespace forecart::data;
using forecart::data::detail::TimeReader;
using forecart::data::detail::TimeZone;
using forecart::test::read_ok;

namespace {

struct Case {
  const char* text;
  int64_t want;
};

int64_t parsed(std::string_view s) {
  int64_t v = 12345;
  INFO(s);
  REQUIRE(parse_time(s, &v));
  return v;
}

TimeReader reader(const std::string& unit = "auto", const std::string& zone = "UTC", const std::string& fmt = "") {
  TimeReader r;
  forecart::Status st = r.init(unit, zone, fmt);
  INFO(st.to_string());
  REQUIRE(st.ok());
  return r;
}

// A failed parse leaves the output alone.
bool bad_time(const char* s) {
  int64_t v = 12345;
  const bool ok = parse_time(s, &v);
  return !ok && v == 12345;
}

// The value read, or the reason it was refused (prefixed "!").
std::string read_one(TimeReader* r, std::string_view value) {
  int64_t t = 0;
  std::string why;
  return r->read(value, &t, &why) ? std::to_string(t) : "!" + why;
}

// The IANA tests need the tz database (scripts/setup.sh installs tzdata); like ../shared/data, CI
// (FORECART_REQUIRE_DATA=1) fails without it instead of skipping.
bool have_zoneinfo() {
  if (TimeZone::load("Europe/Berlin").ok()) return true;
  const char* required = std::getenv("FORECART_REQUIRE_DATA");
  if (required != nullptr && std::string(required) == "1") FAIL("no tz database (apt-get install tzdata)");
  WARN("skipped: no tz database (apt-get install tzdata)");
  return false;
}

}  // namespace

TEST_CASE("time: ISO 8601 and warehouse spellings with any zone suffix", "[data][time]") {
  const std::vector<Case> cases = {
      {"2019-10-01 00:00:00 UTC", 1569888000},         // BigQuery TIMESTAMP as text
      {"2019-10-01 00:00:00UTC", 1569888000},          //
      {"2019-10-01 00:00:00 GMT", 1569888000},         //
      {"2019-10-01T00:00:00gmt", 1569888000},          //
      {"2019-10-01T00:00:00Z", 1569888000},            //
      {"2019-10-01 00:00:00 Z", 1569888000},           //
      {"2019-10-01 00:00:00.123456 UTC", 1569888000},  // fractions are floored
      {"2019-10-01T00:00:00,5Z", 1569888000},          //
      {"2019-10-01", 1569888000},                      // a date is midnight
      {"2023-01-05 10:22:11 -0500", 1672932131},       // Shopify
      {"2023-01-05 10:22:11-0500", 1672932131},        //
      {"2023-01-05T10:22:11-05:00", 1672932131},       //
      {"2023-01-05T10:22:11 -05", 1672932131},         //
      {"2023-01-05T15:22:11+00:00", 1672932131},       //
      {"2023-01-05T10:22:11.999-05:00", 1672932131},   //
      {"2023-01-05 10:22:11 +0530", 1672894331},       //
      {"  2023-01-05T15:22:11Z ", 1672932131},         // surrounding spaces
      {"\"2019-10-01 00:00:00 UTC\"", 1569888000},     // a JSON string kept with its quotes
  };
  for (const Case& c : cases) CHECK(parsed(c.text) == c.want);
  for (const char* bad : {"2019-10-01 00:00:00 CET", "2019-10-01 00:00:00 UT", "2019-10-01 00:00:00 +5",
                          "2019-10-01 00:00:00 +05:3", "2019-10-01 00:00:00 UTC+1", "2019-10-01 UTC", "2019-13-01",
                          "2019-10-01 00:00", "\"2019-10-01", "2019-10-01 00:00:00  x"}) {
    int64_t v = 7;
    INFO(bad);
    CHECK_FALSE(parse_time(bad, &v));
    CHECK(v == 7);
  }
}

TEST_CASE("time: epoch seconds, ms, us and ns by magnitude, and numbers written as strings", "[data][time]") {
  const std::vector<Case> cases = {
      {"1696118400", 1696118400},            // seconds
      {"1696118400.9", 1696118400},          //
      {"1696118400123", 1696118400},         // milliseconds
      {"1696118400123456", 1696118400},      // GA4 event_timestamp: microseconds
      {"1696118400123456789", 1696118400},   // nanoseconds (19 digits)
      {"\"1696118400123456\"", 1696118400},  // BigQuery INT64 in JSON: a string
      {"\" 1696118400123 \"", 1696118400},   //
      {"100000000000000", 100000000000},     // 1e14 is still ms
      {"100000000000001", 100000000},        // above it: us
      {"100000000000000001", 100000000},     // above 1e17: ns
      {"9223372036854775807", 9223372036},   // INT64_MAX ns
      {"-1696118400123456", -1696118401},    // floored
  };
  for (const Case& c : cases) CHECK(parsed(c.text) == c.want);
  int64_t v = 7;
  CHECK_FALSE(parse_time("9223372036854775808", &v));   // over INT64_MAX
  CHECK_FALSE(parse_time("16961184001234567890", &v));  // 20 digits
  CHECK_FALSE(parse_time("\"\"", &v));
  CHECK_FALSE(parse_time("1696118400123456 us", &v));
  CHECK(v == 7);
  // The extremes floor without overflow, and a reader refuses them by name.
  detail::EpochNumber n;
  REQUIRE(detail::parse_epoch_number("-9223372036854775807.5", &n));
  CHECK(detail::epoch_seconds(n, TimeUnit::kSeconds) == std::numeric_limits<int64_t>::min());
  CHECK(detail::year_of_unix(std::numeric_limits<int64_t>::min()) == -292277022657);
  CHECK(parsed("-9223372036854775807.5") == -9223372037);  // by magnitude: nanoseconds
  TimeReader r = reader("s");
  std::string why;
  CHECK_FALSE(r.read("-9223372036854775807.5", &v, &why));
  CHECK(why.find("\" lands in -292277022657 (outside 1995-2100)") != std::string::npos);
}

TEST_CASE("TimeReader: --time-unit given, and detected from the first number of each file", "[data][time]") {
  TimeReader r = reader();
  CHECK(r.note().empty());
  CHECK(read_one(&r, "1696118400123456") == "1696118400");
  CHECK(r.note() == "(us, detected)");
  CHECK(read_one(&r, "1696118460000000") == "1696118460");
  // The unit stays for the file: a value in seconds is now a range error, not silently another unit.
  CHECK(read_one(&r, "1696118400") == "!\"1696118400\" lands in 1970 (outside 1995-2100); wrong --time-unit?");
  r.start_file();
  CHECK(read_one(&r, "1696118400") == "1696118400");
  CHECK(r.note() == "(s, detected)");
  r.start_file();
  CHECK(read_one(&r, "1696118400123456789") == "1696118400");
  CHECK(r.note() == "(ns, detected)");

  // A first value that lands nowhere does not decide the unit.
  r.start_file();
  CHECK(read_one(&r, "5") == "!\"5\" lands in 1970 (outside 1995-2100); wrong --time-unit?");
  CHECK(r.note().empty());
  CHECK(read_one(&r, "1696118400123") == "1696118400");
  CHECK(r.note() == "(ms, detected)");

  // Given units.
  TimeReader ms = reader("ms");
  CHECK(read_one(&ms, "1696118400123") == "1696118400");
  CHECK(read_one(&ms, "1696118400123456") ==
        "!\"1696118400123456\" lands in 55717 (outside 1995-2100); wrong --time-unit?");
  CHECK(ms.note() == "(ms, --time-unit)");
  TimeReader us = reader("us");
  CHECK(read_one(&us, "\"1696118400123456\"") == "1696118400");
  TimeReader ns = reader("ns");
  CHECK(read_one(&ns, "1696118400123456789") == "1696118400");
  CHECK(read_one(&ns, "1696118400123456") ==
        "!\"1696118400123456\" lands in 1970 (outside 1995-2100); wrong --time-unit?");
  TimeReader s = reader("s");
  CHECK(read_one(&s, "1696118400123") == "!\"1696118400123\" lands in 55717 (outside 1995-2100); wrong --time-unit?");
  CHECK(read_one(&s, "1696118400.75") == "1696118400");
  // Dates and datetimes are read whatever the unit.
  CHECK(read_one(&s, "2019-10-01 00:00:00 UTC") == "1569888000");

  TimeReader bad;
  CHECK(bad.init("minutes", "UTC", "").code() == StatusCode::kInvalidArgument);
}

TEST_CASE("TimeReader: 1995-2100 and unreadable values name the value", "[data][time]") {
  TimeReader r = reader();
  CHECK(read_one(&r, "1995-01-01") == std::to_string(kMinEventTime));
  CHECK(read_one(&r, "2099-12-31 23:59:59") == std::to_string(kMaxEventTime - 1));
  CHECK(read_one(&r, "1994-12-31 23:59:59") == "!\"1994-12-31 23:59:59\" lands in 1994 (outside 1995-2100)");
  CHECK(read_one(&r, "2100-01-01") == "!\"2100-01-01\" lands in 2100 (outside 1995-2100)");
  CHECK(read_one(&r, "2019-13-01") == "!\"2019-13-01\" is not a time");
  CHECK(read_one(&r, "yesterday") == "!\"yesterday\" is not a time");
  CHECK(read_one(&r, "") == "!\"\" is not a time");
  CHECK(read_one(&r, std::string(100, '9')) == "!\"" + std::string(40, '9') + "...\" is not a time");
}

TEST_CASE("TimeZone: UTC, fixed offsets and bad names", "[data][time]") {
  TimeReader r = reader("auto", "+05:30");
  CHECK(read_one(&r, "2023-01-05 10:22:11") == "1672894331");
  CHECK(read_one(&r, "2023-01-05 10:22:11 -0500") == "1672932131");  // the value's own zone wins
  CHECK(read_one(&r, "1672894331") == "1672894331");                 // epoch numbers are UTC
  CHECK(r.note() == "(s, detected; zone-less times in +05:30)");
  for (const char* z : {"UTC", "Z", "gmt", "+00:00", "-08", "+0530", "-03:30"}) {
    INFO(z);
    CHECK(TimeZone::load(z).ok());
  }
  CHECK(TimeZone::load("-08").value().to_utc(0) == 8 * 3600);
  for (const char* z : {"", "+25:00", "+5", "Mars/Olympus", "../etc/passwd", "/etc/localtime", "Europe/Berlin x"}) {
    INFO(z);
    auto t = TimeZone::load(z);
    REQUIRE_FALSE(t.ok());
    CHECK(t.status().code() == StatusCode::kInvalidArgument);
    CHECK(t.status().message().find("time zone '") == 0);
  }
}

TEST_CASE("TimeZone: IANA names from the tz database, DST and the years past the last transition", "[data][time]") {
  if (!have_zoneinfo()) return;
  TimeReader berlin = reader("auto", "Europe/Berlin");
  const std::vector<Case> cases = {
      {"2023-01-05 10:22:11", 1672910531},  // CET
      {"2023-07-05 10:22:11", 1688545331},  // CEST
      {"2050-07-01 12:00:00", 2540282400},  // after 2037: from the file's POSIX rule
      {"2050-01-01 12:00:00", 2524647600},  //
      {"2023-10-29 02:30:00", 1698539400},  // repeated hour: the first (CEST)
      {"2023-03-26 02:30:00", 1679794200},  // skipped hour: the offset before (CET)
  };
  for (const Case& c : cases) CHECK(read_one(&berlin, c.text) == std::to_string(c.want));
  CHECK(berlin.note() == "(zone-less times in Europe/Berlin)");
  TimeReader ny = reader("auto", "America/New_York");
  CHECK(read_one(&ny, "2023-07-04 09:00:00") == "1688475600");
  CHECK(read_one(&ny, "2077-12-25 09:00:00") == "3407666400");
  TimeReader sydney = reader("auto", "Australia/Sydney");  // southern hemisphere: DST across new year
  CHECK(read_one(&sydney, "2023-01-15 09:00:00") == "1673733600");
  CHECK(read_one(&sydney, "2023-07-15 09:00:00") == "1689375600");
  CHECK(read_one(&sydney, "2060-01-15 09:00:00") == "2841343200");
  TimeReader kolkata = reader("auto", "Asia/Kolkata");
  CHECK(read_one(&kolkata, "2023-01-05 10:22:11") == "1672894331");
}

TEST_CASE("TimeZone: offsets agree with the C library's localtime_r over 1995-2100", "[data][time]") {
  if (!have_zoneinfo()) return;
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  std::mt19937_64 rng(13);
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Sao_Paulo", "Asia/Tehran",
                           "Africa/Casablanca", "Pacific/Chatham", "Europe/Dublin"}) {
    INFO(name);
    auto z = TimeZone::load(name);
    REQUIRE(z.ok());
    setenv("TZ", name, 1);
    tzset();
    int mismatches = 0;
    for (int i = 0; i < 4000; ++i) {
      const int64_t t = kMinEventTime + static_cast<int64_t>(rng() % (kMaxEventTime - kMinEventTime));
      const time_t tt = static_cast<time_t>(t);
      std::tm tm{};
      localtime_r(&tt, &tm);
      mismatches += z.value().offset_at(t) != tm.tm_gmtoff;
      // Local -> UTC -> local gives the wall clock back (except in skipped hours).
      const int64_t local = t + tm.tm_gmtoff;
      mismatches += z.value().to_utc(local) + z.value().offset_at(z.value().to_utc(local)) != local;
    }
    CHECK(mismatches == 0);
  }
  if (old)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

TEST_CASE("TimeReader: --time-format layouts", "[data][time]") {
  struct FormatCase {
    const char* layout;
    const char* text;
    int64_t want;
  };
  const std::vector<FormatCase> cases = {
      {"%d/%m/%Y %H:%M", "05/01/2023 10:22", 1672914120},
      {"%d/%m/%Y %H:%M", "5/1/2023   10:22", 1672914120},  // 1-2 digits; a space matches a run
      {"%m/%d/%Y %I:%M:%S %p", "01/05/2023 10:22:11 PM", 1672957331},
      {"%m/%d/%Y %I:%M %p", "01/05/2023 12:00 am", 1672876800},
      {"%b %e %Y %H:%M:%S", "Jan  5 2023 15:22:11", 1672932131},
      {"%d %B %Y %H:%M:%S %z", "05 January 2023 10:22:11 -0500", 1672932131},
      {"%d-%b-%y %H.%M.%S", "05-JAN-23 15.22.11", 1672932131},  // Oracle
      {"%Y%m%d%H%M%S", "20230105152211", 1672932131},
      {"%Y%m%d", "20191001", 1569888000},
      {"%Y-%j", "2023-005", 1672876800},
      {"%F %T%z", "2023-01-05 10:22:11-05:00", 1672932131},
      {"%F %T", "2023-01-05 15:22:11.75", 1672932131},
      {"%Y-%m-%dT%H:%M:%S%z", "2019-10-01T00:00:00Z", 1569888000},
      {"100%% %Y-%m-%d", "100% 2019-10-01", 1569888000},
      {"%d/%m/%Y", "\"01/10/2019\"", 1569888000},
  };
  for (const FormatCase& c : cases) {
    INFO(c.layout << " on " << c.text);
    TimeReader r = reader("auto", "UTC", c.layout);
    CHECK(read_one(&r, c.text) == std::to_string(c.want));
  }
  TimeReader r = reader("auto", "UTC", "%d/%m/%Y");
  CHECK(read_one(&r, "31/02/2023") == "!\"31/02/2023\" does not match --time-format '%d/%m/%Y'");
  CHECK(read_one(&r, "2023-01-05") == "!\"2023-01-05\" does not match --time-format '%d/%m/%Y'");
  CHECK(read_one(&r, "1672932131") == "!\"1672932131\" does not match --time-format '%d/%m/%Y'");
  CHECK(read_one(&r, "01/01/1990") == "!\"01/01/1990\" lands in 1990 (outside 1995-2100); wrong --time-format?");
  CHECK(r.note() == "(--time-format '%d/%m/%Y')");
  if (have_zoneinfo()) {
    TimeReader b = reader("auto", "Europe/Berlin", "%d/%m/%Y %H:%M");
    CHECK(read_one(&b, "05/01/2023 10:22") == "1672910520");
  }
  for (const char* bad : {"%Q", "%d/%m/%Y %", "%H:%M", "%m/%d", "%Y-%m"}) {
    TimeReader t;
    INFO(bad);
    forecart::Status st = t.init("auto", "UTC", bad);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message().find(std::string("time format '") + bad + "'") == 0);
  }
}

TEST_CASE("read_events: time options, notes, range errors, BOM and CRLF", "[data][time][csv]") {
  ReadOptions o;
  o.columns = "user=user_pseudo_id,item=item_id,time=event_timestamp";
  ReadReport rep;
  Dataset ds = read_ok(
      "\xEF\xBB\xBFuser_pseudo_id,item_id,event_timestamp\r\n"
      "u1,a,\"1696118400123456\"\r\n"
      "u1,b,1696118399000000\r\n"
      "u2,c,1696118400\r\n"  // seconds in a microsecond file
      "u2,d,1696118401999999\r\n",
      o, &rep, "ga4.csv");
  CHECK(ds.num_events() == 3);
  CHECK(ds.sequences[0][0].time == 1696118399);
  CHECK(ds.sequences[0][1].time == 1696118400);
  REQUIRE(rep.file_notes.size() == 1);
  CHECK(rep.file_notes[0] ==
        "ga4.csv: csv ',' header user=user_pseudo_id item=item_id action=(view) "
        "time=event_timestamp (us, detected)");
  REQUIRE(rep.first_errors.size() == 1);
  CHECK(rep.first_errors[0] ==
        "ga4.csv:4: time column \"event_timestamp\": \"1696118400\" lands in 1970 (outside 1995-2100); wrong "
        "--time-unit?");

  // Strict: the same line fails; a positional column is named by its position.
  o.strict = true;
  o.columns = "user=0,item=1,time=2";
  o.no_header = true;
  auto r = read_events_text("u,a,1696118400123\nu,b,51234567890123456\n", "f.tsv", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kParseError);
  CHECK(r.status().message() ==
        "f.tsv:2: time column #2: \"51234567890123456\" lands in 1625528 (outside 1995-2100); wrong --time-unit?");

  // Tab-separated with quotes kept, a zone, a layout; each file detects its own unit.
  ReadOptions z;
  z.time_zone = "-05:00";
  rep = ReadReport();
  ds = read_ok("user\titem\ttime\nu\ta\t\"2023-01-05 10:22:11\"\nu\tb\t2023-01-05 10:22:12 UTC\n", z, &rep);
  CHECK(ds.sequences[0][0].time == 1672914132);  // b: 10:22:12 UTC
  CHECK(ds.sequences[0][1].time == 1672932131);  // a: 10:22:11 at -05:00
  CHECK(rep.file_notes[0] ==
        "t.csv: csv '\\t' header user=user item=item action=(view) time=time (zone-less times "
        "in -05:00)");
  z.time_format = "%d.%m.%Y %H:%M";
  ds = read_ok("user;item;time\r\nu;a;05.01.2023 10:22\r\n", z, &rep);
  CHECK(ds.sequences[0][0].time == 1672932120);

  for (auto bad : {&ReadOptions::time_unit, &ReadOptions::time_zone, &ReadOptions::time_format}) {
    ReadOptions b;
    b.*bad = "%Q";
    CHECK(read_events_text("user,item\nu,a\n", "x.csv", b).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("parse_time: unix seconds and milliseconds", "[data][time]") {
  CHECK(parsed("1511658000") == 1511658000);
  CHECK(parsed("0") == 0);
  CHECK(parsed(" 1511658000 ") == 1511658000);
  CHECK(parsed("1659304800025") == 1659304800);   // ms: > 1e11
  CHECK(parsed("100000000000") == 100000000000);  // exactly 1e11 is still seconds
  CHECK(parsed("100000000001") == 100000000);     // above it: ms
  CHECK(parsed("1396437466.94") == 1396437466);   // decimal seconds are floored
  CHECK(parsed("1520061164.0") == 1520061164);
  CHECK(parsed("1659304800025.9") == 1659304800);
  CHECK(parsed("+5") == 5);
  CHECK(parsed("-1.5") == -2);
  CHECK(parsed("-86400") == -86400);
  CHECK(bad_time(""));
  CHECK(bad_time("   "));
  CHECK(bad_time("abc"));
  CHECK(bad_time("1e9"));
  CHECK(bad_time("1."));
  CHECK(bad_time(".5"));
  CHECK(bad_time("1 2"));
  CHECK(bad_time("-"));
  CHECK(bad_time("12:00"));
  CHECK(bad_time("9999999999999999999999"));
}

TEST_CASE("parse_time: dates and datetimes", "[data][time]") {
  CHECK(parsed("1970-01-01") == 0);
  CHECK(parsed("1969-12-31") == -86400);
  CHECK(parsed("2016-05-09") == 1462752000);
  CHECK(parsed("2016-02-29") == 1456704000);
  CHECK(parsed("2000-03-01") == 951868800);
  CHECK(parsed("2018-03-01 00:00:06") == 1519862406);
  CHECK(parsed("2018-03-01T00:00:06") == 1519862406);
  CHECK(parsed("2018-03-01t00:00:06") == 1519862406);
  CHECK(parsed("2018-03-01T00:00:06Z") == 1519862406);
  CHECK(parsed("2018-03-01T00:00:06.999Z") == 1519862406);
  CHECK(parsed("2018-03-01 00:00:06.5") == 1519862406);
  CHECK(parsed("2018-03-01T08:00:06+08:00") == 1519862406);
  CHECK(parsed("2018-03-01T08:00:06+0800") == 1519862406);
  CHECK(parsed("2018-03-01T08:00:06+08") == 1519862406);
  CHECK(parsed("2018-02-28T19:00:06-05:00") == 1519862406);
  CHECK(parsed("2018-03-01T05:30:06.123+05:30") == 1519862406);
  CHECK(parsed("2018-03-01T00:00:06-00:00") == 1519862406);
  CHECK(bad_time("2016-13-01"));
  CHECK(bad_time("2016-00-10"));
  CHECK(bad_time("2016-02-30"));
  CHECK(bad_time("2015-02-29"));
  CHECK(bad_time("2016-05-9"));
  CHECK(bad_time("2016/05/09"));
  CHECK(bad_time("2016-05-09T"));
  CHECK(bad_time("2016-05-09 10:00"));
  CHECK(bad_time("2016-05-09 24:00:00"));
  CHECK(bad_time("2016-05-09 10:60:00"));
  CHECK(bad_time("2016-05-09 10:00:00."));
  CHECK(bad_time("2016-05-09 10:00:00+8"));
  CHECK(bad_time("2016-05-09 10:00:00+08:0"));
  CHECK(bad_time("2016-05-09 10:00:00Zjunk"));
  CHECK(bad_time("2016-05-09X10:00:00"));
}
