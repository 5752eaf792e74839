// Tests for the JSON Lines reader (src/data/jsonl_reader.h) through read_events: dotted paths and array indices,
// ids as numbers or strings, one session per line (given and detected), key guessing, malformed lines, format
// detection, gzip; --data directories and globs (src/data/paths.h); the analytics header names of columns.cpp.
// The presets are in data_presets_test.cpp.
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "data/events.h"
#include "data_test_util.h"

namespace fs = std::filesystem;
using forecart::StatusCode;
using namespace forecart::data;
using namespace forecart::test;

namespace {

Dataset read_jsonl(const std::string& text, const ReadOptions& opts = {}, ReadReport* rep = nullptr) {
  return read_ok(text, opts, rep, "t.jsonl");
}

}  // namespace

TEST_CASE("JSON Lines: one event per line, dotted paths and array indices", "[data][jsonl]") {
  const std::string text =
      R"({"user":{"id":"u1"},"items":[{"item_id":"a","cat":"shoes"},{"item_id":"z"}],"ev":"view","t":"2023-10-01T00:00:00Z"})"
      "\n"
      R"({"user":{"id":"u1"},"items":[{"item_id":"b"}],"ev":"cart","t":1696118460})"
      "\n\n"
      R"({"user":{"id":"u2"},"items":[{"item_id":"a","cat":"bags"}],"ev":"view","t":"1696118400.5"})"
      "\n";
  ReadOptions o;
  o.columns = "user=user.id,item=items.0.item_id,action=ev,time=t,category=items.0.cat";
  ReadReport rep;
  Dataset ds = read_jsonl(text, o, &rep);
  CHECK(ds.user_ids == std::vector<std::string>{"u1", "u2"});
  CHECK(items_of(ds, "u1") == std::vector<std::string>{"a", "b"});
  CHECK(ds.action_names == std::vector<std::string>{"view", "cart"});
  CHECK(ds.category_names == std::vector<std::string>{"shoes", "bags"});
  CHECK(ds.category_names[ds.item_category[0]] == "bags");  // the last one seen wins
  CHECK(ds.sequences[0][0].time == 1696118400);
  CHECK(ds.sequences[0][1].time == 1696118460);
  CHECK(ds.sequences[1][0].time == 1696118400);  // a number as a string, floored
  CHECK(rep.lines == 3);
  CHECK(rep.events == 3);
  REQUIRE(rep.file_notes.size() == 1);
  CHECK(rep.file_notes[0].find("t.jsonl: jsonl user=user.id item=items.0.item_id action=ev time=t") == 0);

  // Keys match case-insensitively when there is no exact match; '|' lists alternatives, the first present wins.
  o.columns = "user=USER.ID,item=Items.0.Item_Id,time=missing|t";
  ds = read_jsonl(text, o);
  CHECK(ds.num_events() == 3);
  CHECK(ds.action_names == std::vector<std::string>{"view"});  // no action column: the default action
  CHECK(ds.sequences[0][1].time == 1696118460);
}

