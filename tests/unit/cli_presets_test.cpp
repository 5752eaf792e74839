// The `forecart` binary on each preset's fixture (tests/fixtures/presets/): `train --preset NAME` trains a tiny
// model (dropped events reported), `eval --preset NAME` evaluates it on the same file.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_run.h"
#include "format/fcm.h"

using namespace forecart;

namespace {

using Run = test::CliRun;
using test::run_cli;

struct Expect {
  const char* preset;
  const char* file;
  size_t events, dropped, users, items;
};

// Trains on the fixture with the preset, checks the data report and the model, evaluates it.
void train_and_eval(const Expect& x) {
  const std::string data = std::string(FORECART_TEST_DIR) + "/fixtures/presets/" + x.file;
  const std::string model = std::string("cli_preset_") + x.preset + "." + std::to_string(getpid()) + ".fcm";
  const std::string flags = std::string(" --preset ") + x.preset + " --data " + data;
  Run t = run_cli("train" + flags + " --dim 8 --layers 1 --heads 2 --max-len 8 --epochs 2 --threads 1 --out " + model);
  INFO(t.err);
  REQUIRE(t.code == 0);
  CHECK(t.err.find("data: " + std::to_string(x.events) + " events, " + std::to_string(x.users) + " users, " +
                   std::to_string(x.items) + " items, 3 action type(s)") != std::string::npos);
  const std::string dropped = "data: dropped " + std::to_string(x.dropped) + " event(s) whose action is not mapped";
  CHECK((t.err.find(dropped) != std::string::npos) == (x.dropped > 0));

  Result<Model> m = read_model_file(model);
  REQUIRE(m.ok());
  CHECK(m.value().meta.item_ids.size() == x.items);
  std::vector<std::string> actions = m.value().meta.action_names;
  std::sort(actions.begin(), actions.end());
  CHECK(actions == std::vector<std::string>{"cart", "purchase", "view"});

  Run e = run_cli("eval --model " + model + flags + " --json");
  INFO(e.err);
  REQUIRE(e.code == 0);
  const auto j = nlohmann::json::parse(e.out);
  CHECK(j["items"] == x.items);
  CHECK(j["users"].get<size_t>() >= 1);
  const double ndcg = j["model"]["full"]["ndcg@10"].get<double>();
  CHECK((ndcg >= 0.0 && ndcg <= 1.0));
  std::remove(model.c_str());
  std::remove((model.substr(0, model.size() - 4) + ".train.json").c_str());
}

}  // namespace

TEST_CASE("cli: --preset ga4 trains and evaluates on GA4 export lines", "[cli][presets]") {
  train_and_eval({"ga4", "ga4_events.jsonl", 7, 5, 3, 3});
}

TEST_CASE("cli: --preset segment trains and evaluates on Segment calls", "[cli][presets]") {
  train_and_eval({"segment", "segment_tracks.jsonl", 6, 4, 3, 3});
}

TEST_CASE("cli: --preset snowplow trains and evaluates on Snowplow enriched events", "[cli][presets]") {
  train_and_eval({"snowplow", "snowplow_enriched.jsonl", 5, 4, 2, 3});
}

TEST_CASE("cli: --preset retailrocket trains and evaluates on RetailRocket events.csv", "[cli][presets]") {
  train_and_eval({"retailrocket", "retailrocket_events.csv", 9, 0, 3, 3});
}

TEST_CASE("cli: --preset otto trains and evaluates on OTTO sessions", "[cli][presets]") {
  train_and_eval({"otto", "otto_sessions.jsonl", 9, 0, 3, 4});
}

TEST_CASE("cli: an unknown preset is a usage error, and --format jsonl reads a --data glob", "[cli][presets]") {
  const std::string dir = std::string(FORECART_TEST_DIR) + "/fixtures/presets";
  Run bad = run_cli("eval --model none.fcm --preset nope --data " + dir);
  CHECK(bad.code > 0);
  CHECK(bad.code < 128);
  CHECK(bad.err.find("--preset") != std::string::npos);
  const std::string model = "cli_preset_glob." + std::to_string(getpid()) + ".fcm";
  Run t = run_cli("train --format jsonl --columns user=session,item=aid,action=type,time=ts,events=events --data '" +
                  dir + "/otto_*.jsonl' --dim 8 --layers 1 --epochs 1 --threads 1 --out " + model);
  INFO(t.err);
  REQUIRE(t.code == 0);
  CHECK(t.err.find("jsonl sessions events=events user=session") != std::string::npos);
  std::remove(model.c_str());
  std::remove((model.substr(0, model.size() - 4) + ".train.json").c_str());
}
