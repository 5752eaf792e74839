// Tests for src/data: time parsing, CSV / SASRec text readers (detection, columns, actions, quoting, malformed
// lines, gzip, multi-file merges), the leave-one-out split, real-data fixtures and the full shared datasets.

#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/limits.h"
#include "data/events.h"
#include "data/split.h"
#include "shared_data.h"

namespace fs = std::filesystem;
using forecart::kMaxActionNameBytes;
using forecart::kMaxActions;
using forecart::kMaxItemIdBytes;
using forecart::StatusCode;
using namespace forecart::data;

namespace {

// tests/ directory: from the build when it defines it, else next to this source file.
std::string test_dir() {
#ifdef FORECART_TEST_DIR
  return FORECART_TEST_DIR;
#else
  std::string f = __FILE__;
  size_t pos = f.rfind("/unit/");
  return pos == std::string::npos ? std::string("tests") : f.substr(0, pos);
#endif
}

std::string fixture(const std::string& name) {
  return test_dir() + "/fixtures/" + name;
}

// A scratch directory removed at the end of each test.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("forecart_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& content) const {
    std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string write_gz(const std::string& name, const std::string& content) const {
    std::string p = (path / name).string();
    gzFile f = gzopen(p.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, content.data(), static_cast<unsigned>(content.size())) == static_cast<int>(content.size()));
    REQUIRE(gzclose(f) == Z_OK);
    return p;
  }
};

Dataset read_ok(const std::string& text, const ReadOptions& opts = {}, ReadReport* rep = nullptr,
                const std::string& name = "t.csv") {
  auto r = read_events_text(text, name, opts, rep);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return r.take();
}

Dataset read_files_ok(const std::vector<std::string>& paths, const ReadOptions& opts = {}, ReadReport* rep = nullptr) {
  auto r = read_events(paths, opts, rep);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return r.take();
}

// The item ids of one user's sequence, in order.
std::vector<std::string> items_of(const Dataset& ds, const std::string& user) {
  std::vector<std::string> out;
  for (size_t u = 0; u < ds.user_ids.size(); ++u)
    if (ds.user_ids[u] == user)
      for (const Event& e : ds.sequences[u]) out.push_back(ds.item_ids[e.item]);
  return out;
}

std::map<std::string, size_t> action_counts(const Dataset& ds) {
  std::map<std::string, size_t> out;
  for (const auto& seq : ds.sequences)
    for (const Event& e : seq) ++out[ds.action_names[e.action]];
  return out;
}

// Structural invariants every Dataset must satisfy. Checked in plain code and asserted once, so the real datasets
// do not add a million assertions to the report.
std::string first_invariant_violation(const Dataset& ds) {
  if (ds.sequences.size() != ds.user_ids.size()) return "sequences/user_ids size";
  if (ds.item_category.size() != ds.item_ids.size()) return "item_category/item_ids size";
  for (uint32_t c : ds.item_category)
    if (c != kNoCategory && c >= ds.category_names.size()) return "item_category out of range";
  for (size_t u = 0; u < ds.sequences.size(); ++u) {
    const auto& seq = ds.sequences[u];
    const std::string where = "user " + std::to_string(u) + ": ";
    if (seq.empty()) return where + "empty sequence";
    for (size_t i = 0; i < seq.size(); ++i) {
      const Event& e = seq[i];
      if (e.user != u) return where + "event.user";
      if (e.item >= ds.item_ids.size()) return where + "event.item out of range";
      if (e.action >= ds.action_names.size()) return where + "event.action out of range";
      if (e.category != ds.item_category[e.item]) return where + "event.category != item_category";
      if (i > 0 && seq[i - 1].time > e.time) return where + "not sorted by time";
    }
  }
  return "";
}

void check_invariants(const Dataset& ds) {
  CHECK(first_invariant_violation(ds) == "");
}

int64_t t(const char* s) {
  int64_t v = 12345;
  INFO(s);
  REQUIRE(parse_time(s, &v));
  return v;
}

