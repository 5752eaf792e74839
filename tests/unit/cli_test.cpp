// The `forecart` binary end to end: JSON output of predict/inspect, --help everywhere, and errors
// as one line on stderr with an exit code below 128.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_run.h"
#include "format/fcm.h"
#include "model/session.h"
#include "test_util.h"

using namespace forecart;

namespace {

using Run = test::CliRun;
using test::run_cli;

std::string write_test_model(bool quantize) {
  Model m = test::random_model(test::tiny_config(50), 77, quantize);
  m.meta.item_ids[9] = "id:with,punct";
  m.build_index();
  const std::string path =
      std::string(quantize ? "cli_test_int8." : "cli_test_fp32.") + std::to_string(getpid()) + ".fcm";
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

TEST_CASE("cli: empty history falls back to popularity, and history JSON takes odd ids and times", "[cli]") {
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
      "",                                                    // no subcommand
      "frobnicate",                                          // unknown subcommand
      "predict --history a",                                 // no model
      "predict --model missing.fcm --history a",             // missing file
      "predict --model cli_test_bad.fcm --history a",        // not a model
      "predict --model MODEL --history 'sku-1:teleport'",    // unknown action
      "predict --model MODEL",                               // no history
      "predict --model MODEL --history a --history-json x",  // both
      "predict --model MODEL --history ',,'",                // empty entries
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
  const std::string flags =
      std::string(" --data ") + FORECART_TEST_DIR +
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
  for (const std::string& f : {"cli_full." + tag + ".train.json", "cli_resumed." + tag + ".train.json"})
    std::remove(f.c_str());
}

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("cli: synth writes a random model of the asked shape that read_model loads", "[cli][synth]") {
  const std::string tag = std::to_string(getpid());
  const std::string int8 = "cli_synth_int8." + tag + ".fcm", fp32 = "cli_synth_fp32." + tag + ".fcm";
  const std::string like = "cli_synth_like." + tag + ".fcm";
  const std::string shape =
      " --items 30 --dim 8 --layers 1 --heads 2 --ffn-dim 24 --max-len 6 --time-buckets 5"
      " --actions view,cart,buy --activation relu --seed 3";
  Run r = run_cli("synth --out " + int8 + shape);
  INFO(r.err);
  REQUIRE(r.code == 0);
  REQUIRE(run_cli("synth --fp32 --out " + fp32 + shape).code == 0);
  Result<Model> m = read_model_file(int8);
  REQUIRE(m.ok());
  const ModelConfig& c = m.value().config;
  REQUIRE(c.num_items == 30);
  REQUIRE(c.dim == 8);
  REQUIRE(c.layers == 1);
  REQUIRE(c.heads == 2);
  REQUIRE(c.ffn_dim == 24);
  REQUIRE(c.max_len == 6);
  REQUIRE(c.time_buckets == 5);
  REQUIRE(c.activation == Activation::kRelu);
  REQUIRE(m.value().items.quantized);
  REQUIRE(m.value().meta.action_names == std::vector<std::string>{"view", "cart", "buy"});
  REQUIRE(m.value().meta.item_ids.front() == "synth-1");
  REQUIRE(m.value().meta.item_ids.back() == "synth-30");
  REQUIRE(m.value().item_index("synth-7") == 7);

  // The fp32 file is the int8 file's twin: the same weights, unquantized.
  Result<Model> f = read_model_file(fp32);
  REQUIRE(f.ok());
  REQUIRE_FALSE(f.value().items.quantized);
  Model f8 = f.take();
  round_trip_int8(f8);
  REQUIRE(f8.items.q8.data == m.value().items.q8.data);
  REQUIRE(f8.items.q8.scales == m.value().items.q8.scales);
  REQUIRE(f8.rest.arena == m.value().rest.arena);

  // --like copies the config and action names; --items alone changes; without --items, nothing does.
  REQUIRE(run_cli("synth --like " + int8 + " --items 12 --out " + like).code == 0);
  Result<Model> l = read_model_file(like);
  REQUIRE(l.ok());
  ModelConfig want = c;
  want.num_items = 12;
  const ModelConfig& got = l.value().config;
  REQUIRE((got.num_items == 12 && got.dim == want.dim && got.layers == want.layers && got.heads == want.heads &&
           got.ffn_dim == want.ffn_dim && got.max_len == want.max_len && got.time_buckets == want.time_buckets &&
           got.activation == want.activation && got.num_actions == want.num_actions));
  REQUIRE(l.value().meta.action_names == m.value().meta.action_names);
  REQUIRE(l.value().meta.item_ids.size() == 12);
  REQUIRE(run_cli("synth --seed 3 --like " + int8 + " --out " + like).code == 0);
  REQUIRE(file_bytes(like) == file_bytes(int8));  // same shape and seed: the same file

  Run j = run_cli("inspect --json " + like);
  REQUIRE(j.code == 0);
  REQUIRE(nlohmann::json::parse(j.out)["format_version"] == kFcmVersion);
  for (const std::string& p : {int8, fp32, like}) std::remove(p.c_str());
}

TEST_CASE("cli: synth with the same seed gives the same bytes", "[cli][synth]") {
  const std::string tag = std::to_string(getpid());
  const std::string a = "cli_synth_a." + tag + ".fcm", b = "cli_synth_b." + tag + ".fcm";
  const std::string shape = " --items 200 --dim 16 --layers 2 --max-len 8";
  for (const char* weights : {"", " --fp32"}) {
    REQUIRE(run_cli("synth --seed 11 --out " + a + shape + weights).code == 0);
    REQUIRE(run_cli("synth --seed 11 --out " + b + shape + weights).code == 0);
    REQUIRE(file_bytes(a) == file_bytes(b));
    REQUIRE(run_cli("synth --seed 12 --out " + b + shape + weights).code == 0);
    REQUIRE(file_bytes(a) != file_bytes(b));
  }
  for (const std::string& p : {a, b}) std::remove(p.c_str());
}

TEST_CASE("cli: synth --help, and bad synth options give one clear line and an exit code below 128", "[cli][synth]") {
  Run help = run_cli("synth --help");
  REQUIRE(help.code == 0);
  REQUIRE(help.out.find("--like") != std::string::npos);

  const std::string tag = std::to_string(getpid());
  const std::string model = "cli_synth_base." + tag + ".fcm", out = "cli_synth_bad." + tag + ".fcm";
  REQUIRE(run_cli("synth --items 5 --dim 8 --out " + model).code == 0);
  const std::pair<const char*, const char*> bad[] = {
      {"synth --items 5", "--out"},                                       // no output
      {"synth --out OUT --dim 10 --heads 3", "multiple of heads"},        // heads do not divide dim
      {"synth --out OUT --items 0", "--items"},                           // no items
      {"synth --out OUT --layers 17", "--layers"},                        // over the limit
      {"synth --out OUT --actions view,view", "duplicate"},               // duplicate action names
      {"synth --out OUT --like missing.fcm", "missing.fcm"},              // no such model
      {"synth --out OUT --like MODEL --dim 8", "--like excludes --dim"},  // --like copies the shape
      {"synth --out OUT --items 4000000 --dim 1024", "file limit"},       // a file over 1 GiB
      {"synth --out no-such-dir/x.fcm --items 5", "no-such-dir"},         // cannot write
  };
  for (const auto& [args, says] : bad) {
    std::string a = args;
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"OUT", out}, {"MODEL", model}}) {
      const size_t at = a.find(from);
      if (at != std::string::npos) a.replace(at, from.size(), to);
    }
    Run r = run_cli(a);
    INFO(a << " -> " << r.code << ": " << r.err);
    REQUIRE(r.code > 0);
    REQUIRE(r.code < 128);
    REQUIRE(r.out.empty());
    REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    REQUIRE(r.err.rfind("forecart: error: ", 0) == 0);
    REQUIRE(r.err.find(says) != std::string::npos);
    REQUIRE_FALSE(std::ifstream(out).good());  // nothing written
  }
  std::remove(model.c_str());
}