TEST_CASE("JSON Lines: ids as numbers or strings are the same id", "[data][jsonl]") {
  ReadReport rep;
  Dataset ds = read_jsonl(
      "{\"u\":7,\"i\":123,\"t\":1.6961184e9}\n{\"u\":\"7\",\"i\":\"123\",\"t\":\"1696118401\"}\n"
      "{\"u\":7.0,\"i\":123.0}\n{\"u\":-3,\"i\":1.5}\n{\"u\":8,\"i\":18446744073709551615}\n",
      [] {
        ReadOptions o;
        o.columns = "user=u,item=i";
        return o;
      }(),
      &rep);
  CHECK(ds.user_ids == std::vector<std::string>{"7", "-3", "8"});
  CHECK(ds.item_ids == std::vector<std::string>{"123", "1.5", "18446744073709551615"});
  CHECK(ds.sequences[0].size() == 3);
  CHECK(rep.skipped == 0);

  // A float too large to be an exact integer, and values that are not scalars, make the line malformed.
  ReadOptions o;
  o.columns = "user=u,item=i";
  Dataset bad = read_jsonl(
      "{\"u\":1,\"i\":1e300}\n{\"u\":1,\"i\":{\"id\":2}}\n{\"u\":[1],\"i\":2}\n{\"u\":true,\"i\":2}\n"
      "{\"u\":1,\"i\":\"ok\"}\n",
      o, &rep);
  CHECK(bad.item_ids == std::vector<std::string>{"ok"});
  CHECK(rep.skipped == 4);
  REQUIRE(rep.first_errors.size() == 4);
  CHECK(rep.first_errors[0] ==
        "t.jsonl:1: item \"i\": number 1e+300 too large to be an exact id (write it as a string)");
  CHECK(rep.first_errors[1] == "t.jsonl:2: item \"i\" is an object, not a string or a number");
  CHECK(rep.first_errors[2] == "t.jsonl:3: user \"u\" is an array, not a string or a number");
  CHECK(rep.first_errors[3] == "t.jsonl:4: user \"u\" is a boolean, not a string or a number");
}

TEST_CASE("JSON Lines: one session per line, given, detected and guessed", "[data][jsonl]") {
  // The OTTO sample: every way of reading it gives the same 308 events in 2 sessions.
  ReadOptions given;
  given.columns = "user=session,item=aid,action=type,time=ts,events=events";
  ReadOptions detected;  // no events=: the array whose first element holds the item
  detected.columns = "user=session,item=aid,action=type,time=ts";
  for (const ReadOptions& o : {given, detected, ReadOptions()}) {
    ReadReport rep;
    Dataset ds = read_files_ok({fixture("otto_head2.jsonl")}, o, &rep);
    CHECK(ds.num_events() == 308);
    CHECK(ds.user_ids == std::vector<std::string>{"0", "1"});
    CHECK(ds.item_ids.size() == 205);
    CHECK(action_counts(ds) == std::map<std::string, size_t>{{"clicks", 279}, {"carts", 25}, {"orders", 4}});
    CHECK(ds.sequences[0][0].time == 1659304800);
    CHECK(ds.item_ids[0] == "1517085");
    CHECK(rep.lines == 2);
    REQUIRE(rep.file_notes.size() == 1);
    CHECK(rep.file_notes[0].find("jsonl sessions events=events user=session item=aid action=type time=ts") !=
          std::string::npos);
  }

  // Columns are looked up in the event first, then in the line; an empty session adds nothing; a bad event makes
  // its whole line malformed (nothing of it is added).
  ReadReport rep;
  Dataset ds = read_jsonl(
      "{\"s\":1,\"kind\":\"view\",\"evs\":[{\"sku\":\"a\"},{\"sku\":\"b\",\"kind\":\"cart\"}]}\n"
      "{\"s\":2,\"evs\":[]}\n"
      "{\"s\":3,\"kind\":\"view\",\"evs\":[{\"sku\":\"c\"},{\"nosku\":1}]}\n{\"s\":4,\"evs\":5}\n{\"s\":5,\"evs\":[7]}"
      "\n",
      [] {
        ReadOptions o;
        o.columns = "user=s,item=sku,action=kind,events=evs";
        return o;
      }(),
      &rep);
  CHECK(ds.user_ids == std::vector<std::string>{"1"});
  CHECK(action_counts(ds) == std::map<std::string, size_t>{{"view", 1}, {"cart", 1}});
  CHECK(rep.lines == 5);
  REQUIRE(rep.first_errors.size() == 3);
  CHECK(rep.first_errors[0] == "t.jsonl:3: event 1: no item id");
  CHECK(rep.first_errors[1] == "t.jsonl:4: no events array \"evs\"");
  CHECK(rep.first_errors[2] == "t.jsonl:5: event 0 of \"evs\": not an object");
}

