// Tests for the synthetic log generator (data/synth_log.h): the CSV and JSON Lines it writes read back to the
// same dataset with the asked number of events, the same seed gives the same bytes, the log has the shape it
// promises (power-law popularity, repeats, the view -> cart -> purchase funnel), and bad options fail.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "data/synth_log.h"
#include "data_test_util.h"

using namespace forecart::data;
using namespace forecart::test;

namespace {

std::string bytes_of(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

SynthLogOptions small(const std::string& format) {
  SynthLogOptions o;
  o.events = 20000;
  o.items = 5000;
  o.categories = 50;
  o.format = format;
  return o;
}

}  // namespace

TEST_CASE("synth-log: CSV and JSON Lines read back to the same dataset", "[data][synth]") {
  TempDir dir;
  SynthLogReport csv_rep, json_rep;
  const std::string csv = dir.file("log.csv"), jsonl = dir.file("log.jsonl.gz");
  REQUIRE(write_synth_log(csv, small("csv"), &csv_rep).ok());
  REQUIRE(write_synth_log(jsonl, small("jsonl"), &json_rep).ok());
  CHECK(csv_rep.events == 20000);
  CHECK(csv_rep.users == json_rep.users);
  ReadReport r1, r2;
  const Dataset a = read_files_ok({csv}, {}, &r1), b = read_files_ok({jsonl}, {}, &r2);
  check_invariants(a);
  CHECK(a.num_events() == 20000);
  CHECK(r1.skipped == 0);
  CHECK(r2.skipped == 0);
  CHECK(a.user_ids == b.user_ids);
  CHECK(a.item_ids == b.item_ids);
  CHECK(a.category_names == b.category_names);
  REQUIRE(a.sequences.size() == b.sequences.size());
  size_t differ = 0;  // counted in plain code and asserted once
  for (size_t u = 0; u < a.sequences.size(); ++u) {
    differ += a.sequences[u].size() != b.sequences[u].size();
    for (size_t i = 0; i < std::min(a.sequences[u].size(), b.sequences[u].size()); ++i)
      differ += a.sequences[u][i].item != b.sequences[u][i].item || a.sequences[u][i].time != b.sequences[u][i].time ||
                a.action_names[a.sequences[u][i].action] != b.action_names[b.sequences[u][i].action];
  }
  CHECK(differ == 0);

  // The promised shape.
  const auto actions = action_counts(a);
  REQUIRE(actions.size() == 3);
  CHECK(actions.at("cart") > actions.at("purchase"));
  CHECK(actions.at("view") > 10 * actions.at("cart"));
  const auto view =
      static_cast<uint32_t>(std::find(a.action_names.begin(), a.action_names.end(), "view") - a.action_names.begin());
  std::map<uint32_t, size_t> per_item;
  size_t repeats = 0;  // views of an item the user viewed before
  for (const auto& seq : a.sequences)
    for (size_t i = 0; i < seq.size(); ++i) {
      ++per_item[seq[i].item];
      if (seq[i].action != view) continue;
      for (size_t j = 0; j < i; ++j)
        if (seq[j].item == seq[i].item && seq[j].action == view) {
          ++repeats;
          break;
        }
    }
  size_t top = 0;
  for (const auto& [item, n] : per_item) top = std::max(top, n);
  CHECK(top > 100);  // rank 1 of a power law: far above the 4 events of a uniform catalogue
  CHECK(repeats > 1000);
}

TEST_CASE("synth-log: the same seed gives the same bytes, bad options fail", "[data][synth]") {
  TempDir dir;
  REQUIRE(write_synth_log(dir.file("a.csv"), small("csv"), nullptr).ok());
  REQUIRE(write_synth_log(dir.file("b.csv"), small("csv"), nullptr).ok());
  SynthLogOptions other = small("csv");
  other.seed = 2;
  REQUIRE(write_synth_log(dir.file("c.csv"), other, nullptr).ok());
  CHECK(bytes_of(dir.file("a.csv")) == bytes_of(dir.file("b.csv")));
  CHECK(bytes_of(dir.file("a.csv")) != bytes_of(dir.file("c.csv")));

  SynthLogOptions bad = small("xml");
  CHECK(write_synth_log(dir.file("d"), bad, nullptr).code() == forecart::StatusCode::kInvalidArgument);
  bad = small("csv");
  bad.categories = bad.items + 1;
  CHECK(write_synth_log(dir.file("d"), bad, nullptr).code() == forecart::StatusCode::kInvalidArgument);
  bad = small("csv");
  bad.repeat = 0.7;
  CHECK(write_synth_log(dir.file("d"), bad, nullptr).code() == forecart::StatusCode::kInvalidArgument);
  CHECK(write_synth_log(dir.file("no/such/dir/x.csv"), small("csv"), nullptr).code() == forecart::StatusCode::kIoError);
}