bool bad_time(const char* s) {
  int64_t v = 12345;
  bool ok = parse_time(s, &v);
  return !ok && v == 12345;  // a failed parse leaves the output alone
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("parse_time: unix seconds and milliseconds", "[data][time]") {
  CHECK(t("1511658000") == 1511658000);
  CHECK(t("0") == 0);
  CHECK(t(" 1511658000 ") == 1511658000);
  CHECK(t("1659304800025") == 1659304800);   // ms: > 1e11
  CHECK(t("100000000000") == 100000000000);  // exactly 1e11 is still seconds
  CHECK(t("100000000001") == 100000000);     // above it: ms
  CHECK(t("1396437466.94") == 1396437466);   // decimal seconds are floored
  CHECK(t("1520061164.0") == 1520061164);
  CHECK(t("1659304800025.9") == 1659304800);
  CHECK(t("+5") == 5);
  CHECK(t("-1.5") == -2);
  CHECK(t("-86400") == -86400);
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
  CHECK(t("1970-01-01") == 0);
  CHECK(t("1969-12-31") == -86400);
  CHECK(t("2016-05-09") == 1462752000);
  CHECK(t("2016-02-29") == 1456704000);
  CHECK(t("2000-03-01") == 951868800);
  CHECK(t("2018-03-01 00:00:06") == 1519862406);
  CHECK(t("2018-03-01T00:00:06") == 1519862406);
  CHECK(t("2018-03-01t00:00:06") == 1519862406);
  CHECK(t("2018-03-01T00:00:06Z") == 1519862406);
  CHECK(t("2018-03-01T00:00:06.999Z") == 1519862406);
  CHECK(t("2018-03-01 00:00:06.5") == 1519862406);
  CHECK(t("2018-03-01T08:00:06+08:00") == 1519862406);
  CHECK(t("2018-03-01T08:00:06+0800") == 1519862406);
  CHECK(t("2018-03-01T08:00:06+08") == 1519862406);
  CHECK(t("2018-02-28T19:00:06-05:00") == 1519862406);
  CHECK(t("2018-03-01T05:30:06.123+05:30") == 1519862406);
  CHECK(t("2018-03-01T00:00:06-00:00") == 1519862406);
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

// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("SASRec text: one interaction per line", "[data][text]") {
  ReadReport rep;
  Dataset ds = read_ok("1 10\n1 11\n2 10\n\n1 12\n2 13\n", {}, &rep);
  check_invariants(ds);
  CHECK(ds.user_ids == std::vector<std::string>{"1", "2"});
  CHECK(ds.item_ids == std::vector<std::string>{"10", "11", "12", "13"});
  CHECK(ds.action_names == std::vector<std::string>{"view"});
  CHECK(items_of(ds, "1") == std::vector<std::string>{"10", "11", "12"});
  CHECK(items_of(ds, "2") == std::vector<std::string>{"10", "13"});
  CHECK(ds.num_events() == 5);
  CHECK(ds.sequences[0][0].time == -1);
  CHECK(ds.sequences[0][0].category == kNoCategory);
  CHECK(ds.category_names.empty());
  CHECK(rep.lines == 5);
  CHECK(rep.events == 5);
  CHECK(rep.skipped == 0);
}

TEST_CASE("SASRec text: one sequence per line, default action, format forced", "[data][text]") {
  ReadOptions o;
  o.default_action = "review";
  Dataset ds = read_ok("1 1 2 3 4\r\n2   4\t5 1\r\n", o);
  check_invariants(ds);
  CHECK(items_of(ds, "1") == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(items_of(ds, "2") == std::vector<std::string>{"4", "5", "1"});
  CHECK(ds.item_ids == std::vector<std::string>{"1", "2", "3", "4", "5"});
  CHECK(ds.action_names == std::vector<std::string>{"review"});

  // A tab makes auto-detection pick CSV; format=text forces whitespace splitting.
  o.format = "text";
  ds = read_ok("u1\ta b\nu2 c\n", o);
  CHECK(items_of(ds, "u1") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("SASRec text: malformed lines", "[data][text][malformed]") {
  const std::string long_id(kMaxItemIdBytes + 1, 'x');
  const std::string text = "1 10\n7\n2 " + long_id + "\n3 " + std::string(kMaxItemIdBytes, 'y') + " 11\n";
  ReadReport rep;
  Dataset ds = read_ok(text, {}, &rep, "seq.txt");
  CHECK(rep.lines == 4);
  CHECK(rep.skipped == 2);
  CHECK(rep.events == 3);
  REQUIRE(rep.first_errors.size() == 2);
  CHECK(rep.first_errors[0] == "seq.txt:2: expected a user id and at least one item id");
  CHECK(rep.first_errors[1] == "seq.txt:3: item id longer than 256 bytes");
  CHECK(ds.user_ids == std::vector<std::string>{"1", "3"});  // skipped lines register nothing

  ReadOptions strict;
  strict.strict = true;
  auto r = read_events_text(text, "seq.txt", strict);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kParseError);
  CHECK(r.status().message() == "seq.txt:2: expected a user id and at least one item id");
}

// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("CSV: each delimiter is auto-detected", "[data][csv]") {
  ReadReport rep;
  for (std::string d : {",", ";", "\t"}) {
    INFO("delimiter '" << d << "'");
    std::string text = "user_id" + d + "item_id" + d + "timestamp\n" + "u1" + d + "a" + d + "20\n" + "u2" + d + "b" +
                       d + "5\n" + "u1" + d + "c" + d + "10\n";
    Dataset ds = read_ok(text, {}, &rep);
    check_invariants(ds);
    CHECK(ds.user_ids == std::vector<std::string>{"u1", "u2"});
    CHECK(items_of(ds, "u1") == std::vector<std::string>{"c", "a"});  // sorted by time
    CHECK(ds.sequences[0][0].time == 10);
    REQUIRE(rep.file_notes.size() == 1);
    CHECK(rep.file_notes[0].find(" header") != std::string::npos);
  }
  // The most frequent candidate wins: ';' (3) over ',' (1).
  Dataset ds = read_ok("user;item;time;category\nu;a,b;1;c\n");
  CHECK(ds.item_ids == std::vector<std::string>{"a,b"});
  // An explicit delimiter overrides detection.
  ReadOptions o;
  o.delimiter = '|';
  o.format = "csv";
  ds = read_ok("user|item\nu|a;b\n", o);
  CHECK(ds.item_ids == std::vector<std::string>{"a;b"});
}

TEST_CASE("CSV: column guessing from header names", "[data][csv]") {
  // Case-insensitive; a session column is preferred over a user column; unknown columns are ignored.
  ReadReport rep;
  Dataset ds = read_ok(
      "User_ID,Session_Id,extra,Product_ID,Event_Type,Event_Time,Category_ID\n"
      "u1,s1,x,p1,view,2020-01-01 00:00:02,c1\n"
      "u1,s2,x,p2,cart,2020-01-01 00:00:01,c2\n",
      {}, &rep);
  check_invariants(ds);
  CHECK(ds.user_ids == std::vector<std::string>{"s1", "s2"});
  CHECK(ds.item_ids == std::vector<std::string>{"p1", "p2"});
  CHECK(ds.action_names == std::vector<std::string>{"view", "cart"});
  CHECK(ds.category_names == std::vector<std::string>{"c1", "c2"});
  CHECK(ds.sequences[0][0].time == 1577836802);
  REQUIRE(rep.file_notes.size() == 1);
  CHECK(rep.file_notes[0] ==
        "t.csv: csv ',' header user=Session_Id item=Product_ID action=Event_Type time=Event_Time category=Category_ID");

  // Other spellings from the guess lists.
  ds = read_ok("userid,sku,behavior_type,ts\n1,2,pv,3\n");
  CHECK(ds.action_names == std::vector<std::string>{"pv"});
  CHECK(ds.sequences[0][0].time == 3);
  ds = read_ok("sessionId;itemId;eventdate\n1;2;2016-05-09\n");
  CHECK(ds.sequences[0][0].time == 1462752000);
  ds = read_ok("session,aid,ts,type\n0,5,1659304800025,clicks\n");
  CHECK(ds.sequences[0][0].time == 1659304800);
  CHECK(ds.action_names == std::vector<std::string>{"clicks"});
  // No action column: the default action.
  ds = read_ok("user,item\n1,2\n");
  CHECK(ds.action_names == std::vector<std::string>{"view"});
  CHECK(ds.sequences[0][0].time == -1);
}

TEST_CASE("CSV: columns by name, by position, mixed", "[data][csv]") {
  const std::string text = "a,b,c,d,e\nu1,i1,k1,buy,100\nu1,i2,k2,pv,50\n";
  ReadOptions o;
  o.columns = "user=a,item=b,category=c,action=d,time=e";
  Dataset by_name = read_ok(text, o);
  check_invariants(by_name);
  CHECK(items_of(by_name, "u1") == std::vector<std::string>{"i2", "i1"});
  CHECK(by_name.category_names == std::vector<std::string>{"k1", "k2"});

  o.columns = "user=0, item=1, category=2, action=3, time=4";  // the header row is detected (time 'e')
  Dataset by_pos = read_ok(text, o);
  CHECK(by_pos.item_ids == by_name.item_ids);
  CHECK(by_pos.num_events() == 2);

  o.columns = "user=A,item=1,time=E";  // mixed, names case-insensitive; only listed columns are used
  Dataset mixed = read_ok(text, o);
  CHECK(mixed.num_events() == 2);
  CHECK(mixed.action_names == std::vector<std::string>{"view"});
  CHECK(mixed.category_names.empty());

  // Only user and item given: no time column, input order kept.
  o.columns = "item=b,user=a";
  Dataset two = read_ok(text, o);
  CHECK(items_of(two, "u1") == std::vector<std::string>{"i1", "i2"});
}

TEST_CASE("CSV: bad column options", "[data][csv][errors]") {
  const std::string text = "a,b,c\n1,2,3\n";
  auto expect = [&](const std::string& cols, StatusCode code, const std::string& needle) {
    ReadOptions o;
    o.columns = cols;
    auto r = read_events_text(text, "cols.csv", o);
    INFO(cols << " -> " << r.status().to_string());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == code);
    CHECK(r.status().message().find(needle) != std::string::npos);
  };
  expect("user=a", StatusCode::kInvalidArgument, "user and item columns are required");
  expect("user=a,item=zz", StatusCode::kInvalidArgument, "item column 'zz' is not in the header 'a,b,c'");
  expect("user=0,item=7", StatusCode::kInvalidArgument, "item column 7 is out of range");
  expect("user=a,item=b,colour=c", StatusCode::kInvalidArgument, "unknown kind 'colour'");
  expect("user=a,item=b,user=c", StatusCode::kInvalidArgument, "user given twice");
  expect("user=a,item", StatusCode::kInvalidArgument, "expected KIND=COLUMN");
  expect("user=a,item=", StatusCode::kInvalidArgument, "empty column for item");
  expect("user=0,item=0", StatusCode::kInvalidArgument, "same column");

  ReadOptions o;
  o.format = "xml";
  CHECK(read_events_text(text, "x", o).status().code() == StatusCode::kInvalidArgument);
  o = ReadOptions();
  o.default_action = "";
  CHECK(read_events_text(text, "x", o).status().code() == StatusCode::kInvalidArgument);
  o = ReadOptions();
  o.no_header = true;
  o.columns = "user=a,item=b";
  CHECK(read_events_text(text, "x", o).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("CSV: missing user or item column names the header", "[data][csv][errors]") {
  auto r = read_events_text("customer,product\n1,2\n", "shop.csv", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("shop.csv: cannot find the user column in the header 'customer,product'") == 0);
  r = read_events_text("user;product\n1;2\n", "shop.csv", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("cannot find the item column in the header 'user;product'") != std::string::npos);
  // Headerless data read with guessed columns (taobao without --no-header) also fails clearly.
  r = read_events_text("543462,1715,1464116,pv,1511658000\n", "taobao.csv", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("'543462,1715,1464116,pv,1511658000'") != std::string::npos);
}

TEST_CASE("CSV: no_header and header detection with positional columns", "[data][csv]") {
  const std::string data = "543462,1715,1464116,pv,1511658000\n662867,2244074,1575622,pv,1511658001\n";
  ReadOptions o;
  o.no_header = true;
  ReadReport rep;
  Dataset ds = read_ok(data, o, &rep);  // default columns user=0,item=1 and nothing else
  CHECK(ds.user_ids == std::vector<std::string>{"543462", "662867"});
  CHECK(ds.item_ids == std::vector<std::string>{"1715", "2244074"});
  CHECK(ds.action_names == std::vector<std::string>{"view"});
  CHECK(ds.sequences[0][0].time == -1);
  CHECK(rep.lines == 2);

  o.columns = "user=0,item=1,category=2,action=3,time=4";
  ds = read_ok(data, o);
  CHECK(ds.num_events() == 2);
  CHECK(ds.category_names == std::vector<std::string>{"1464116", "1575622"});
  CHECK(ds.sequences[1][0].time == 1511658001);

  // Without no_header: the first row is data (its time parses) ...
  o.no_header = false;
  ds = read_ok(data, o);
  CHECK(ds.num_events() == 2);
  // ... a row with a known column name is a header ...
  ds = read_ok("user_id,sku,x,y,z\n" + data, o);
  CHECK(ds.num_events() == 2);
  // ... and so is a row whose time field is not a time.
  ds = read_ok("u,i,c,a,when\n" + data, o);
  CHECK(ds.num_events() == 2);
  o.columns = "user=0,item=1";  // no time column and no known name: the first row is data
  ds = read_ok("u,i,c,a,when\n" + data, o);
  CHECK(ds.num_events() == 3);
}

TEST_CASE("CSV: action mapping", "[data][csv]") {
  const std::string text =
      "action_time,user_id,sku_id,type\n"
      "2018-03-01 00:00:01,u,a,1\n"
      "2018-03-01 00:00:02,u,b,2\n"
      "2018-03-01 00:00:03,u,c,5\n"
      "2018-03-01 00:00:04,u,d,4\n"
      "2018-03-01 00:00:05,v,d,1\n"
      "2018-03-01 00:00:06,v,d,3\n";
  ReadOptions o;
  Dataset raw = read_ok(text, o);
  CHECK(raw.action_names == std::vector<std::string>{"1", "2", "5", "4", "3"});

  o.actions = "1=view, 2=purchase,3=view,4=comment";
  Dataset ds = read_ok(text, o);
  check_invariants(ds);
  // Names in order of first appearance; unmapped raw value 5 kept as "5"; 1 and 3 share "view".
  CHECK(ds.action_names == std::vector<std::string>{"view", "purchase", "5", "comment"});
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"view", 3}, {"purchase", 1}, {"5", 1}, {"comment", 1}});

  for (const char* bad : {"1", "1=", "=view", "1=a,1=b"}) {
    o.actions = bad;
    INFO(bad);
    CHECK(read_events_text(text, "x", o).status().code() == StatusCode::kInvalidArgument);
  }
  o.actions = "1=" + std::string(kMaxActionNameBytes + 1, 'a');
  CHECK(read_events_text(text, "x", o).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("CSV: too many distinct actions is a limit error", "[data][csv][errors]") {
  std::string text = "user,item,action\n";
  for (uint32_t i = 0; i <= kMaxActions; ++i) text += "u,i," + std::to_string(i) + "\n";
  auto r = read_events_text(text, "x.csv", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kLimitExceeded);
}

TEST_CASE("CSV: categories, last seen wins", "[data][csv]") {
  Dataset ds = read_ok("user,item,category,time\nu,a,c1,1\nu,b,,2\nv,a,c2,3\nv,b,c1,4\nv,c,,5\n");
  check_invariants(ds);
  CHECK(ds.category_names == std::vector<std::string>{"c1", "c2"});
  CHECK(ds.item_category == std::vector<uint32_t>{1, 0, kNoCategory});
  CHECK(ds.sequences[0][0].category == 1);  // events carry the item's final category
}

TEST_CASE("CSV: stable order for equal times, sorting otherwise", "[data][csv]") {
  Dataset ds = read_ok(
      "user,item,time\n"
      "u,x1,2016-05-09\n"
      "u,x2,2016-05-08\n"
      "u,x3,2016-05-09\n"
      "u,x4,2016-05-08\n"
      "u,x5,2016-05-09\n"
      "u,x6,2016-05-07\n");
  check_invariants(ds);
  CHECK(items_of(ds, "u") == std::vector<std::string>{"x6", "x2", "x4", "x1", "x3", "x5"});
}

TEST_CASE("CSV: quoted fields", "[data][csv]") {
  ReadReport rep;
  Dataset ds = read_ok(
      "\"user\",\"item\",\"time\"\n"
      "\"u,1\",\"a,b\",\"1\"\n"
      "u2, \"say \"\"hi\"\"\" ,2\n"
      "\"\",x,3\n"
      "u3,\"open,4\n"
      "u3,\"c\"d,5\n",
      {}, &rep);
  check_invariants(ds);
  CHECK(ds.user_ids == std::vector<std::string>{"u,1", "u2"});
  CHECK(ds.item_ids == std::vector<std::string>{"a,b", "say \"hi\""});
  CHECK(rep.skipped == 3);
  REQUIRE(rep.first_errors.size() == 3);
  CHECK(rep.first_errors[0] == "t.csv:4: empty user id");
  CHECK(rep.first_errors[1] == "t.csv:5: unterminated quoted field");
  CHECK(rep.first_errors[2] == "t.csv:6: text after a closing quote");

  ds = read_ok("user;item\n\"a;b\";\"c\"\n");
  CHECK(ds.user_ids == std::vector<std::string>{"a;b"});
}

TEST_CASE("CSV: CRLF, BOM, blank lines and padding", "[data][csv]") {
  ReadReport rep;
  Dataset ds = read_ok("\xEF\xBB\xBFuser_id , item_id\r\n\r\n u1 , a \r\nu2,b\r\n\r\n", {}, &rep);
  CHECK(ds.user_ids == std::vector<std::string>{"u1", "u2"});
  CHECK(ds.item_ids == std::vector<std::string>{"a", "b"});
  CHECK(rep.lines == 2);
  CHECK(rep.skipped == 0);
}

TEST_CASE("CSV: malformed lines, lenient", "[data][csv][malformed]") {
  const std::string long_item = "u3," + std::string(kMaxItemIdBytes + 1, 'x') + ",5,view\n";
  const std::string max_item = "u1," + std::string(kMaxItemIdBytes, 'z') + ",9,buy\n";
  const std::string text = std::string("user,item,time,action\n")  // line 1
                           + "u1,a,1,view\n"                       // 2 ok
                           + "u1,b,2\n"                            // 3 too few fields
                           + ",c,3,view\n"                         // 4 empty user
                           + "u2,,4,view\n"                        // 5 empty item
                           + long_item                             // 6 item id over the limit
                           + "u4,d,yesterday,view\n"               // 7 bad time
                           + "u1,e,7,view,extra\n"                 // 8 too many fields
                           + "u5,f,8,\n"                           // 9 empty action
                           + max_item;                             // 10 ok: exactly the limit
  ReadReport rep;
  Dataset ds = read_ok(text, {}, &rep, "bad.csv");
  check_invariants(ds);
  CHECK(rep.lines == 9);
  CHECK(rep.events == 2);
  CHECK(rep.skipped == 7);
  REQUIRE(rep.first_errors.size() == 5);
  CHECK(rep.first_errors[0] == "bad.csv:3: expected 4 fields, found 3");
  CHECK(rep.first_errors[1] == "bad.csv:4: empty user id");
  CHECK(rep.first_errors[2] == "bad.csv:5: empty item id");
  CHECK(rep.first_errors[3] == "bad.csv:6: item id longer than 256 bytes");
  CHECK(rep.first_errors[4] == "bad.csv:7: unparsable time 'yesterday'");
  // Skipped lines register no ids or actions.
  CHECK(ds.user_ids == std::vector<std::string>{"u1"});
  CHECK(ds.item_ids.size() == 2);
  CHECK(ds.action_names == std::vector<std::string>{"view", "buy"});
}

TEST_CASE("CSV: malformed lines, strict", "[data][csv][malformed]") {
  ReadOptions o;
  o.strict = true;
  struct Case {
    std::string body;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"u,a,1\nu,b\n", "s.csv:3: expected 3 fields, found 2"},
      {"u,a,1\n,b,2\n", "s.csv:3: empty user id"},
      {"u,a,1\n\nu,,2\n", "s.csv:4: empty item id"},
      {"u," + std::string(300, 'i') + ",1\n", "s.csv:2: item id longer than 256 bytes"},
      {"u,a,1\nu,b,2016-02-30\n", "s.csv:3: unparsable time '2016-02-30'"},
      {"u,\"a,1\n", "s.csv:2: unterminated quoted field"},
  };
  for (const Case& c : cases) {
    auto r = read_events_text("user,item,time\n" + c.body, "s.csv", o);
    INFO(c.message);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kParseError);
    CHECK(r.status().message() == c.message);
  }
  // A clean file passes in strict mode.
  CHECK(read_events_text("user,item,time\nu,a,1\n", "s.csv", o).ok());
}

