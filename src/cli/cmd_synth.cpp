// `forecart synth`: writes a model with random weights (ModelWeights::random's init) and the item ids
// synth-1..synth-N, for benchmarks and tests: a shape given by options, or copied from an existing
// model (--like) with only the catalogue size changed. The same options and seed give the same bytes.
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/limits.h"
#include "format/fcm.h"

namespace forecart::cli {

namespace {

struct SynthArgs {
  std::string out;
  std::string like;
  uint32_t items = 1000;
  ModelConfig config;
  std::vector<std::string> actions = {"view"};
  std::string activation = "gelu";
  bool fp32 = false;
  uint64_t seed = 7;
  CLI::Option* items_opt = nullptr;
};

// Bytes of the tensor data alone (a lower bound of the file size), to refuse a model over the file
// limit before allocating its weights.
uint64_t tensor_bytes(const ModelConfig& c, bool int8) {
  uint64_t n = 0;
  for (const ParamTensor& t : ParamLayout::build(c).tensors) {
    const uint64_t rows = t.rows, cols = t.cols;
    n += int8 && stored_int8(t.name) ? rows * 4 + rows * cols : rows * cols * 4;
  }
  return n;
}

// The config and action names to write: from --like, or from the shape options.
struct Shape {
  ModelConfig config;
  std::vector<std::string> actions;
};

Shape shape_of(const SynthArgs& a) {
  Shape s{a.config, a.actions};
  ModelConfig& c = s.config;
  if (!a.like.empty()) {
    const Model like = load_model_or_throw(a.like);
    s = {like.config, like.meta.action_names};
    if (a.items_opt->count() == 0) return s;  // --like alone: the same catalogue size
  } else {
    c.num_actions = static_cast<uint32_t>(a.actions.size());
    c.activation = a.activation == "relu" ? Activation::kRelu : Activation::kGelu;
    if (c.ffn_dim == 0) c.ffn_dim = 4 * c.dim;
  }
  c.num_items = a.items;
  return s;
}

int run_synth(const SynthArgs& a) {
  Shape shape = shape_of(a);
  const ModelConfig& c = shape.config;
  const Status valid = c.validate();
  if (!valid.ok()) throw CliError(valid.message());
  const uint64_t bytes = tensor_bytes(c, !a.fp32);
  if (bytes > kMaxModelFileBytes)
    throw CliError(fmt::format("a model of {} items and dim {} needs over {} bytes, above the file limit of {}",
                               c.num_items, c.dim, bytes, kMaxModelFileBytes));

  ModelMeta meta;
  meta.action_names = std::move(shape.actions);
  meta.item_ids.reserve(c.num_items);
  for (uint32_t i = 1; i <= c.num_items; ++i) meta.item_ids.push_back("synth-" + std::to_string(i));
  meta.popularity.assign(c.num_items, 1.0f / static_cast<float>(c.num_items));
  nlohmann::ordered_json card;
  card["forecart"] = FORECART_VERSION;
  card["synth"] = {{"seed", a.seed}, {"items", c.num_items}};
  card["weights"] = a.fp32 ? "fp32" : "int8";
  meta.card = card.dump();

  const Model m = Model::from_weights(ModelWeights::random(c, a.seed), std::move(meta), /*quantize=*/!a.fp32);
  check(write_model_file(m, a.out));
  fmt::print(stderr, "wrote {} ({} model, {} items, dim {}, {} layers, seed {})\n", a.out, a.fp32 ? "fp32" : "int8",
             c.num_items, c.dim, c.layers, a.seed);
  return 0;
}

}  // namespace

Command add_synth(CLI::App& app) {
  auto a = std::make_shared<SynthArgs>();
  ModelConfig& c = a->config;
  c.ffn_dim = 0;
  CLI::App* sub = app.add_subcommand("synth", "Write a model with random weights (benchmarks, tests)");
  sub->add_option("--out", a->out, "Output model file (.fcm)")->required();
  CLI::Option* like =
      sub->add_option("--like", a->like, "Copy the config and action names of this model (.fcm); only --items changes")
          ->check(CLI::ExistingFile);
  a->items_opt = sub->add_option("--items", a->items, "Catalogue items (with --like: default the model's)")
                     ->check(CLI::Range(uint32_t{1}, kMaxItems))
                     ->capture_default_str();
  std::vector<CLI::Option*> shape = {
      sub->add_option("--dim", c.dim, "Model width d")->check(CLI::Range(1u, kMaxDim))->capture_default_str(),
      sub->add_option("--layers", c.layers, "Transformer blocks")
          ->check(CLI::Range(0u, kMaxLayers))
          ->capture_default_str(),
      sub->add_option("--heads", c.heads, "Attention heads (divides dim)")
          ->check(CLI::Range(1u, kMaxDim))
          ->capture_default_str(),
      sub->add_option("--ffn-dim", c.ffn_dim, "Feed-forward width (default 4 * dim)")
          ->check(CLI::Range(1u, 8 * kMaxDim)),
      sub->add_option("--max-len", c.max_len, "Events attended to")
          ->check(CLI::Range(1u, kMaxSeqLen))
          ->capture_default_str(),
      sub->add_option("--time-buckets", c.time_buckets, "Time-gap buckets")
          ->check(CLI::Range(1u, kMaxTimeBuckets))
          ->capture_default_str(),
      sub->add_option("--actions", a->actions, "Action names (comma separated)")->delimiter(',')->capture_default_str(),
      sub->add_option("--activation", a->activation, "gelu or relu")
          ->check(CLI::IsMember({"gelu", "relu"}))
          ->capture_default_str(),
  };
  for (CLI::Option* o : shape) o->excludes(like);
  sub->add_flag("--fp32", a->fp32, "Write an fp32 model instead of int8");
  sub->add_option("--seed", a->seed, "Random seed (same seed and options = same bytes)")->capture_default_str();
  return {sub, [a]() { return run_synth(*a); }};
}

}  // namespace forecart::cli
