// `forecart train --init-from OLD.fcm` end to end: a model trained on the first part of a log (by time) is
// warm-started on the whole log; the log line and the model card give the items carried over, new and
// removed, and that the int8 source was dequantized; a model of another shape fails with the reason and
// writes nothing.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"
#include "data_test_util.h"

using forecart::test::run_cli;

namespace {

// A tiny model's flags, without --dim.
constexpr const char* kTiny =
    " --columns user=0,item=1,category=2,action=3,time=4 --no-header --layers 1 --heads 2 "
    "--max-len 8 --epochs 1 --threads 1";

// The Taobao fixture's lines with a time before `until`.
std::string lines_before(const std::string& path, long until) {
  std::ifstream in(path);
  std::string line, out;
  while (std::getline(in, line))
    if (std::stol(line.substr(line.rfind(',') + 1)) < until) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("cli: train --init-from carries items over by id and reports the counts", "[cli][warm]") {
  forecart::test::TempDir dir;
  const std::string all = forecart::test::fixture("taobao_users200.csv");
  const std::string early = dir.write("early.csv", lines_before(all, 1511662000));
  const std::string old_model = dir.file("old.fcm"), new_model = dir.file("new.fcm");
  auto first = run_cli("train --data " + early + kTiny + " --dim 8 --out " + old_model);
  INFO(first.err);
  REQUIRE(first.code == 0);

  auto warm = run_cli("train --data " + all + kTiny + " --dim 8 --init-from " + old_model + " --out " + new_model);
  INFO(warm.err);
  REQUIRE(warm.code == 0);
  CHECK(warm.err.find("warm start from " + old_model + ": ") != std::string::npos);
  CHECK(warm.err.find("(its int8 item table dequantized)") != std::string::npos);
  auto info = run_cli("inspect --json " + new_model);
  REQUIRE(info.code == 0);
  const auto card = nlohmann::json::parse(info.out)["card"];
  const auto& init = card["init_from"];
  CHECK(init["model"] == "old.fcm");
  CHECK(init["items_removed"] == 0);  // the early log is part of the whole one
  CHECK(init["items_new"].get<int>() > 0);
  CHECK(init["items_kept"].get<int>() + init["items_new"].get<int>() == card["items"].get<int>());
  CHECK(warm.err.find(std::to_string(init["items_kept"].get<int>()) + " items carried over, " +
                      std::to_string(init["items_new"].get<int>()) + " new, 0 removed") != std::string::npos);

  // Another shape: a one-line error naming the flag and the difference, exit 1-127, no model written.
  const std::string bad = dir.file("bad.fcm");
  auto other = run_cli("train --data " + all + kTiny + " --dim 16 --init-from " + old_model + " --out " + bad);
  CHECK(other.code >= 1);
  CHECK(other.code <= 127);
  CHECK(other.err.find("--init-from: the model has dim 8, this training 16") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(bad));
}