TEST_CASE("An empty result is an error", "[data][errors]") {
  for (const char* text : {"", "\n\n", "user,item\n", "user,item\n,\n"}) {
    INFO("'" << text << "'");
    auto r = read_events_text(text, "e.csv", {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kParseError);
    CHECK(r.status().message().find("no events read from e.csv") == 0);
  }
}

// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("Files: missing file and unreadable gzip", "[data][files][errors]") {
  TempDir dir;
  const std::string missing = (dir.path / "nope.csv").string();
  auto r = read_events({missing}, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kIoError);
  CHECK(r.status().message().find(missing) != std::string::npos);

  r = read_events({dir.path.string()}, {});  // a directory
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kIoError);

  // A truncated gzip stream must not pass for a shorter file.
  std::string big;
  for (int i = 0; i < 5000; ++i) big += std::to_string(i) + " " + std::to_string(i * 7 % 1000) + "\n";
  std::string gz = dir.write_gz("full.txt.gz", big);
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string cut = dir.write("cut.txt.gz", bytes.substr(0, bytes.size() / 2));
  r = read_events({cut}, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kIoError);

  CHECK(read_events({}, {}).status().code() == StatusCode::kInvalidArgument);
  CHECK(read_events({"x.csv#action="}, {}).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Files: large gzip and plain files stream across read chunks", "[data][files]") {
  // ~3.5 MB of text: several 1 MiB read chunks, lines cut at chunk borders, no newline at the very end.
  std::string text = "user,item,time\n";
  const int n = 200000;
  for (int i = 0; i < n; ++i)
    text += "user" + std::to_string(i % 1000) + ",item-" + std::to_string(i) + "," + std::to_string(n - i) +
            (i + 1 < n ? "\n" : "");
  TempDir dir;
  for (bool gz : {true, false}) {
    INFO("gzip " << gz);
    std::string path = gz ? dir.write_gz("big.csv.gz", text) : dir.write("big.csv", text);
    ReadReport rep;
    Dataset ds = read_files_ok({path}, {}, &rep);
    check_invariants(ds);
    CHECK(ds.num_events() == static_cast<size_t>(n));
    CHECK(rep.lines == static_cast<size_t>(n));
    CHECK(ds.user_ids.size() == 1000);
    CHECK(ds.item_ids.size() == static_cast<size_t>(n));
    CHECK(ds.item_ids.back() == "item-" + std::to_string(n - 1));
    CHECK(ds.sequences[0].front().time == 1000);  // user0's latest line (i = n - 1000) has the smallest time
  }
}