TEST_CASE("JSON Lines: guessed keys, users preferred over sessions", "[data][jsonl]") {
  ReadReport rep;
  Dataset ds = read_jsonl(
      "{\"session_id\":\"s1\",\"user_id\":null,\"product_id\":\"p0\",\"event_type\":\"view\"}\n"
      "{\"session_id\":\"s1\",\"user_pseudo_id\":\"g1\",\"product_id\":\"p1\",\"event_name\":\"view\","
      "\"event_timestamp\":\"1696118400000000\"}\n"
      "{\"session_id\":\"s2\",\"user_pseudo_id\":\"g1\",\"product_id\":\"p2\",\"event_name\":\"cart\","
      "\"event_timestamp\":1696118460000000}\n",
      {}, &rep);
  // Guessing happens on the first line with an item and a user: line 1 (user_id is null, so session_id).
  CHECK(ds.user_ids == std::vector<std::string>{"s1"});
  CHECK(rep.file_notes[0].find("user=session_id item=product_id action=event_type") != std::string::npos);
  CHECK(rep.skipped == 2);  // lines 2 and 3 have no event_type
  ds = read_jsonl(
      "{\"session_id\":\"s1\",\"user_pseudo_id\":\"g1\",\"product_id\":\"p1\",\"event_name\":\"view\","
      "\"event_timestamp\":\"1696118400000000\"}\n"
      "{\"session_id\":\"s2\",\"user_pseudo_id\":\"g1\",\"product_id\":\"p2\",\"event_name\":\"cart\","
      "\"event_timestamp\":1696118460000000}\n",
      {}, &rep);
  CHECK(ds.user_ids == std::vector<std::string>{"g1"});
  CHECK(ds.sequences[0][1].time == 1696118460);  // microseconds, detected
  CHECK(rep.file_notes[0].find("user=user_pseudo_id item=product_id action=event_name time=event_timestamp") !=
        std::string::npos);

  // Nothing to guess from: every line says what was looked for.
  auto r = read_events_text("{\"who\":1,\"what\":2}\n", "x.jsonl", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("x.jsonl:1: no item key (looked for item_id, itemid") != std::string::npos);
  r = read_events_text("{\"who\":1,\"item\":2}\n", "x.jsonl", {});
  CHECK(r.status().message().find("x.jsonl:1: no user key (looked for user_id") != std::string::npos);
}

