// The `forecart` binary end to end: JSON output of predict/inspect, --help everywhere, and errors
// as one line on stderr with an exit code below 128.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "format/fcm.h"
#include "model/session.h"
#include "test_util.h"

using namespace forecart;

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run_cli(const std::string& args) {
  // ctest runs test cases in parallel processes: every scratch file name carries the pid.
  static int counter = 0;
  const std::string err_path = "cli_test_stderr." + std::to_string(getpid()) + "." + std::to_string(counter++);
  const std::string cmd = std::string(FORECART_CLI) + " " + args + " 2>" + err_path;
  Run r{-1, "", ""};
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  std::remove(err_path.c_str());
  return r;
}

std::string write_test_model(bool quantize) {
  Model m = test::random_model(test::tiny_config(50), 77, quantize);
  m.meta.item_ids[9] = "id:with,punct";
  m.build_index();
  const std::string path = std::string(quantize ? "cli_test_int8." : "cli_test_fp32.") + std::to_string(getpid()) + ".fcm";
  REQUIRE(write_model_file(m, path).ok());
  return path;
}

}  // namespace

TEST_CASE("cli: predict prints the session's items and action probabilities as JSON", "[cli]") {
  const std::string path = write_test_model(true);
  Result<Model> m = read_model_file(path);
  REQUIRE(m.ok());
  Session s(m.value());
  REQUIRE(s.record("sku-3", "view", -1).ok());
  REQUIRE(s.record("sku-8", "cart", -1).ok());
  Prediction expected;
  REQUIRE(s.predict({5, {}, {}, -1}, &expected).ok());

  Run r = run_cli("predict --model " + path + " --history 'sku-3:view,sku-8:cart' -k 5");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["items"].size() == 5);
  for (size_t i = 0; i < 5; ++i) {
    REQUIRE(j["items"][i]["item"] == m.value().meta.item_ids[expected.items[i].index - 1]);
    REQUIRE(j["items"][i]["score"].get<double>() == Approx(expected.items[i].score));
  }
  double total = 0;
  for (auto& [name, p] : j["actions"].items()) total += p.get<double>();
  REQUIRE(total == Approx(1.0));
  REQUIRE(j["actions"].contains("purchase"));

  // --exclude removes the best item; the next one moves up with the same score.
  Run ex = run_cli("predict --model " + path + " --history 'sku-3:view,sku-8:cart' -k 2 --exclude " +
                   j["items"][0]["item"].get<std::string>());
  REQUIRE(ex.code == 0);
  auto je = nlohmann::json::parse(ex.out);
  REQUIRE(je["items"][0]["item"] == j["items"][1]["item"]);

  Run cat = run_cli("predict --model " + path + " --history 'sku-3' -k 50 --category bags");
  REQUIRE(cat.code == 0);
  const auto cat_json = nlohmann::json::parse(cat.out);  // kept alive: the loop iterates into it
  for (auto& it : cat_json["items"]) {
    const uint32_t idx = m.value().item_index(it["item"].get<std::string>());
    REQUIRE(m.value().meta.category_names[m.value().meta.item_category[idx - 1]] == "bags");
  }
}

TEST_CASE("cli: empty history falls back to popularity; history JSON takes odd ids and times", "[cli]") {
  const std::string path = write_test_model(false);
  Run r = run_cli("predict --model " + path + " --history '' -k 3");
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["items"][0]["item"] == "sku-1");  // test models rank popularity by id
  REQUIRE(j["items"][1]["item"] == "sku-2");

  std::ofstream("cli_test_history.json")
      << R"([{"item":"id:with,punct","action":"cart","time":"2024-01-02T03:04:05Z"},)"
      << R"({"item":"unknown-sku","time":1704164700},{"item":"sku-4","action":"purchase","time":1704164800000}])";
  Run h = run_cli("predict --model " + path + " --history-json cli_test_history.json -k 4");
  REQUIRE(h.code == 0);
  REQUIRE(nlohmann::json::parse(h.out)["items"].size() == 4);
}

TEST_CASE("cli: every subcommand has --help", "[cli]") {
  for (const char* sub : {"inspect", "predict"}) {
    Run r = run_cli(std::string(sub) + " --help");
    REQUIRE(r.code == 0);
    REQUIRE(r.out.find("Usage") != std::string::npos);
  }
  REQUIRE(run_cli("--help").code == 0);
}