TEST_CASE("Files: gzip and plain files merged, #action= per file", "[data][files]") {
  TempDir dir;
  std::string views = dir.write_gz("views.csv.gz",
                                   "session_id;user_id;item_id;timeframe;eventdate\n"
                                   "1;NA;a;5;2016-05-09\n"
                                   "2;NA;b;5;2016-05-09\n"
                                   "1;NA;c;5;2016-05-10\n");
  std::string buys = dir.write("buys.csv",
                               "sessionId;userId;timeframe;eventdate;ordernumber;itemId\n"
                               "3;NA;1;2016-05-01;9;d\n"
                               "1;NA;1;2016-05-09;9;a\n");
  ReadReport rep;
  Dataset ds = read_files_ok({views, buys + "#action=purchase"}, {}, &rep);
  check_invariants(ds);
  CHECK(ds.user_ids == std::vector<std::string>{"1", "2", "3"});
  CHECK(ds.item_ids == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(ds.action_names == std::vector<std::string>{"view", "purchase"});
  // Session 1: view a and purchase a share a date, so file order decides; c is a day later.
  REQUIRE(ds.sequences[0].size() == 3);
  CHECK(ds.item_ids[ds.sequences[0][0].item] == "a");
  CHECK(ds.action_names[ds.sequences[0][0].action] == "view");
  CHECK(ds.action_names[ds.sequences[0][1].action] == "purchase");
  CHECK(ds.item_ids[ds.sequences[0][2].item] == "c");
  CHECK(rep.lines == 5);
  CHECK(rep.events == 5);
  REQUIRE(rep.file_notes.size() == 2);
  CHECK(rep.file_notes[1] == buys + ": csv ';' header user=sessionId item=itemId action=(purchase) time=eventdate");

  // The suffix overrides an action column too, and works on SASRec text.
  std::string typed = dir.write("typed.csv", "user,item,type\nu,a,click\n");
  std::string seqs = dir.write("seqs.txt", "u b c\n");
  ds = read_files_ok({typed + "#action=cart", seqs + "#action=order", typed});
  CHECK(ds.action_names == std::vector<std::string>{"cart", "order", "click"});
  CHECK(ds.sequences[0].size() == 4);

  // Errors in a later file name that file and line.
  std::string bad = dir.write("bad.csv", "user,item,time\nu,a,soon\n");
  ReadOptions strict;
  strict.strict = true;
  auto r = read_events({views, bad}, strict);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == bad + ":2: unparsable time 'soon'");
}