TEST_CASE("JSON Lines: malformed lines, lenient and strict", "[data][jsonl][malformed]") {
  const std::string deep = "{\"u\":1,\"i\":2,\"x\":" + std::string(70, '[') + std::string(70, ']') + "}";
  const std::string text = "{\"u\":1,\"i\":\"a\",\"t\":1696118400}\n{\"u\":1,\"i\":\"b\"\n[1,2]\n" + deep +
                           "\n{\"u\":1,\"i\":\"c\",\"t\":\"soon\"}\n{\"u\":\"\",\"i\":\"d\",\"t\":1696118400}\n";
  ReadOptions o;
  o.columns = "user=u,item=i,time=t";
  o.time_unit = "s";
  ReadReport rep;
  Dataset ds = read_jsonl(text, o, &rep);
  CHECK(ds.item_ids == std::vector<std::string>{"a"});
  CHECK(rep.lines == 6);
  CHECK(rep.skipped == 5);
  REQUIRE(rep.first_errors.size() == 5);
  CHECK(rep.first_errors[0].find("t.jsonl:2: invalid JSON, column ") == 0);
  CHECK(rep.first_errors[1] == "t.jsonl:3: not a JSON object");
  CHECK(rep.first_errors[2] == "t.jsonl:4: JSON nested deeper than 64 levels");
  CHECK(rep.first_errors[3].find("t.jsonl:5: time \"t\": ") == 0);
  CHECK(rep.first_errors[4] == "t.jsonl:6: empty user id");
  // Strict mode fails at the first malformed line.
  o.strict = true;
  o.columns = "user=u,item=i";
  auto r = read_events_text("{\"u\":1,\"i\":\"a\"}\n{\"u\":1}\n", "s.jsonl", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kParseError);
  CHECK(r.status().message() == "s.jsonl:2: no item id");
  // Positions are no JSON columns.
  o.columns = "user=0,item=1";
  r = read_events_text("{\"u\":1}\n", "s.jsonl", o);
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("JSON Lines: detected from the name or the content, forced by format", "[data][jsonl]") {
  TempDir dir;
  const std::string line = "{\"user_id\":\"u\",\"item_id\":\"a\"}\n";
  // The content starts with '{' (after a BOM and blank lines), the name says nothing.
  ReadReport rep;
  read_ok("\xEF\xBB\xBF\n  \n" + line, {}, &rep, "export.txt");
  CHECK(rep.file_notes[0].find("export.txt: jsonl") == 0);
  // The name says JSON Lines, gzip or not, whatever the content (here a malformed line first).
  for (const char* name : {"a.jsonl", "b.NDJSON", "c.jsonl.gz", "d.ndjson.gz"}) {
    const std::string text = "not json\n" + line;
    const std::string p =
        std::string(name).find(".gz") != std::string::npos ? dir.write_gz(name, text) : dir.write(name, text);
    Dataset ds = read_files_ok({p}, {}, &rep);
    CHECK(ds.num_events() == 1);
    CHECK(rep.skipped == 1);
  }
  // format=jsonl forces it; format=csv reads the same text as delimited.
  ReadOptions o;
  o.format = "jsonl";
  CHECK(read_events_text("user,item\n1,2\n", "x.csv", o).status().code() == StatusCode::kParseError);
  o.format = "bogus";
  CHECK(read_events_text(line, "x.jsonl", o).status().message().find("auto, csv, text or jsonl") != std::string::npos);
  // CRLF line ends and a gzip copy give the same dataset.
  Dataset plain = read_files_ok({fixture("otto_head2.jsonl")});
  std::ifstream f(fixture("otto_head2.jsonl"));
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>()), crlf;
  for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  Dataset gz = read_files_ok({dir.write_gz("otto.jsonl.gz", crlf)});
  CHECK(gz.item_ids == plain.item_ids);
  CHECK(gz.num_events() == plain.num_events());
}

TEST_CASE("Paths: a directory or a glob gives its files in name order", "[data][paths]") {
  TempDir dir;
  dir.write("shards/events_20231002.jsonl", "{\"user_id\":\"u\",\"item_id\":\"b\",\"ts\":1696204800}\n");
  dir.write("shards/events_20231001.jsonl", "{\"user_id\":\"u\",\"item_id\":\"a\",\"ts\":1696204800}\n");
  dir.write_gz("shards/events_20231003.jsonl.gz", "{\"user_id\":\"u\",\"item_id\":\"c\",\"ts\":1696204800}\n");
  dir.write("shards/.hidden.jsonl", "{\"user_id\":\"u\",\"item_id\":\"hidden\"}\n");
  dir.write("shards/notes.txt", "w x\n");
  fs::create_directories(dir.path / "shards" / "sub");
  const std::string shards = (dir.path / "shards").string();
  ReadReport rep;
  // Equal times keep the file order, so the sequence shows the order the files were read in.
  Dataset all = read_files_ok({shards}, {}, &rep);
  CHECK(items_of(all, "u") == std::vector<std::string>{"a", "b", "c"});
  CHECK(rep.file_notes.size() == 4);  // notes.txt too (SASRec text, user w), no dot file, no folder
  CHECK(all.user_ids.size() == 2);
  Dataset globbed = read_files_ok({shards + "/events_*.jsonl*"}, {}, &rep);
  CHECK(items_of(globbed, "u") == std::vector<std::string>{"a", "b", "c"});
  CHECK(rep.file_notes.size() == 3);
  // "#action=" applies to every file of the pattern.
  Dataset bought = read_files_ok({shards + "/events_2023100[12].jsonl#action=purchase"});
  CHECK(bought.action_names == std::vector<std::string>{"purchase"});
  CHECK(bought.num_events() == 2);
  // Errors: an empty directory, a pattern without matches, a missing file.
  fs::create_directories(dir.path / "empty");
  auto r = read_events({(dir.path / "empty").string()}, {});
  CHECK(r.status().code() == StatusCode::kIoError);
  CHECK(r.status().message().find("holds no files") != std::string::npos);
  r = read_events({shards + "/nothing_*.jsonl"}, {});
  CHECK(r.status().code() == StatusCode::kIoError);
  CHECK(r.status().message().find("no file matches") != std::string::npos);
  r = read_events({shards + "/missing.jsonl"}, {});
  CHECK(r.status().code() == StatusCode::kIoError);
}

