// Golden outputs: what the golden v1 model (tests/golden/golden_v1.fcm) predicts for a few fixed
// histories, pinned in tests/golden/golden_v1_outputs.json: per history the final state, the
// next-action probabilities and the next-item logits (top 20 and the sum over the catalogue).
// Checked in every test build (native, ASan, WASM under Node) within 1e-5 relative (1e-6 absolute
// near zero): native and WASM libm and summation orders differ in the last bits, nothing more.
// A change to GELU, the time buckets, the attention or the scorer shows here even when every
// implementation changes together.
//
// Regenerate only for a deliberate change of what the model computes, and say why in the commit:
//   build/native/tests/forecart_tests "[.generate-outputs]"
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "format/fcm.h"
#include "model/session.h"

#ifndef FORECART_TEST_DIR
#define FORECART_TEST_DIR "/work/main/tests"
#endif

using namespace forecart;

namespace {

const std::string kModel = std::string(FORECART_TEST_DIR) + "/golden/golden_v1.fcm";
const std::string kOutputs = std::string(FORECART_TEST_DIR) + "/golden/golden_v1_outputs.json";

struct Event {
  const char* item;
  const char* action;
  int64_t time;
};

// Empty; one event; an unknown id and time gaps; more events than max_len (6), so the window slides.
const std::vector<std::vector<Event>> kHistories = {
    {},
    {{"sku-001", "view", 1700000000}},
    {{"caf\xc3\xa9-3", "cart", 1700000000}, {"sku-002", "view", 1700000040}, {"not-in-model", "purchase", 1700003600}},
    {{"sku-001", "view", 1700000000},
     {"sku-002", "view", 1700000005},
     {"\xe6\x97\xa5\xe6\x9c\xac-4", "cart", 1700000100},
     {"sku-005", "view", 1700000900},
     {"\xf0\x9f\x91\x9f-6", "view", 1700004000},
     {"sku-007", "purchase", 1700090000},
     {"sku-001", "view", 1700090003},
     {"sku-002", "cart", 1700200000},
     {"sku-005", "view", -1}},
};

Model load_golden() {
  std::ifstream in(kModel, std::ios::binary);
  const std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<Model> m = read_model(b.data(), b.size());
  REQUIRE(m.ok());
  return m.take();
}

nlohmann::json outputs(const Model& m, const std::vector<Event>& history) {
  Session s(m);
  for (const Event& e : history) REQUIRE(s.record(e.item, e.action, e.time).ok());
  const size_t V = m.config.vocab();
  std::vector<float> logits(V);
  s.logits(logits.data());
  Prediction p;
  PredictOptions o;
  REQUIRE(s.predict(o, &p).ok());
  std::vector<uint32_t> ids;
  for (uint32_t i = 1; i < V; ++i) ids.push_back(i);
  std::stable_sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return logits[a] > logits[b]; });
  ids.resize(std::min<size_t>(20, ids.size()));
  nlohmann::json top = nlohmann::json::array();
  double sum = 0;
  for (uint32_t i = 1; i < V; ++i) sum += logits[i];
  for (uint32_t id : ids) top.push_back({{"id", m.meta.item_ids[id - 1]}, {"logit", logits[id]}});
  const float* state = s.predictor().state();
  return {{"logits", {{"top", top}, {"sum", sum}}},
          {"actions", p.actions},
          {"state", std::vector<float>(state, state + m.config.dim)}};
}

void check_close(double got, double want) {
  CHECK(got == Approx(want).epsilon(1e-5).margin(1e-6));
}

}  // namespace

TEST_CASE("generate the golden outputs", "[.generate-outputs]") {
  const Model m = load_golden();
  nlohmann::json j;
  j["comment"] = "Outputs of golden_v1.fcm for fixed histories (tests/unit/golden_outputs_test.cpp).";
  j["histories"] = nlohmann::json::array();
  for (const auto& h : kHistories) {
    nlohmann::json events = nlohmann::json::array();
    for (const Event& e : h) events.push_back({e.item, e.action, e.time});
    nlohmann::json o = outputs(m, h);
    o["events"] = events;
    j["histories"].push_back(o);
  }
  std::ofstream out(kOutputs);
  out << j.dump(1) << "\n";
  REQUIRE(out.good());
  WARN("wrote " << kOutputs);
}

TEST_CASE("the golden model's outputs are as pinned", "[golden]") {
  const Model m = load_golden();
  std::ifstream in(kOutputs);
  REQUIRE(in.good());
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  REQUIRE(!j.is_discarded());
  REQUIRE(j["histories"].size() == kHistories.size());
  for (size_t h = 0; h < kHistories.size(); ++h) {
    INFO("history " << h);
    const nlohmann::json& want = j["histories"][h];
    const nlohmann::json got = outputs(m, kHistories[h]);
    REQUIRE(got["state"].size() == want["state"].size());
    for (size_t i = 0; i < want["state"].size(); ++i) check_close(got["state"][i], want["state"][i]);
    REQUIRE(got["actions"].size() == want["actions"].size());
    for (size_t i = 0; i < want["actions"].size(); ++i) check_close(got["actions"][i], want["actions"][i]);
    check_close(got["logits"]["sum"], want["logits"]["sum"]);
    const nlohmann::json& top = want["logits"]["top"];
    REQUIRE(got["logits"]["top"].size() == top.size());
    Session s(m);
    for (const Event& e : kHistories[h]) REQUIRE(s.record(e.item, e.action, e.time).ok());
    std::vector<float> logits(m.config.vocab());
    s.logits(logits.data());
    for (size_t i = 0; i < top.size(); ++i) {
      // Each pinned id's own logit (two logits within the tolerance may swap places in the order).
      const uint32_t vocab = m.item_index(top[i]["id"].get<std::string>());
      REQUIRE(vocab != 0);
      check_close(logits[vocab], top[i]["logit"]);
      check_close(got["logits"]["top"][i]["logit"], top[i]["logit"]);
    }
  }
}