TEST_CASE("Files: lenient mode keeps only the first 5 errors but counts all", "[data][files][malformed]") {
  std::string text = "user,item\n";
  for (int i = 0; i < 12; ++i) text += (i % 2 ? "u,\n" : "u,a\n");
  ReadReport rep;
  Dataset ds = read_ok(text, {}, &rep, "many.csv");
  CHECK(rep.skipped == 6);
  CHECK(rep.events == 6);
  REQUIRE(rep.first_errors.size() == 5);
  CHECK(rep.first_errors[0] == "many.csv:3: empty item id");
  CHECK(rep.first_errors[4] == "many.csv:11: empty item id");
}

// ---------------------------------------------------------------------------------------------------------------

TEST_CASE("Split: leave-one-out", "[data][split]") {
  Dataset ds = read_ok("a 1 2 3 4 5\nb 1 2\nc 1 2 3\nd 9\n");
  Split s = make_split(ds);
  CHECK(s.users == std::vector<uint32_t>{0, 2});
  CHECK(s.train_only_users == 2);
  CHECK(s.train_events == 3 + 2 + 1 + 1);

  const auto& a = ds.sequences[0];
  CHECK(has_holdout(a));
  CHECK(train_prefix_len(a) == 3);
  CHECK(target_index(a, Fold::kValidation) == 3);  // item "4", predicted from items 1..3
  CHECK(target_index(a, Fold::kTest) == 4);        // item "5", predicted from items 1..4
  CHECK(ds.item_ids[a[target_index(a, Fold::kTest)].item] == "5");
  const auto& b = ds.sequences[1];
  CHECK_FALSE(has_holdout(b));
  CHECK(train_prefix_len(b) == 2);
  const auto& c = ds.sequences[2];
  CHECK(train_prefix_len(c) == 1);
  CHECK(target_index(c, Fold::kValidation) == 1);
  CHECK(target_index(c, Fold::kTest) == 2);
}

