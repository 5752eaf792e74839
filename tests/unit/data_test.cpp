// Tests for the delimited and SASRec text readers of src/data: detection, columns, actions, quoting, malformed
// lines, empty results, gzip and multi-file merges. Times are in data_time_test.cpp, JSON Lines in
// data_jsonl_test.cpp, real excerpts and the shared datasets in data_fixtures_test.cpp.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "core/limits.h"
#include "data/events.h"
#include "data_test_util.h"

using forecart::kMaxActionNameBytes;
using forecart::kMaxActions;
using forecart::kMaxItemIdBytes;
using forecart::StatusCode;
using namespace forecart::data;
using namespace forecart::test;

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
    std::string text = "user_id" + d + "item_id" + d + "timestamp\n" + "u1" + d + "a" + d + "1600000020\n" + "u2" + d +
                       "b" + d + "1600000005\n" + "u1" + d + "c" + d + "1600000010\n";
    Dataset ds = read_ok(text, {}, &rep);
    check_invariants(ds);
    CHECK(ds.user_ids == std::vector<std::string>{"u1", "u2"});
    CHECK(items_of(ds, "u1") == std::vector<std::string>{"c", "a"});  // sorted by time
    CHECK(ds.sequences[0][0].time == 1600000010);
    REQUIRE(rep.file_notes.size() == 1);
    CHECK(rep.file_notes[0].find(" header") != std::string::npos);
  }
  // The most frequent candidate wins: ';' (3) over ',' (1).
  Dataset ds = read_ok("user;item;time;category\nu;a,b;1600000001;c\n");
  CHECK(ds.item_ids == std::vector<std::string>{"a,b"});
  // An explicit delimiter overrides detection.
  ReadOptions o;
  o.delimiter = '|';
  o.format = "csv";
  ds = read_ok("user|item\nu|a;b\n", o);
  CHECK(ds.item_ids == std::vector<std::string>{"a;b"});
}

TEST_CASE("CSV: column guessing from header names", "[data][csv]") {
  // Case-insensitive; a user column is preferred over a session column; unknown columns are ignored.
  ReadReport rep;
  Dataset ds = read_ok(
      "User_ID,Session_Id,extra,Product_ID,Event_Type,Event_Time,Category_ID\n"
      "u1,s1,x,p1,view,2020-01-01 00:00:02,c1\n"
      "u1,s2,x,p2,cart,2020-01-01 00:00:01,c2\n",
      {}, &rep);
  check_invariants(ds);
  CHECK(ds.user_ids == std::vector<std::string>{"u1"});
  CHECK(ds.item_ids == std::vector<std::string>{"p1", "p2"});
  CHECK(ds.action_names == std::vector<std::string>{"view", "cart"});
  CHECK(ds.category_names == std::vector<std::string>{"c1", "c2"});
  CHECK(items_of(ds, "u1") == std::vector<std::string>{"p2", "p1"});  // by time
  CHECK(ds.sequences[0][0].time == 1577836801);
  REQUIRE(rep.file_notes.size() == 1);
  CHECK(rep.file_notes[0] ==
        "t.csv: csv ',' header user=User_ID item=Product_ID action=Event_Type time=Event_Time category=Category_ID");

  // Other spellings from the guess lists.
  ds = read_ok("userid,sku,behavior_type,ts\n1,2,pv,1600000003\n");
  CHECK(ds.action_names == std::vector<std::string>{"pv"});
  CHECK(ds.sequences[0][0].time == 1600000003);
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
  const std::string text = "a,b,c,d,e\nu1,i1,k1,buy,1600000100\nu1,i2,k2,pv,1600000050\n";
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
  CHECK(r.status().message().find("shop.csv:1: cannot find the user column in the header 'customer,product'") == 0);
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

  // The time field is judged under the time options: with --time-format a first row in that layout is data.
  ReadOptions f;
  f.columns = "user=0,item=1,time=2";
  f.time_format = "%d/%m/%Y %H:%M";
  ds = read_ok("u1,a,05/01/2023 10:22\nu1,b,05/01/2023 10:23\n", f);
  CHECK(ds.num_events() == 2);
  CHECK(ds.sequences[0][0].time == 1672914120);
  ds = read_ok("who,what,when\nu1,a,05/01/2023 10:22\n", f);
  CHECK(ds.num_events() == 1);
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
  Dataset ds = read_ok(
      "user,item,category,time\nu,a,c1,1600000001\nu,b,,1600000002\nv,a,c2,1600000003\nv,b,c1,1600000004\n"
      "v,c,,1600000005\n");
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
      "\"u,1\",\"a,b\",\"1600000001\"\n"
      "u2, \"say \"\"hi\"\"\" ,1600000002\n"
      "\"\",x,1600000003\n"
      "u3,\"open,1600000004\n"
      "u3,\"c\"d,1600000005\n",
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
  const std::string long_item = "u3," + std::string(kMaxItemIdBytes + 1, 'x') + ",1600000005,view\n";
  const std::string max_item = "u1," + std::string(kMaxItemIdBytes, 'z') + ",1600000009,buy\n";
  const std::string text = std::string("user,item,time,action\n")  // line 1
                           + "u1,a,1600000001,view\n"              // 2 ok
                           + "u1,b,2\n"                            // 3 too few fields
                           + ",c,3,view\n"                         // 4 empty user
                           + "u2,,4,view\n"                        // 5 empty item
                           + long_item                             // 6 item id over the limit
                           + "u4,d,yesterday,view\n"               // 7 bad time
                           + "u1,e,7,view,extra\n"                 // 8 too many fields
                           + "u5,f,1600000008,\n"                  // 9 empty action
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
  CHECK(rep.first_errors[4] == "bad.csv:7: time column \"time\": \"yesterday\" is not a time");
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
      {"u,a,1600000001\nu,b\n", "s.csv:3: expected 3 fields, found 2"},
      {"u,a,1600000001\n,b,2\n", "s.csv:3: empty user id"},
      {"u,a,1600000001\n\nu,,2\n", "s.csv:4: empty item id"},
      {"u," + std::string(300, 'i') + ",1\n", "s.csv:2: item id longer than 256 bytes"},
      {"u,a,1600000001\nu,b,2016-02-30\n", "s.csv:3: time column \"time\": \"2016-02-30\" is not a time"},
      {"u,a,1600000001\nu,b,1\n",
       "s.csv:3: time column \"time\": \"1\" lands in 1970 (outside 1995-2100); wrong --time-unit?"},
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
  CHECK(read_events_text("user,item,time\nu,a,1600000001\n", "s.csv", o).ok());
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
    text += "user" + std::to_string(i % 1000) + ",item-" + std::to_string(i) + "," +
            std::to_string(1600000000 + n - i) + (i + 1 < n ? "\n" : "");
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
    CHECK(ds.sequences[0].front().time == 1600001000);  // user0's latest line (i = n - 1000) has the smallest time
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
  Dataset ds = read_files_ok({views, buys + "#action=purchase"}, diginetica_sessions(), &rep);
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
  CHECK(r.status().message() == bad + ":2: time column \"time\": \"soon\" is not a time");
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