TEST_CASE("CSV: the analytics tools' header names are guessed", "[data][csv]") {
  ReadReport rep;
  read_ok("event_date,event_timestamp,event_name,user_pseudo_id,item_id\n20231001,1696118400000000,view_item,g1,a\n",
          {}, &rep, "ga4.csv");
  CHECK(rep.file_notes[0] ==
        "ga4.csv: csv ',' header user=user_pseudo_id item=item_id action=event_name time=event_timestamp "
        "(us, detected)");
  read_ok("anonymous_id,product_id,event,timestamp\na1,p1,Product Viewed,2023-10-01T10:00:00Z\n", {}, &rep, "s.csv");
  CHECK(rep.file_notes[0] == "s.csv: csv ',' header user=anonymous_id item=product_id action=event time=timestamp");
  read_ok("domain_userid;itemid;event_type;event_time\nd1;i1;view;2023-10-01 10:00:00 UTC\n", {}, &rep, "p.csv");
  CHECK(rep.file_notes[0] == "p.csv: csv ';' header user=domain_userid item=itemid action=event_type time=event_time");
  Dataset ds = read_ok("timestamp,visitorid,event,itemid\n1433221332117,257597,view,355908\n", {}, &rep, "rr.csv");
  CHECK(ds.user_ids == std::vector<std::string>{"257597"});
  CHECK(ds.sequences[0][0].time == 1433221332);
  // A user and a session column: the user is the sequence key unless the columns say otherwise.
  const std::string both = "session_id,user_id,item_id\ns1,u1,a\ns2,u1,b\n";
  CHECK(read_ok(both, {}, nullptr, "t.csv").user_ids == std::vector<std::string>{"u1"});
  ReadOptions o;
  o.columns = "user=session_id,item=item_id";
  CHECK(read_ok(both, o, nullptr, "t.csv").user_ids == std::vector<std::string>{"s1", "s2"});
  // Alternatives pick the column a file has, so one --columns reads files that spell it differently.
  o.columns = "user=session_id|sessionId,item=item_id|itemId";
  CHECK(read_ok("sessionId;itemId\n9;x\n", o, nullptr, "t.csv").user_ids == std::vector<std::string>{"9"});
}

TEST_CASE("drop_unmapped_actions drops and counts the events of other actions", "[data][csv]") {
  ReadOptions o;
  o.actions = "1=view,2=purchase";
  o.drop_unmapped_actions = true;
  ReadReport rep;
  Dataset ds = read_ok("user,item,type\nu,a,1\nu,b,3\nu,c,2\nv,d,4\n", o, &rep, "t.csv");
  CHECK(items_of(ds, "u") == std::vector<std::string>{"a", "c"});
  CHECK(ds.user_ids == std::vector<std::string>{"u"});  // v had only a dropped event
  CHECK(rep.dropped == 2);
  CHECK(rep.events == 2);
  CHECK(rep.skipped == 0);
  // Everything dropped: no events, and the error says why.
  o.actions = "9=view";
  auto none = read_events_text("user,item,type\nu,a,1\n", "t.csv", o);
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().message().find("all 1 events were dropped: their actions are not mapped") != std::string::npos);
  // A "#action=" file has no action column to drop by.
  CHECK(read_ok("user,item,type\nu,a,1\n", o, &rep, "t.csv#action=cart").num_events() == 1);
}