// ---------------------------------------------------------------------------------------------------------------
// Real excerpts in tests/fixtures (see tests/fixtures/README.md): no /work/shared needed.

TEST_CASE("Fixtures: taobao (no header, positional)", "[data][fixtures]") {
  ReadOptions o;
  o.no_header = true;
  o.columns = "user=0,item=1,category=2,action=3,time=4";
  Dataset ds = read_files_ok({fixture("taobao_head60.csv")}, o);
  check_invariants(ds);
  CHECK(ds.num_events() == 60);
  CHECK(ds.user_ids.size() == 60);
  CHECK(ds.item_ids.size() == 60);
  CHECK(ds.category_names.size() == 45);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"pv", 51}, {"cart", 4}, {"fav", 4}, {"buy", 1}});
  CHECK(ds.user_ids[0] == "543462");
  CHECK(ds.item_ids[0] == "1715");
  CHECK(ds.category_names[ds.item_category[0]] == "1464116");
  CHECK(ds.sequences[0][0].time == 1511658000);
}

TEST_CASE("Fixtures: JD train (gzip, datetime, action mapping)", "[data][fixtures]") {
  ReadOptions o;
  o.actions = "1=view,2=purchase,3=follow,4=comment";
  Dataset ds = read_files_ok({fixture("jd_train_head60.csv.gz")}, o);
  check_invariants(ds);
  CHECK(ds.num_events() == 59);
  CHECK(ds.user_ids.size() == 30);  // sessionId is preferred over user_id
  CHECK(ds.user_ids[0] == "42");
  CHECK(ds.item_ids.size() == 58);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"view", 56}, {"purchase", 3}});
  CHECK(ds.sequences[0][0].time == 1519862406);

  // The 'index' column holds the same times as unix seconds with a decimal: both parse to the same values.
  o.columns = "user=user_id,item=sku_id,action=type,time=index";
  Dataset by_index = read_files_ok({fixture("jd_train_head60.csv.gz")}, o);
  CHECK(by_index.user_ids.size() == 30);
  o.columns = "user=user_id,item=sku_id,action=type,time=action_time";
  Dataset by_date = read_files_ok({fixture("jd_train_head60.csv.gz")}, o);
  REQUIRE(by_index.sequences.size() == by_date.sequences.size());
  for (size_t u = 0; u < by_index.sequences.size(); ++u) {
    REQUIRE(by_index.sequences[u].size() == by_date.sequences[u].size());
    for (size_t i = 0; i < by_index.sequences[u].size(); ++i)
      CHECK(by_index.sequences[u][i].time == by_date.sequences[u][i].time);
  }
}

