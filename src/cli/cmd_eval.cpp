// `forecart eval`: leave-one-out evaluation of a model with baselines computed in the same run.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/data_options.h"
#include "train/eval.h"

namespace forecart::cli {

namespace {

struct EvalArgs {
  std::string model;
  DataArgs data;
  std::string split = "test";
  bool json = false;
  bool mask_seen = false;
  uint64_t seed = 42;
  uint32_t threads = 2;
  std::string evidence = "all";  // which of the model's evidence terms to score with (an ablation)
};

nlohmann::ordered_json full_json(const train::RankMetrics& m) {
  return {{"hr@10", m.hr10}, {"ndcg@10", m.ndcg10}, {"recall@20", m.recall20}, {"mrr@20", m.mrr20}};
}
nlohmann::ordered_json sampled_json(const train::SampledMetrics& m) {
  return {{"hr@10", m.hr10}, {"ndcg@10", m.ndcg10}};
}
nlohmann::ordered_json action_json(const train::EvalReport& r, const train::ActionMetrics& m,
                                   const std::vector<std::string>& names) {
  if (!r.has_actions) return nullptr;
  nlohmann::ordered_json j = {
      {"accuracy", m.accuracy}, {"macro_f1", m.macro_f1}, {"log_loss", m.log_loss}, {"ece", m.ece}};
  j["purchase_auc"] = m.purchase_auc >= 0 ? nlohmann::ordered_json(m.purchase_auc) : nlohmann::ordered_json(nullptr);
  j["per_action"] = nlohmann::ordered_json::object();
  for (size_t a = 0; a < names.size() && a < m.precision.size(); ++a)
    j["per_action"][names[a]] = {{"precision", m.precision[a]}, {"recall", m.recall[a]}};
  j["reliability"] = nlohmann::ordered_json::array();  // 10 confidence bins, lowest first
  for (const auto& b : m.reliability)
    j["reliability"].push_back({{"count", b.count}, {"confidence", b.confidence}, {"accuracy", b.accuracy}});
  return j;
}

int run_eval(const EvalArgs& a) {
  Model model = load_model_or_throw(a.model);
  EvidenceParams& ev = model.evidence.params;
  if (a.evidence == "none" || a.evidence == "repeat") ev.follow_bump = ev.follow_slope = 0.0f;
  if (a.evidence == "none" || a.evidence == "follow") ev.repeat_bump = ev.repeat_slope = 0.0f;
  data::Dataset ds = load_data_or_throw(a.data);
  train::EvalOptions o;
  o.fold = a.split == "valid" ? data::Fold::kValidation : data::Fold::kTest;
  o.mask_seen = a.mask_seen;
  o.seed = a.seed;
  o.threads = a.threads;
  const bool tty = isatty(fileno(stderr));
  o.progress = [tty](size_t done, size_t total) {
    if (tty) fmt::print(stderr, "\reval: {}/{} users", done, total);
  };
  Result<train::EvalReport> r = train::evaluate(model, ds, o);
  if (tty) fmt::print(stderr, "\n");
  if (!r.ok()) throw CliError(r.status().to_string());
  const train::EvalReport& e = r.value();

  std::string data_names;
  for (const auto& f : a.data.files) data_names += (data_names.empty() ? "" : ",") + f;
  nlohmann::ordered_json j;
  j["data"] = data_names;
  j["split"] = a.split;
  j["users"] = e.users;
  j["items"] = e.items;
  j["mask_seen"] = a.mask_seen;
  j["model"] = {{"full", full_json(e.model.full)},
                {"sampled100", sampled_json(e.model.sampled)},
                {"action", action_json(e, e.model_action, model.meta.action_names)}};
  j["baselines"] = nlohmann::ordered_json::object();
  for (const auto& b : e.baselines)
    j["baselines"][b.name] = {{"full", full_json(b.report.full)}, {"sampled100", sampled_json(b.report.sampled)}};
  for (const auto& b : e.action_baselines)
    j["baselines"][b.name] = {{"action", action_json(e, b.metrics, model.meta.action_names)}};
  j["best_baseline"] = {{"hr@10", e.best_baseline(&train::RankMetrics::hr10)},
                        {"ndcg@10", e.best_baseline(&train::RankMetrics::ndcg10)},
                        {"recall@20", e.best_baseline(&train::RankMetrics::recall20)},
                        {"mrr@20", e.best_baseline(&train::RankMetrics::mrr20)}};
  j["model_beats_baselines"] = e.model_beats_baselines();
  if (e.unknown_targets)
    fmt::print(stderr, "eval: {} target item(s) are not in the model's catalogue (counted as misses)\n",
               e.unknown_targets);
  if (a.json) {
    std::cout << j.dump() << "\n";
    return 0;
  }
  fmt::print("{} split, {} users, {} items, {} (pessimistic ranks on ties)\n", a.split, e.users, e.items,
             a.mask_seen ? "history items masked" : "history items not masked");
  fmt::print("{:<14} {:>9} {:>9} {:>10} {:>9} | {:>12} {:>12}\n", "method", "HR@10", "NDCG@10", "Recall@20", "MRR@20",
             "HR@10/s100", "NDCG@10/s100");
  auto row = [](const char* name, const train::MethodReport& m) {
    fmt::print("{:<14} {:>9.4f} {:>9.4f} {:>10.4f} {:>9.4f} | {:>12.4f} {:>12.4f}\n", name, m.full.hr10, m.full.ndcg10,
               m.full.recall20, m.full.mrr20, m.sampled.hr10, m.sampled.ndcg10);
  };
  row("forecart", e.model);
  for (const auto& b : e.baselines) row(b.name.c_str(), b.report);
  fmt::print("(s100: the SASRec sampled protocol, target vs 100 random non-interacted items)\n");
  if (!e.model_beats_baselines())
    fmt::print("warning: the model does not beat every baseline on full-ranking NDCG@10 and HR@10 (best: {} / {})\n",
               e.best_baseline(&train::RankMetrics::ndcg10), e.best_baseline(&train::RankMetrics::hr10));
  if (e.has_actions) {
    auto arow = [](const char* name, const train::ActionMetrics& m) {
      fmt::print("{:<16} {:>8.4f} {:>8.4f} {:>8.4f} {:>8.4f} {:>12}\n", name, m.accuracy, m.macro_f1, m.log_loss, m.ece,
                 m.purchase_auc >= 0 ? fmt::format("{:.4f}", m.purchase_auc) : std::string("n/a"));
    };
    fmt::print("next action      accuracy macro-F1 log-loss      ECE purchase AUC\n");
    arow("forecart", e.model_action);
    for (const auto& b : e.action_baselines) arow(b.name.c_str(), b.metrics);
  }
  return 0;
}

}  // namespace

Command add_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* sub =
      app.add_subcommand("eval", "Leave-one-out evaluation (full ranking, sampled, next action) with baselines");
  sub->add_option("--model", a->model, "Model file (.fcm)")->required();
  add_data_options(sub, &a->data);
  sub->add_option("--split", a->split, "test (last event) or valid (second last)")
      ->check(CLI::IsMember({"test", "valid"}))
      ->capture_default_str();
  sub->add_flag("--json", a->json, "Print the report as JSON on stdout (progress stays on stderr)");
  sub->add_option("--evidence", a->evidence,
                  "Score with the model's evidence terms: all (as shipped), follow or repeat only, or none "
                  "(the model alone): an ablation, the fitted weights are not refitted")
      ->check(CLI::IsMember({"all", "follow", "repeat", "none"}))
      ->capture_default_str();
  sub->add_flag("--mask-seen", a->mask_seen, "Remove the user's history items from the candidates");
  sub->add_option("--seed", a->seed, "Seed of the sampled negatives")->capture_default_str();
  sub->add_option("--threads", a->threads, "Threads")->check(CLI::Range(1, 256))->capture_default_str();
  return {sub, [a]() { return run_eval(*a); }};
}

}  // namespace forecart::cli
