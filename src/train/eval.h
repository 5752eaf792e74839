// Leave-one-out evaluation (`forecart eval`, and validation during training).
//
// Per held-out user (>= 3 events, see data/split.h) the model predicts the fold's target event from
// the events before it (the newest max_len of them: a full window; a browser whose block-sliding
// window has slid holds between max_len/2 + 1 and max_len), and is scored by the one catalogue
// scorer (model/scorer.h) that the browser uses. Reported, over all
// such users (metrics.h):
//   full ranking over the whole catalogue: HR@10, NDCG@10, Recall@20, MRR@20;
//   the SASRec sampled protocol: the target against 100 random items the user never interacted with
//     (fixed seed), HR@10 and NDCG@10;
//   next action (when the model has several action types): accuracy, macro-F1, log-loss, ECE, AUC
//     of "purchase", per-action precision/recall.
// Baselines in the same run (baselines.h), item and action ones.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/events.h"
#include "data/split.h"
#include "model/model.h"
#include "model/predictor.h"
#include "train/metrics.h"

namespace forecart::train {

class ThreadPool;

struct EvalOptions {
  data::Fold fold = data::Fold::kTest;
  bool mask_seen = false;      // drop items of the user's history from the candidates
  size_t negatives = 100;      // sampled protocol
  uint64_t seed = 42;          // sampled negatives
  size_t threads = 2;          // ignored when a pool is given
  ThreadPool* pool = nullptr;  // optional: reuse the caller's threads
  bool baselines = true;
  size_t max_users = 0;  // 0 = all held-out users; else an evenly spaced subset (fast validation)
  // When not empty: exactly these held-out users (ascending user indices), and max_users is ignored.
  std::vector<uint32_t> users;
  std::function<void(size_t done, size_t total)> progress;  // optional
  // Optional, called from the worker threads once per case (index 0..users-1, each once) with the
  // target's vocab id (0 = unknown), the model's logits [V] and the predictor holding the window.
  std::function<void(size_t index, uint32_t target, const float* logits, const Predictor& p)> on_case;
  // Optional, the same for the next action: the target's model action index and the predictor.
  std::function<void(size_t index, uint32_t target_action, const Predictor& p)> on_action_case;
};

struct NamedReport {
  std::string name;
  MethodReport report;
};
struct NamedActions {
  std::string name;
  ActionMetrics metrics;
};

struct EvalReport {
  size_t users = 0;            // users evaluated
  size_t items = 0;            // catalogue size
  size_t unknown_targets = 0;  // targets not in the model's catalogue (counted as misses)
  bool has_actions = false;    // the model has more than one action type
  MethodReport model;
  std::vector<NamedReport> baselines;  // popular, cooccurrence, recent (empty when !opts.baselines)
  ActionMetrics model_action;
  std::vector<NamedActions> action_baselines;  // majority_action, last_action, transition

  // The best baseline's name on one full-ranking metric (RankMetrics member), "" when none.
  std::string best_baseline(double RankMetrics::*metric) const;
  // The model is above every baseline on full-ranking NDCG@10 and HR@10.
  bool model_beats_baselines() const;
};

// The held-out users evaluate() scores when EvalOptions::users is empty: all of them, or an evenly
// spaced subset of max_users (0 = all).
std::vector<uint32_t> held_out_users(const data::Dataset& ds, size_t max_users);

// ds is mapped onto the model by item id strings and action names (an action name the model does
// not know is an error).
Result<EvalReport> evaluate(const Model& model, const data::Dataset& ds, const EvalOptions& opts);

}  // namespace forecart::train