TEST_CASE("Fixtures: Diginetica views + purchases", "[data][fixtures]") {
  ReadReport rep;
  Dataset ds = read_files_ok(
      {fixture("diginetica_views_head60.csv"), fixture("diginetica_purchases_head60.csv.gz") + "#action=purchase"}, {},
      &rep);
  check_invariants(ds);
  CHECK(ds.num_events() == 118);
  CHECK(ds.user_ids.size() == 47);
  CHECK(ds.item_ids.size() == 105);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"view", 59}, {"purchase", 59}});
  // Session 1: ten views on one date keep file order (the stable sort of ties).
  CHECK(items_of(ds, "1") == std::vector<std::string>{"81766", "31331", "32118", "9654", "32627", "33043", "12352",
                                                      "35077", "36118", "129055"});
  CHECK(ds.sequences[0][0].time == 1462752000);

  Dataset views = read_files_ok({fixture("diginetica_views_head60.csv")});
  CHECK(views.num_events() == 59);
  CHECK(views.user_ids.size() == 13);
  CHECK(views.item_ids.size() == 50);
}

TEST_CASE("Fixtures: YooChoose (tab, float seconds)", "[data][fixtures]") {
  Dataset ds = read_files_ok({fixture("yoochoose_train_full_head60.txt")});
  check_invariants(ds);
  CHECK(ds.num_events() == 59);
  CHECK(ds.user_ids.size() == 15);
  CHECK(ds.item_ids.size() == 37);
  CHECK(ds.user_ids[0] == "3");
  CHECK(ds.sequences[0][0].time == 1396437466);
  CHECK(items_of(ds, "3") == std::vector<std::string>{"214716935", "214832672"});
}

TEST_CASE("Fixtures: SASRec Video and S3-Rec Beauty", "[data][fixtures]") {
  Dataset video = read_files_ok({fixture("video_head60.txt")});
  check_invariants(video);
  CHECK(video.num_events() == 60);
  CHECK(video.user_ids.size() == 8);
  CHECK(video.item_ids.size() == 54);
  CHECK(video.item_ids[0] == "6393");

  Dataset beauty = read_files_ok({fixture("beauty_head20.txt.gz")});
  check_invariants(beauty);
  CHECK(beauty.num_events() == 201);
  CHECK(beauty.user_ids.size() == 20);
  CHECK(beauty.item_ids.size() == 179);
  CHECK(items_of(beauty, "1") == std::vector<std::string>{"1", "2", "3", "4", "5"});
}

TEST_CASE("Fixtures: OTTO CSV from scripts/otto-to-csv.mjs", "[data][fixtures]") {
  ReadReport rep;
  Dataset ds = read_files_ok({fixture("otto_head2.csv")}, {}, &rep);
  check_invariants(ds);
  CHECK(ds.num_events() == 308);
  CHECK(ds.user_ids == std::vector<std::string>{"0", "1"});
  CHECK(ds.item_ids.size() == 205);
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"clicks", 279}, {"carts", 25}, {"orders", 4}});
  CHECK(ds.sequences[0][0].time == 1659304800);  // ms -> s
  REQUIRE(rep.file_notes.size() == 1);
  CHECK(rep.file_notes[0].find("user=session item=aid action=type time=ts") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------------------------
// The full datasets in FORECART_DATA_DIR, checked against the counts in their READMEs.

namespace {

std::string data(const std::string& rel) {
  return forecart::test::shared_data(rel);
}

}  // namespace

TEST_CASE("Real data: SASRec / S3-Rec text sets", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("amazon_video_games_sasrec") ||
      !forecart::test::have_shared_data("amazon_s3rec"))
    return;
  struct Expect {
    const char* file;
    size_t events, users, items;
  };
  for (const Expect& e : {Expect{"amazon_video_games_sasrec/Video.txt.gz", 287107, 31013, 23715},
                          Expect{"amazon_s3rec/Beauty.txt.gz", 198502, 22363, 12101},
                          Expect{"amazon_s3rec/Sports_and_Outdoors.txt.gz", 296337, 35598, 18357},
                          Expect{"amazon_s3rec/Toys_and_Games.txt.gz", 167597, 19412, 11924}}) {
    INFO(e.file);
    ReadReport rep;
    Dataset ds = read_files_ok({data(e.file)}, {}, &rep);
    check_invariants(ds);
    CHECK(ds.num_events() == e.events);
    CHECK(ds.user_ids.size() == e.users);
    CHECK(ds.item_ids.size() == e.items);
    CHECK(rep.skipped == 0);
  }
}

