// `forecart predict`: next items and action probabilities for a given history, as JSON.
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "data/events.h"
#include "model/session.h"

namespace forecart::cli {

namespace {

struct PredictArgs {
  std::string model;
  std::string history;
  bool history_given = false;
  std::string history_json;
  size_t k = 10;
  std::vector<std::string> exclude, allow;
  std::string category;
  bool logits = false;
};

struct HistoryEvent {
  std::string item, action;
  int64_t time = -1;
};

std::vector<HistoryEvent> parse_history_list(const std::string& text, const std::string& default_action) {
  std::vector<HistoryEvent> out;
  if (text.empty()) return out;
  std::stringstream ss(text);
  std::string entry;
  while (std::getline(ss, entry, ',')) {
    if (entry.empty()) throw CliError("--history: empty entry (use --history-json for ids containing ',' or ':')");
    HistoryEvent e;
    const size_t colon = entry.rfind(':');
    e.item = colon == std::string::npos ? entry : entry.substr(0, colon);
    e.action = colon == std::string::npos ? default_action : entry.substr(colon + 1);
    if (e.item.empty()) throw CliError("--history: empty item id in '" + entry + "'");
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<HistoryEvent> parse_history_json(const std::string& path, const std::string& default_action) {
  std::ifstream in(path == "-" ? "/dev/stdin" : path);
  if (!in) throw CliError("--history-json: cannot open '" + path + "'");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) throw CliError("--history-json: expected a JSON array of events");
  std::vector<HistoryEvent> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& ev = j[i];
    const std::string where = "--history-json: event " + std::to_string(i) + ": ";
    if (!ev.is_object() || !ev.contains("item")) throw CliError(where + "expected an object with \"item\"");
    HistoryEvent e;
    const auto& item = ev["item"];
    if (item.is_string()) {
      e.item = item.get<std::string>();
    } else if (item.is_number_integer()) {
      e.item = std::to_string(item.get<int64_t>());
    } else {
      throw CliError(where + "\"item\" must be a string");
    }
    e.action = default_action;
    if (ev.contains("action")) {
      if (!ev["action"].is_string()) throw CliError(where + "\"action\" must be a string");
      e.action = ev["action"].get<std::string>();
    }
    if (ev.contains("time") && !ev["time"].is_null()) {
      const auto& t = ev["time"];
      std::string text = t.is_string() ? t.get<std::string>() : t.is_number() ? t.dump() : "";
      if (text.empty() || !data::parse_time(text, &e.time)) throw CliError(where + "unreadable \"time\"");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<uint32_t> to_indices(const Model& m, const std::vector<std::string>& ids) {
  std::vector<uint32_t> out;
  for (const auto& id : ids) {
    const uint32_t i = m.item_index(id);
    if (i) out.push_back(i);  // ids outside the catalogue cannot be recommended anyway
  }
  return out;
}

int run_predict(const PredictArgs& a) {
  if (a.history_given == !a.history_json.empty()) throw CliError("give exactly one of --history and --history-json", 2);
  Model model = load_model_or_throw(a.model);
  const std::string default_action = model.meta.action_names.at(model.meta.default_action);
  auto history = a.history_json.empty() ? parse_history_list(a.history, default_action)
                                        : parse_history_json(a.history_json, default_action);
  auto session = std::make_unique<Session>(model);
  for (const auto& e : history) {
    Status s = session->record(e.item, e.action, e.time);
    if (!s.ok()) throw CliError("history event '" + e.item + "': " + s.to_string());
  }
  PredictOptions opts;
  opts.k = a.k;
  opts.exclude = to_indices(model, a.exclude);
  opts.allow = to_indices(model, a.allow);
  if (!a.allow.empty() && opts.allow.empty()) throw CliError("--allow: none of the ids is in the model's catalogue");
  if (!a.category.empty()) {
    opts.category = session->category_index(a.category);
    if (opts.category < 0)
      throw CliError(model.meta.category_names.empty() ? "--category: the model has no category table"
                                                       : "--category: unknown category '" + a.category + "'");
  }
  Prediction p;
  check(session->predict(opts, &p));
  nlohmann::ordered_json out;
  out["items"] = nlohmann::ordered_json::array();
  for (const auto& s : p.items)
    out["items"].push_back({{"item", model.meta.item_ids[s.index - 1]}, {"score", s.score}});
  out["actions"] = nlohmann::ordered_json::object();
  for (size_t i = 0; i < p.actions.size(); ++i) out["actions"][model.meta.action_names[i]] = p.actions[i];
  if (a.logits) {  // raw next-item logits of vocab ids 0..N (0 = unknown), for cross-checks with the WASM build
    std::vector<float> logits(model.config.vocab());
    session->logits(logits.data());
    out["logits"] = logits;
  }
  std::cout << out.dump() << "\n";
  return 0;
}

}  // namespace

Command add_predict(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* sub = app.add_subcommand("predict", "Rank the next items and action types for a history (JSON on stdout)");
  sub->add_option("--model", a->model, "Model file (.fcm)")->required();
  sub->add_option_function<std::string>(
         "--history",
         [a](const std::string& v) {
           a->history = v;
           a->history_given = true;
         },
         "Events oldest first: \"sku1:view,sku2:cart,sku3\" (action defaults to the model's first; \"\" = empty "
         "history, which falls back to popularity)")
      ->allow_extra_args(false);
  sub->add_option(
      "--history-json", a->history_json,
      "JSON file ('-' for stdin): [{\"item\":..,\"action\":..,\"time\":..}] (for ids with ':' or ',', and times)");
  sub->add_option("-k,--top", a->k, "Number of items")->check(CLI::Range(1, 100000))->capture_default_str();
  sub->add_option("--exclude", a->exclude, "Item ids never to return (comma separated)")->delimiter(',');
  sub->add_option("--allow", a->allow, "Only rank these item ids (comma separated)")->delimiter(',');
  sub->add_option("--category", a->category, "Only items of this category (models with a category table)");
  sub->add_flag("--logits", a->logits, "Also print the raw logits of the whole vocabulary (index 0 = unknown id)");
  return {sub, [a]() { return run_predict(*a); }};
}

}  // namespace forecart::cli
