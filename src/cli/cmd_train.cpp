// `forecart train`: trains the model on event logs and writes the int8 (or fp32) .fcm plus a JSON
// training log next to it.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/data_options.h"
#include "format/fcm.h"
#include "train/trainer.h"

namespace forecart::cli {

namespace {

struct TrainArgs {
  DataArgs data;
  std::string out;
  bool fp32 = false;
  std::string fp32_twin;  // also write the fp32 model of the same weights here
  std::string activation = "gelu";
  train::TrainerOptions opt;
  double minutes = 0;
  std::string init_from;
  bool dry_run = false;
};

std::string checkpoint_path_for(const std::string& model_path) {
  return model_path + ".ckpt";
}

std::string log_path_for(const std::string& model_path) {
  const std::string ext = ".fcm";
  std::string base = model_path;
  if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0)
    base.resize(base.size() - ext.size());
  return base + ".train.json";
}

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) throw CliError("cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw CliError("cannot rename '" + tmp + "' to '" + path + "'");
}

// The process's peak resident memory so far (data, model, optimiser state, buffers).
double peak_rss_mb() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // KiB on Linux
}

std::string eta_string(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  const int s = static_cast<int>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

// A progress bar on a terminal (redrawn every 8 steps), one line per epoch in any case.
train::TrainProgress progress_printer(const TrainArgs& a, double* last_epoch_secs) {
  const bool tty = isatty(fileno(stderr));
  train::TrainProgress progress;
  progress.on_step = [&a, tty, last_epoch_secs](uint32_t epoch, size_t step, size_t steps, double loss, double tps) {
    if (!tty || (step % 8 != 0 && step != steps)) return;
    const int width = 24, filled = static_cast<int>(width * step / steps);
    const double epoch_left = *last_epoch_secs * static_cast<double>(steps - step) / static_cast<double>(steps);
    const double eta = *last_epoch_secs > 0 ? epoch_left + *last_epoch_secs * (a.opt.epochs - epoch) : -1;
    fmt::print(stderr, "\repoch {:>3}/{} [{}{}] loss {:.4f}  {:.0f} tok/s  ETA {} (max epochs)   ", epoch, a.opt.epochs,
               std::string(filled, '#'), std::string(width - filled, '.'), loss, tps, eta_string(eta));
  };
  progress.on_epoch = [tty, last_epoch_secs](const train::EpochLog& e) {
    *last_epoch_secs = e.seconds;
    if (tty) fmt::print(stderr, "\r\033[K");
    fmt::print(stderr,
               "epoch {:>3}: loss {:.4f} (item {:.4f}, action {:.4f})  valid HR@10 {:.4f} NDCG@10 {:.4f}{}  "
               "{:.1f}s  {:.0f} tok/s\n",
               e.epoch, e.loss, e.item_loss, e.action_loss, e.val_hr10, e.val_ndcg10,
               e.val_action_loss >= 0 ? fmt::format(" action log-loss {:.4f}", e.val_action_loss) : "", e.seconds,
               e.tokens_per_s);
  };
  progress.on_warm_start = [&a](const train::WarmStartReport& w) {
    fmt::print(stderr, "warm start from {}: {} items carried over, {} new, {} removed{}\n", a.init_from, w.kept,
               w.added, w.removed, w.dequantized ? " (its int8 item table dequantized)" : "");
  };
  return progress;
}

// The model card (stored in the .fcm): how it was made, without timings, so that the same seed
// and data still give the same file. The training log adds the timings.
nlohmann::ordered_json model_card(const TrainArgs& a, const data::Dataset& ds, const train::TrainResult& res) {
  nlohmann::ordered_json j;
  j["forecart"] = FORECART_VERSION;
  j["data"] = nlohmann::ordered_json::array();
  for (const auto& f : a.data.files) j["data"].push_back(f.substr(f.find_last_of('/') + 1));
  j["weights"] = a.fp32 ? "fp32" : "int8";
  const auto& o = a.opt;
  j["config"] = {{"dim", o.model.dim},
                 {"layers", o.model.layers},
                 {"heads", o.model.heads},
                 {"ffn_dim", o.model.ffn_dim ? o.model.ffn_dim : 4 * o.model.dim},
                 {"max_len", o.model.max_len},
                 {"activation", a.activation},
                 {"epochs", o.epochs},
                 {"batch", o.graph.max_batch},
                 {"lr", o.adam.lr},
                 {"weight_decay", o.adam.weight_decay},
                 {"dropout", o.graph.dropout},
                 {"clip", o.clip},
                 {"action_weight", o.graph.action_weight},
                 {"action_detach", o.graph.action_detached},
                 {"action_shift", o.action_fit.shift},
                 {"neg_samples", o.graph.neg_samples},
                 {"patience", o.patience},
                 {"val_users", o.val_users},
                 {"threads", o.graph.threads},
                 {"seed", o.graph.seed}};
  if (!a.init_from.empty())
    j["init_from"] = {{"model", a.init_from.substr(a.init_from.find_last_of('/') + 1)},
                      {"items_kept", res.warm.kept},
                      {"items_new", res.warm.added},
                      {"items_removed", res.warm.removed}};
  if (a.opt.fit_evidence) {
    const EvidenceParams& p = res.evidence.params;
    const train::EvidenceFitReport& f = res.evidence_fit;
    j["evidence"] = {{"follow_top", a.opt.evidence.follow_top},
                     {"fit_users", a.opt.fit_users},
                     {"follow_entries", res.evidence.follow.items.size()},
                     {"follow_bump", p.follow_bump},
                     {"follow_slope", p.follow_slope},
                     {"repeat_bump", p.repeat_bump},
                     {"repeat_slope", p.repeat_slope},
                     {"repeat_decay", p.repeat_decay},
                     {"valid_users", f.users},
                     {"valid_ndcg@10_model_alone", f.ndcg10_before},
                     {"valid_ndcg@10", f.ndcg10_after},
                     {"valid_hr@10_model_alone", f.hr10_before},
                     {"valid_hr@10", f.hr10_after}};
  }
  if (res.action_head.active()) {
    const train::ActionFitReport& f = res.action_fit;
    j["action_head"] = {{"prior_time_buckets", res.action_head.buckets},
                        {"valid_log_loss_table_with_time", f.table_loss_time},
                        {"valid_log_loss_table_without_time", f.table_loss_plain},
                        {"alpha", res.action_head.alpha},
                        {"temperature", res.action_head.temperature},
                        {"valid_users", f.users},
                        {"valid_log_loss_prior", f.log_loss_prior},
                        {"valid_log_loss_as_trained", f.log_loss_before},
                        {"shift", res.action_head.shift},
                        {"valid_log_loss_without_shift", f.log_loss_no_shift},
                        {"valid_log_loss", f.log_loss_after},
                        {"valid_accuracy_prior", f.accuracy_prior},
                        {"valid_accuracy", f.accuracy_after}};
  }
  j["items"] = ds.item_ids.size();
  j["users"] = ds.user_ids.size();
  j["train_sequences"] = res.train_sequences;
  j["train_tokens"] = res.train_tokens;
  j["best_epoch"] = res.best_epoch;
  if (res.best_epoch > 0) j["valid_ndcg@10"] = res.log[res.best_epoch - 1].val_ndcg10;
  return j;
}

int run_train(TrainArgs& a) {
  data::Dataset ds = load_data_or_throw(a.data);
  if (a.dry_run) {
    fmt::print(stderr, "dry run: the data reads; nothing trained or written\n");
    return 0;
  }
  a.opt.model.activation = a.activation == "relu" ? Activation::kRelu : Activation::kGelu;
  a.opt.time_budget_s = a.minutes * 60.0;
  a.opt.checkpoint_path = checkpoint_path_for(a.out);
  if (a.opt.halt_after_steps) a.opt.halt = []() { std::_Exit(137); };  // tests: die like a killed process
  Model init;
  if (!a.init_from.empty()) {
    init = load_model_or_throw(a.init_from);
    a.opt.init_from = &init;
  }
  double last_epoch_secs = 0;
  const train::TrainProgress progress = progress_printer(a, &last_epoch_secs);
  Result<train::TrainResult> r = train::train_model(ds, a.opt, progress);
  if (!r.ok()) throw CliError(r.status().to_string());
  train::TrainResult& res = r.value();
  nlohmann::ordered_json j = model_card(a, ds, res);
  ModelMeta meta = res.meta;
  meta.card = j.dump();
  Model m = Model::from_weights(res.weights, std::move(meta), /*quantize=*/!a.fp32);
  m.evidence = res.evidence;
  m.action_head = res.action_head;
  check(write_model_file(m, a.out));
  if (!a.fp32_twin.empty()) {
    nlohmann::ordered_json twin_card = j;
    twin_card["weights"] = "fp32";
    ModelMeta twin_meta = res.meta;
    twin_meta.card = twin_card.dump();
    Model twin = Model::from_weights(res.weights, std::move(twin_meta), /*quantize=*/false);
    twin.evidence = res.evidence;
    twin.action_head = res.action_head;
    check(write_model_file(twin, a.fp32_twin));
  }
  std::remove(a.opt.checkpoint_path.c_str());  // finished: the checkpoint has served its purpose
  if (a.opt.fit_evidence) {
    const train::EvidenceFitReport& f = res.evidence_fit;
    const EvidenceParams& p = res.evidence.params;
    fmt::print(stderr,
               "evidence: follow {:+.2f} {:+.2f} ln F ({} entries), repeat {:+.2f} {:+.2f} ln R (decay {:.2f}): "
               "valid NDCG@10 {:.4f} -> {:.4f}, HR@10 {:.4f} -> {:.4f} ({} users)\n",
               p.follow_bump, p.follow_slope, res.evidence.follow.items.size(), p.repeat_bump, p.repeat_slope,
               p.repeat_decay, f.ndcg10_before, f.ndcg10_after, f.hr10_before, f.hr10_after, f.users);
  }

  if (res.action_head.active()) {
    const train::ActionFitReport& f = res.action_fit;
    fmt::print(stderr,
               "action head: prior over {} time bucket(s) + {:.1f} x correction, temperature {:.1f}: valid log-loss "
               "{:.4f} (prior alone {:.4f}, as trained {:.4f}, without the shift {:.4f}), accuracy {:.4f} (prior "
               "{:.4f}) ({} users)\n",
               res.action_head.buckets, res.action_head.alpha, res.action_head.temperature, f.log_loss_after,
               f.log_loss_prior, f.log_loss_before, f.log_loss_no_shift, f.accuracy_after, f.accuracy_prior, f.users);
  }

  j["data"] = a.data.files;
  j["out"] = a.out;
  j["seconds"] = res.seconds;
  const double peak_mb = peak_rss_mb();
  j["peak_rss_mb"] = std::round(peak_mb);
  j["epochs"] = nlohmann::ordered_json::array();
  for (const auto& e : res.log)
    j["epochs"].push_back({{"epoch", e.epoch},
                           {"loss", e.loss},
                           {"item_loss", e.item_loss},
                           {"action_loss", e.action_loss},
                           {"valid_hr@10", e.val_hr10},
                           {"valid_ndcg@10", e.val_ndcg10},
                           {"valid_action_log_loss", e.val_action_loss >= 0 ? nlohmann::ordered_json(e.val_action_loss)
                                                                            : nlohmann::ordered_json()},
                           {"criterion", e.criterion},
                           {"seconds", e.seconds},
                           {"tokens_per_s", e.tokens_per_s}});
  const std::string log_path = log_path_for(a.out);
  write_text_atomically(log_path, j.dump(2) + "\n");
  fmt::print(stderr, "wrote {} ({} model, best epoch {} of {}, {:.0f}s, peak memory {:.0f} MB) and {}\n", a.out,
             a.fp32 ? "fp32" : "int8", res.best_epoch, res.log.size(), res.seconds, peak_mb, log_path);
  return 0;
}

}  // namespace