TEST_CASE("Real data: Taobao UserBehavior slice", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("taobao_userbehavior_slice")) return;
  ReadOptions o;
  o.no_header = true;
  o.columns = "user=0,item=1,category=2,action=3,time=4";
  ReadReport rep;
  Dataset ds = read_files_ok({data("taobao_userbehavior_slice/UserBehavior.csv.gz")}, o, &rep);
  check_invariants(ds);
  CHECK(ds.num_events() == 110300);
  CHECK(ds.user_ids.size() == 66454);
  CHECK(ds.item_ids.size() == 84793);
  CHECK(ds.category_names.size() == 3913);
  CHECK(action_counts(ds) ==
        std::map<std::string, size_t>{{"pv", 98361}, {"cart", 6063}, {"fav", 3383}, {"buy", 2493}});
  size_t multi = 0;
  for (const auto& s : ds.sequences) multi += s.size() >= 2;
  CHECK(multi == 23779);
  CHECK(rep.skipped == 0);
}

TEST_CASE("Real data: JD micro-behaviour demo", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("jd_microbehavior_demo")) return;
  ReadOptions o;
  o.actions = "1=view,2=purchase,3=follow,4=comment";
  Dataset ds = read_files_ok({data("jd_microbehavior_demo/train.csv.gz")}, o);
  check_invariants(ds);
  CHECK(ds.num_events() == 27183);
  CHECK(ds.user_ids.size() == 5052);  // sessions
  CHECK(ds.item_ids.size() == 12195);
  CHECK(action_counts(ds) ==
        std::map<std::string, size_t>{{"view", 24365}, {"purchase", 1906}, {"follow", 448}, {"comment", 464}});
  o.columns = "user=user_id,item=sku_id,action=type,time=action_time";
  Dataset users = read_files_ok({data("jd_microbehavior_demo/train.csv.gz")}, o);
  CHECK(users.user_ids.size() == 3520);

  o.columns.clear();
  CHECK(read_files_ok({data("jd_microbehavior_demo/test.csv.gz")}, o).num_events() == 2262);
  Dataset tn = read_files_ok({data("jd_microbehavior_demo/test_new_item.csv.gz")}, o);
  CHECK(tn.num_events() == 3177);
  CHECK(tn.user_ids.size() == 644);
  CHECK(tn.item_ids.size() == 2219);
}

TEST_CASE("Real data: YooChoose 100k", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("yoochoose_clicks_100k")) return;
  struct Expect {
    const char* file;
    size_t events, sessions, items;
  };
  for (const Expect& e : {Expect{"train_full", 70278, 17794, 2933}, Expect{"test", 13568, 3416, 1771},
                          Expect{"train_tr", 53254, 13629, 2873}, Expect{"train_valid", 16539, 4084, 2029}}) {
    INFO(e.file);
    Dataset ds =
        read_files_ok({data(std::string("yoochoose_clicks_100k/yoochoose-clicks-100k_") + e.file + ".txt.gz")});
    check_invariants(ds);
    CHECK(ds.num_events() == e.events);
    CHECK(ds.user_ids.size() == e.sessions);
    CHECK(ds.item_ids.size() == e.items);
  }
}

TEST_CASE("Real data: Diginetica views + purchases", "[data][real][shared-data]") {
  if (!forecart::test::have_shared_data("diginetica")) return;
  Dataset views = read_files_ok({data("diginetica/sample_train-item-views.csv.gz")});
  CHECK(views.num_events() == 12391);
  CHECK(views.user_ids.size() == 2986);
  CHECK(views.item_ids.size() == 7139);
  Dataset buys = read_files_ok({data("diginetica/train-purchases.csv.gz") + "#action=purchase"});
  CHECK(buys.num_events() == 18025);
  CHECK(buys.user_ids.size() == 12630);
  CHECK(buys.item_ids.size() == 11244);
  CHECK(buys.action_names == std::vector<std::string>{"purchase"});

  Dataset both = read_files_ok({data("diginetica/sample_train-item-views.csv.gz"),
                                data("diginetica/train-purchases.csv.gz") + "#action=purchase"});
  check_invariants(both);
  CHECK(both.num_events() == 12391 + 18025);
  CHECK(both.user_ids.size() == 2986 + 12630 - 138);  // 138 sessions appear in both files
  CHECK(action_counts(both) == std::map<std::string, size_t>{{"view", 12391}, {"purchase", 18025}});

  // The category table reads too (item + category, no user): every row is an event of its own "user" column.
  ReadOptions o;
  o.columns = "user=categoryId,item=itemId,category=categoryId";
  Dataset cats = read_files_ok({data("diginetica/product-categories.csv.gz")}, o);
  CHECK(cats.item_ids.size() == 184047);
  CHECK(cats.category_names.size() == 1217);
}

#include "data/filter.h"

TEST_CASE("drop_rare_items removes rare items' events and emptied users, keeping order", "[data][filter]") {
  auto ds =
      forecart::data::read_events_text("user,item,time\nu1,a,1\nu1,b,2\nu2,a,3\nu3,c,4\nu2,b,5\nu1,a,6\n", "f.csv", {});
  REQUIRE(ds.ok());
  auto f = forecart::data::drop_rare_items(ds.value(), 2);
  REQUIRE(f.item_ids == std::vector<std::string>{"a", "b"});
  REQUIRE(f.user_ids == std::vector<std::string>{"u1", "u2"});  // u3 had only c
  REQUIRE(f.sequences[0].size() == 3);
  REQUIRE(f.sequences[0][2].item == 0);
  REQUIRE(f.sequences[1][1].item == 1);
  REQUIRE(f.sequences[1][1].user == 1);
  REQUIRE(f.num_events() == 5);
  REQUIRE(forecart::data::drop_rare_items(ds.value(), 1).num_events() == 6);
}