TEST_CASE("cli: train fits the evidence into the model and its fp32 twin, eval --evidence none is the model alone",
          "[cli][train][evidence]") {
  const std::string tag = std::to_string(getpid());
  const std::string data =
      std::string(" --data ") + FORECART_TEST_DIR +
      "/fixtures/taobao_users200.csv --no-header --columns user=0,item=1,category=2,action=3,time=4";
  const std::string flags = data + " --dim 8 --layers 1 --max-len 8 --epochs 2 --threads 2";
  const std::string with = "cli_ev." + tag + ".fcm", twin = "cli_ev32." + tag + ".fcm",
                    alone = "cli_noev." + tag + ".fcm";
  Run t = run_cli("train" + flags + " --out " + with + " --fp32-twin " + twin);
  INFO(t.err);
  REQUIRE(t.code == 0);
  CHECK(t.err.find("evidence: follow") != std::string::npos);
  Result<Model> m8 = read_model_file(with), m32 = read_model_file(twin);
  REQUIRE(m8.ok());
  REQUIRE(m32.ok());
  CHECK(m8.value().items.quantized);
  CHECK_FALSE(m32.value().items.quantized);
  const EvidenceParams &p8 = m8.value().evidence.params, &p32 = m32.value().evidence.params;
  CHECK(p8.follow_bump == p32.follow_bump);
  CHECK(p8.repeat_bump == p32.repeat_bump);
  CHECK(m8.value().evidence.follow.items == m32.value().evidence.follow.items);
  CHECK(nlohmann::json::parse(m8.value().meta.card).contains("evidence"));
  CHECK(nlohmann::json::parse(m32.value().meta.card)["weights"] == "fp32");
  const auto& names = m8.value().meta.action_names;
  REQUIRE(m8.value().meta.default_action < names.size());
  CHECK(names[m8.value().meta.default_action] == "pv");  // 772 of the fixture's 848 events

  Run n = run_cli("train" + flags + " --no-evidence --out " + alone);
  REQUIRE(n.code == 0);
  CHECK(n.err.find("evidence:") == std::string::npos);
  Result<Model> mn = read_model_file(alone);
  REQUIRE(mn.ok());
  CHECK_FALSE(mn.value().evidence.active());
  auto figures = [&](const std::string& model, const std::string& extra) {
    Run e = run_cli("eval --model " + model + data + " --json" + extra);
    REQUIRE(e.code == 0);
    return nlohmann::json::parse(e.out)["model"]["full"];
  };
  // The fit runs after training: with no fit users held back, the same seed gives the same weights
  // with or without it. By default the fit users' newest training events are held back, so the weights differ.
  const std::string all_users = "cli_ev0." + tag + ".fcm";
  Run t0 = run_cli("train" + flags + " --fit-users 0 --out " + all_users);
  REQUIRE(t0.code == 0);
  auto evidence_line = [](const std::string& err) {
    const size_t at = err.find("evidence: follow");
    return at == std::string::npos ? std::string() : err.substr(at, err.find('\n', at) - at);
  };
  CHECK(evidence_line(t0.err).find("(200 users)") != std::string::npos);  // every validation user
  CHECK(evidence_line(t.err).find("(100 users)") != std::string::npos);   // the fit users: every other one
  CHECK(figures(all_users, " --evidence none") == figures(alone, ""));
  CHECK(figures(with, " --evidence none") != figures(alone, ""));
  Run bad = run_cli("eval --model " + with + data + " --evidence some");
  CHECK((bad.code > 0 && bad.code < 128));
  CHECK(bad.err.find("--evidence") != std::string::npos);
  for (const std::string& f : {with, twin, alone, all_users}) {
    std::remove(f.c_str());
    std::remove((f.substr(0, f.size() - 4) + ".train.json").c_str());
  }
}
