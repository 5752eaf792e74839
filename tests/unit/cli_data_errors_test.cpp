// `forecart train` on event files it cannot use: an empty file, a header without data, a file whose every line
// fails, a mapped column that is missing, a gzip that ends early, a line over the reader's limit, a missing file,
// bad time options. Each must be one line on stderr naming the file (and the line where there is one) and the
// reason, exit with a code in 1-127, and write no model and no training log.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_run.h"
#include "data/line_reader.h"
#include "data_test_util.h"

namespace fs = std::filesystem;

namespace {

using Run = forecart::test::CliRun;
using Scratch = forecart::test::TempDir;

// Runs `forecart train ARGS --out DIR/m.fcm` (tiny model) and checks what every failure must satisfy.
Run train_fails(const Scratch& dir, const std::string& args) {
  const std::string out = dir.file("m.fcm");
  const std::string cmd = "train " + args + " --out " + out + " --epochs 1 --dim 8 --layers 1 --max-len 4";
  Run r = forecart::test::run_cli(cmd);
  INFO(cmd << "\n" << r.err);
  CHECK(r.code >= 1);
  CHECK(r.code <= 127);
  CHECK(r.err.rfind("forecart: error: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(dir.file("m.train.json")));
  return r;
}

bool has(const Run& r, const std::string& part) {
  INFO(r.err << " should contain: " << part);
  return r.err.find(part) != std::string::npos;
}

std::string lines(int n) {
  std::string s = "user,item,time\n";
  for (int i = 0; i < n; ++i)
    s += "u" + std::to_string(i % 40) + ",i" + std::to_string(i % 97) + "," + std::to_string(1600000000 + i) + "\n";
  return s;
}

}  // namespace

TEST_CASE("cli errors: empty file, header only, every line malformed", "[cli][data-errors]") {
  Scratch dir;
  const std::string empty = dir.write("empty.csv", "");
  Run r = train_fails(dir, "--data " + empty);
  CHECK(has(r, "no events read from " + empty + ": the file is empty"));

  const std::string blank = dir.write("blank.csv", "\n \r\n\n");
  r = train_fails(dir, "--data " + blank + " --data " + empty);
  CHECK(has(r, "the files are empty"));

  const std::string header = dir.write("header.csv", "user_id,item_id,timestamp\r\n");
  r = train_fails(dir, "--data " + header);
  CHECK(has(r, header + ": no data lines (only a header)"));

  const std::string bad = dir.write("bad.csv", "user,item,time\nu,a,soon\nu,b,2019-13-01\n,c,1600000000\n");
  r = train_fails(dir, "--data " + bad);
  CHECK(has(r, "all 3 data lines are malformed; first: " + bad + ":2: time column \"time\": \"soon\" is not a time"));
  r = train_fails(dir, "--data " + bad + " --strict");
  CHECK(has(r, bad + ":2: time column \"time\": \"soon\" is not a time"));

  // GA4 microseconds read as milliseconds: every event would land tens of thousands of years ahead.
  const std::string ga4 = dir.write("ga4.csv",
                                    "user_pseudo_id,item_id,event_timestamp\nu,a,1696118400123456\n"
                                    "u,b,1696118400223456\nu,c,1696118400323456\n");
  r = train_fails(dir, "--data " + ga4 +
                           " --columns user=user_pseudo_id,item=item_id,time=event_timestamp"
                           " --time-unit ms");
  CHECK(has(r, ga4 + ":2: time column \"event_timestamp\": \"1696118400123456\" lands in 55717 (outside "
                     "1995-2100); wrong --time-unit?"));
}

TEST_CASE("cli errors: a mapped column missing from the header", "[cli][data-errors]") {
  Scratch dir;
  const std::string f = dir.write("events.csv", lines(20));
  Run r = train_fails(dir, "--data " + f + " --columns user=user,item=item,time=ts");
  CHECK(has(r, f + ":1: time column 'ts' is not in the header 'user,item,time'"));
  r = train_fails(dir, "--data " + f + " --columns user=customer,item=item");
  CHECK(has(r, f + ":1: user column 'customer' is not in the header"));
  const std::string nouser = dir.write("nouser.csv", "who,item_id\n1,2\n");
  r = train_fails(dir, "--data " + nouser);
  CHECK(has(r, nouser + ":1: cannot find the user column in the header"));
}

TEST_CASE("cli errors: a gzip that ends early, a missing file", "[cli][data-errors]") {
  Scratch dir;
  const std::string full = dir.write_gz("full.csv.gz", lines(50000));
  std::ifstream in(full, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = dir.write("cut.csv.gz", bytes.substr(0, bytes.size() / 2));
  Run r = train_fails(dir, "--data " + cut);
  CHECK(has(r, "io_error: " + cut + ":"));
  CHECK(has(r, ": cannot read: unexpected end of file (the gzip data ends early"));
  // The line number is where the data stopped: past the first line, before the last.
  const size_t at = r.err.find(cut + ":") + cut.size() + 1;
  const long line = std::stol(r.err.substr(at));
  CHECK(line > 1);
  CHECK(line < 50002);

  const std::string missing = dir.file("missing.csv");
  r = train_fails(dir, "--data " + missing);
  CHECK(has(r, "cannot open '" + missing + "'"));
}

TEST_CASE("cli errors: a line over the reader's limit is an error, not an allocation", "[cli][data-errors]") {
  Scratch dir;
  const size_t limit = forecart::data::detail::kMaxLineBytes;
  std::string text = "user,item\nu,a\n";
  text.append(limit + 1, 'x');
  text += "\nu,b\n";
  const std::string f = dir.write("long.csv", text);
  text.clear();
  Run r = train_fails(dir, "--data " + f);
  CHECK(has(r, f + ":3: line longer than 64 MiB"));
  // Exactly at the limit is still a line (here a malformed one: one field).
  std::string at_limit = "user,item\nu,a\nu,b\nv,c\n";
  at_limit.append(limit, 'y');
  at_limit += "\n";
  const std::string ok = dir.write("at_limit.csv", at_limit);
  at_limit.clear();
  r = train_fails(dir, "--data " + ok + " --strict");
  CHECK(has(r, ok + ":5: expected 2 fields, found 1"));
}

TEST_CASE("cli errors: bad time options are one-line usage errors", "[cli][data-errors]") {
  Scratch dir;
  const std::string f = dir.write("events.csv", lines(20));
  CHECK(has(train_fails(dir, "--data " + f + " --time-unit minutes"), "--time-unit"));
  CHECK(has(train_fails(dir, "--data " + f + " --time-zone Mars/Olympus"), "time zone 'Mars/Olympus': no such zone"));
  CHECK(has(train_fails(dir, "--data " + f + " --time-format %Q"), "time format '%Q': unsupported directive %Q"));
}
