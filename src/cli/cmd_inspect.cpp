// `forecart inspect`: what a model file holds (config, catalogue, sizes, checksum, tensors).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "format/fcm.h"

namespace forecart::cli {

namespace {

struct InspectArgs {
  std::string model;
  bool json = false;
};

int run_inspect(const InspectArgs& a) {
  std::ifstream in(a.model, std::ios::binary);
  if (!in) throw CliError("cannot open '" + a.model + "'");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<ModelFileInfo> info = inspect_model(bytes.data(), bytes.size());
  if (!info.ok()) throw CliError(a.model + ": " + info.status().to_string());
  Result<Model> model = read_model(bytes.data(), bytes.size());
  if (!model.ok()) throw CliError(a.model + ": " + model.status().to_string());
  const ModelFileInfo& f = info.value();
  const Model& m = model.value();
  const ModelConfig& c = m.config;

  nlohmann::ordered_json j;
  j["file"] = a.model;
  j["format_version"] = f.version;
  j["file_bytes"] = f.file_size;
  j["checksum_xxh64"] = fmt::format("{:016x}", f.checksum);
  j["weights"] = f.quantized ? "int8" : "fp32";
  j["config"] = {{"num_items", c.num_items},
                 {"num_actions", c.num_actions},
                 {"dim", c.dim},
                 {"layers", c.layers},
                 {"heads", c.heads},
                 {"ffn_dim", c.ffn_dim},
                 {"max_len", c.max_len},
                 {"time_buckets", c.time_buckets},
                 {"activation", c.activation == Activation::kRelu ? "relu" : "gelu"},
                 {"norm_eps", c.norm_eps}};
  j["actions"] = m.meta.action_names;
  j["categories"] = m.meta.category_names.size();
  std::vector<std::string> first(m.meta.item_ids.begin(),
                                 m.meta.item_ids.begin() + std::min<size_t>(5, m.meta.item_ids.size()));
  j["items"] = {{"count", m.meta.item_ids.size()}, {"first", first}};
  uint64_t params = 0, tensor_bytes = 0;
  j["tensors"] = nlohmann::ordered_json::array();
  for (const auto& t : f.tensors) {
    uint64_t n = 1;
    for (auto s : t.shape) n *= s;
    params += n;
    tensor_bytes += t.nbytes;
    j["tensors"].push_back(
        {{"name", t.name}, {"dtype", t.dtype == 1 ? "q8_row" : "f32"}, {"shape", t.shape}, {"bytes", t.nbytes}});
  }
  j["parameters"] = params;
  j["tensor_bytes"] = tensor_bytes;
  // The weights alone (every tensor's bytes in table order): equal for two files that differ only
  // in their model card or format version.
  XXH64_state_t* h = XXH64_createState();
  XXH64_reset(h, 0);
  for (const auto& t : f.tensors) XXH64_update(h, bytes.data() + t.offset, t.nbytes);
  j["weights_xxh64"] = fmt::format("{:016x}", XXH64_digest(h));
  XXH64_freeState(h);
  j["sections"] = nlohmann::ordered_json::array();
  for (const auto& s : f.sections)
    j["sections"].push_back(
        {{"tag", s.tag}, {"skippable", (s.flags & kFcmSectionSkippable) != 0}, {"bytes", s.nbytes}});
  const EvidenceParams& ev = m.evidence.params;
  if (m.evidence.active())
    j["evidence"] = {{"follow_entries", m.evidence.follow.items.size()},
                     {"follow_bump", ev.follow_bump},
                     {"follow_slope", ev.follow_slope},
                     {"repeat_bump", ev.repeat_bump},
                     {"repeat_slope", ev.repeat_slope},
                     {"repeat_decay", ev.repeat_decay}};
  const ActionHead& ah = m.action_head;
  if (ah.active()) {
    std::map<std::string, float> prior;
    for (size_t i = 0; i < ah.actions; ++i) prior[m.meta.action_names[i]] = ah.marginal[i];
    j["action_head"] = {{"alpha", ah.alpha}, {"temperature", ah.temperature}, {"marginal", prior}};
  }
  const nlohmann::ordered_json card = nlohmann::ordered_json::parse(m.meta.card, nullptr, false);
  if (!m.meta.card.empty()) j["card"] = card.is_discarded() ? nlohmann::ordered_json(m.meta.card) : card;

  if (a.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << fmt::format("{}: forecart model, format v{}, {} bytes, xxh64 {}\n", a.model, f.version, f.file_size,
                           j["checksum_xxh64"].get<std::string>());
  std::cout << fmt::format("  weights {}  dim {}  layers {}  heads {}  ffn {}  max_len {}  time_buckets {}  {}\n",
                           f.quantized ? "int8" : "fp32", c.dim, c.layers, c.heads, c.ffn_dim, c.max_len,
                           c.time_buckets, c.activation == Activation::kRelu ? "relu" : "gelu");
  std::cout << fmt::format("  items {}  categories {}  actions {}\n", c.num_items, m.meta.category_names.size(),
                           fmt::join(m.meta.action_names, ","));
  std::cout << fmt::format("  parameters {}  tensor bytes {}  weights xxh64 {}\n", params, tensor_bytes,
                           j["weights_xxh64"].get<std::string>());
  for (const auto& t : f.tensors)
    std::cout << fmt::format("    {:<20} {:<7} [{}] {} bytes\n", t.name, t.dtype == 1 ? "q8_row" : "f32",
                             fmt::join(t.shape, ","), t.nbytes);
  for (const auto& s : f.sections)
    std::cout << fmt::format("  section tag {} ({}), {} bytes\n", s.tag,
                             s.flags & kFcmSectionSkippable ? "skippable" : "required", s.nbytes);
  if (m.evidence.active())
    std::cout << fmt::format(
        "  evidence: follow {:+.2f} {:+.2f} ln F ({} entries), repeat {:+.2f} {:+.2f} ln R (decay {:.2f})\n",
        ev.follow_bump, ev.follow_slope, m.evidence.follow.items.size(), ev.repeat_bump, ev.repeat_slope,
        ev.repeat_decay);
  if (ah.active()) {
    std::vector<std::string> prior;
    for (size_t i = 0; i < ah.actions; ++i)
      prior.push_back(fmt::format("{} {:.4f}", m.meta.action_names[i], ah.marginal[i]));
    std::cout << fmt::format("  action head: prior + {:.2f} x correction, temperature {:.2f}; empty history: {}\n",
                             ah.alpha, ah.temperature, fmt::join(prior, ", "));
  }
  if (!m.meta.card.empty()) std::cout << "  card " << m.meta.card << "\n";
  return 0;
}

}  // namespace

Command add_inspect(CLI::App& app) {
  auto a = std::make_shared<InspectArgs>();
  CLI::App* sub = app.add_subcommand("inspect", "Show a model file's config, catalogue, sizes and checksum");
  sub->add_option("model", a->model, "Model file (.fcm)")->required();
  sub->add_flag("--json", a->json, "Print JSON");
  return {sub, [a]() { return run_inspect(*a); }};
}

}  // namespace forecart::cli