Command add_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  auto& o = a->opt;
  CLI::App* sub = app.add_subcommand("train", "Train a model on event logs and write the quantized .fcm");
  add_data_options(sub, &a->data);
  sub->add_option("--out", a->out, "Output model file (.fcm); the training log goes to OUT.train.json")->required();
  sub->add_flag("--fp32", a->fp32, "Write an fp32 model instead of int8");
  sub->add_option("--fp32-twin", a->fp32_twin,
                  "Also write the fp32 model of the same trained weights to this file (to measure what int8 costs)");
  sub->add_option("--epochs", o.epochs, "Maximum epochs")->check(CLI::Range(1, 100000))->capture_default_str();
  sub->add_option("--dim", o.model.dim, "Model width d")->check(CLI::Range(2, 1024))->capture_default_str();
  sub->add_option("--layers", o.model.layers, "Transformer blocks")->check(CLI::Range(0, 16))->capture_default_str();
  sub->add_option("--heads", o.model.heads, "Attention heads (divides dim)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  sub->add_option("--ffn-dim", o.model.ffn_dim, "Feed-forward width (0 = 4 x dim)")
      ->check(CLI::Range(0, 8192))
      ->capture_default_str();
  sub->add_option("--max-len", o.model.max_len, "Events attended to")->check(CLI::Range(1, 512))->capture_default_str();
  sub->add_option("--activation", a->activation, "gelu or relu")
      ->check(CLI::IsMember({"gelu", "relu"}))
      ->capture_default_str();
  sub->add_option("--lr", o.adam.lr, "Adam learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  sub->add_option("--weight-decay", o.adam.weight_decay, "AdamW decay of the weight matrices")->capture_default_str();
  sub->add_option("--batch", o.graph.max_batch, "Sequences per step")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  sub->add_option("--dropout", o.graph.dropout, "Dropout rate")->check(CLI::Range(0.0, 0.95))->capture_default_str();
  sub->add_option("--clip", o.clip, "Gradient clipping by global norm (0 = off)")->capture_default_str();
  sub->add_option("--action-weight", o.graph.action_weight, "Weight of the next-action loss")->capture_default_str();
  sub->add_flag("!--action-attach", o.graph.action_detached,
                "The next-action loss also trains the model's hidden states (default: only the action head)");
  sub->add_flag(
      "--action-shift", o.action_fit.shift,
      "Also fit a per-action shift of the next-action logits on validation (the held-out events' base rates)");
  sub->add_flag("!--no-action-prior", o.action_prior,
                "Next-action head without the counted prior and its fitted calibration (the learned head alone)");
  sub->add_option("--neg-samples", o.graph.neg_samples, "Sampled softmax with this many negatives (0 = full softmax)")
      ->capture_default_str();
  sub->add_option(
         "--patience", o.patience,
         "Stop after this many epochs without a better validation criterion (NDCG@10 - 0.05 x action log-loss)")
      ->capture_default_str();
  sub->add_option("--val-users", o.val_users, "Validation users per epoch (0 = all)")->capture_default_str();
  sub->add_option("--minutes", a->minutes, "Time budget; the best epoch so far is kept (0 = none)")
      ->capture_default_str();
  sub->add_option("--threads", o.graph.threads, "Threads")->check(CLI::Range(1, 256))->capture_default_str();
  sub->add_option("--seed", o.graph.seed, "Random seed (same seed + threads = same model)")->capture_default_str();
  sub->add_option("--init-from", a->init_from,
                  "Warm start from an older model of the same shape (retraining): items still in the data keep "
                  "their rows, new ones start fresh, removed ones drop out")
      ->check(CLI::ExistingFile);
  sub->add_option("--follow-top", o.evidence.follow_top,
                  "Followers kept per item for the \"customers also viewed\" term (0 = no such term)")
      ->capture_default_str();
  sub->add_option("--fit-users", o.fit_users,
                  "Held-out users the evidence terms are fitted on; their newest training event is held back from "
                  "the weights, so that their validation windows end in an untrained event, as live ones do "
                  "(0 = fit on every validation user, nothing held back)")
      ->capture_default_str();
  sub->add_flag("!--no-evidence", o.fit_evidence,
                "Train the model alone: no follow/repeat terms fitted on the validation split");
  sub->add_flag("--dry-run", a->dry_run, "Read the data and print its report, then stop (nothing written)");
  sub->add_flag(
      "--resume", o.resume,
      "Continue an interrupted run from OUT.ckpt (same data and flags): the result equals an uninterrupted run");
  sub->add_option("--checkpoint-every", o.checkpoint_every,
                  "Write OUT.ckpt every N steps and after every epoch (0 = only after epochs)")
      ->capture_default_str();
  sub->add_option("--halt-after-steps", o.halt_after_steps, "Testing: exit abruptly after N steps")
      ->group("");  // hidden
  return {sub, [a]() { return run_train(*a); }};
}

}  // namespace forecart::cli