TEST_CASE("cli: errors are one line on stderr with an exit code below 128", "[cli]") {
  const std::string path = write_test_model(true);
  std::ofstream("cli_test_bad.fcm") << "<html>404</html>";
  std::ofstream("cli_test_bad.json") << "[{\"item\": 5.5}]";
  const char* bad[] = {
      "",                                                      // no subcommand
      "frobnicate",                                            // unknown subcommand
      "predict --history a",                                   // no model
      "predict --model missing.fcm --history a",               // missing file
      "predict --model cli_test_bad.fcm --history a",          // not a model
      "predict --model MODEL --history 'sku-1:teleport'",      // unknown action
      "predict --model MODEL",                                 // no history
      "predict --model MODEL --history a --history-json x",    // both
      "predict --model MODEL --history ',,'",                  // empty entries
      "predict --model MODEL --history-json cli_test_bad.json",
      "predict --model MODEL --history a -k 0",
      "predict --model MODEL --history a --category nope",
      "inspect cli_test_bad.fcm",
  };
  for (const char* args : bad) {
    std::string a = args;
    const size_t at = a.find("MODEL");
    if (at != std::string::npos) a.replace(at, 5, path);
    Run r = run_cli(a);
    INFO(a << " -> " << r.code << ": " << r.err);
    REQUIRE(r.code > 0);
    REQUIRE(r.code < 128);
    REQUIRE(r.out.empty());
    REQUIRE_FALSE(r.err.empty());
  }
  Run one = run_cli("predict --model missing.fcm --history a");
  REQUIRE(std::count(one.err.begin(), one.err.end(), '\n') == 1);
  REQUIRE(one.err.find("missing.fcm") != std::string::npos);
}

TEST_CASE("cli: inspect reports config and checksum", "[cli]") {
  const std::string path = write_test_model(true);
  Run r = run_cli("inspect --json " + path);
  REQUIRE(r.code == 0);
  auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["weights"] == "int8");
  REQUIRE(j["config"]["num_items"] == 50);
  REQUIRE(j["items"]["count"] == 50);
  REQUIRE(j["checksum_xxh64"].get<std::string>().size() == 16);
  REQUIRE(run_cli("inspect " + path).code == 0);
}

TEST_CASE("cli: train killed mid-epoch and resumed gives the same model as an uninterrupted run", "[cli][train]") {
  const std::string tag = std::to_string(getpid());
  const std::string flags = std::string(" --data ") + FORECART_TEST_DIR +
                            "/fixtures/jd_train_head60.csv.gz --columns user=user_id,item=sku_id,action=type,time=action_time"
                            " --dim 16 --max-len 8 --epochs 4 --batch 4 --checkpoint-every 2 --threads 2";
  const std::string full = "cli_full." + tag + ".fcm", resumed = "cli_resumed." + tag + ".fcm";
  REQUIRE(run_cli("train" + flags + " --out " + full).code == 0);
  REQUIRE_FALSE(std::ifstream(full + ".ckpt").good());  // a finished run removes its checkpoint
  auto bytes = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  };
  for (int halt : {5, 7}) {  // mid-epoch checkpoint, and an epoch boundary
    std::remove(resumed.c_str());
    Run killed = run_cli("train" + flags + " --out " + resumed + " --halt-after-steps " + std::to_string(halt));
    REQUIRE(killed.code == 137);
    REQUIRE_FALSE(std::ifstream(resumed).good());  // no half-written model
    REQUIRE(std::ifstream(resumed + ".ckpt").good());
    Run again = run_cli("train" + flags + " --out " + resumed + " --resume");
    INFO(again.err);
    REQUIRE(again.code == 0);
    REQUIRE(bytes(resumed) == bytes(full));
  }
  Run none = run_cli("train" + flags + " --out nothing-here." + tag + ".fcm --resume");
  REQUIRE(none.code == 1);
  REQUIRE(none.err.find("checkpoint") != std::string::npos);
  Run other = run_cli("train" + flags + " --out " + resumed + " --halt-after-steps 3");
  REQUIRE(other.code == 137);
  std::string other_flags = flags;
  other_flags.replace(other_flags.find("--dim 16"), 8, "--dim 8");
  Run mismatch = run_cli("train" + other_flags + " --out " + resumed + " --resume");
  REQUIRE(mismatch.code == 1);
  REQUIRE(mismatch.err.find("other data or options") != std::string::npos);
  for (const std::string& f : {full, resumed})
    for (const char* ext : {"", ".ckpt"}) std::remove((f + ext).c_str());
  for (const std::string& f : {"cli_full." + tag + ".train.json", "cli_resumed." + tag + ".train.json"}) std::remove(f.c_str());
}
