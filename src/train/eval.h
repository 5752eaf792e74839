// Leave-one-out evaluation (`forecart eval`, and validation during training).
//
// Per held-out user (>= 3 events, see data/split.h) the model predicts the fold's target event from
// the events before it. Reported, over all such users:
//   full ranking over the whole catalogue: HR@10, NDCG@10, Recall@20, MRR@20;
//   the SASRec sampled protocol: the target against 100 random items the user never interacted with
//     (fixed seed), HR@10 and NDCG@10;
//   next action (when the model has several action types): accuracy, macro-F1, AUC of "purchase".
// Ranks are pessimistic: rank = 1 + number of other candidates scoring >= the target, so coarse
// (int8) scores and ties never flatter a method. A target unknown to the model is a miss.
// Baselines in the same run: most popular items, item-to-item co-occurrence, and "repeat the last
// action" for the action head.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "data/events.h"
#include "data/split.h"
#include "model/model.h"

namespace forecart::train {

struct EvalOptions {
  data::Fold fold = data::Fold::kTest;
  bool mask_seen = false;     // drop items of the user's history from the candidates
  size_t negatives = 100;     // sampled protocol
  uint64_t seed = 42;         // sampled negatives
  size_t threads = 2;
  bool baselines = true;
  size_t max_users = 0;       // 0 = all held-out users; else an evenly spaced subset (fast validation)
  std::function<void(size_t done, size_t total)> progress;  // optional
};

struct RankMetrics {
  double hr10 = 0, ndcg10 = 0, recall20 = 0, mrr20 = 0;
};
struct SampledMetrics {
  double hr10 = 0, ndcg10 = 0;
};
struct ActionMetrics {
  double accuracy = 0, macro_f1 = 0;
  double purchase_auc = -1;  // < 0: not available (no purchase action, or one class only)
};
struct MethodReport {
  RankMetrics full;
  SampledMetrics sampled;
};

struct EvalReport {
  size_t users = 0;            // users evaluated
  size_t items = 0;            // catalogue size
  size_t unknown_targets = 0;  // targets not in the model's catalogue (counted as misses)
  bool has_actions = false;    // the model has more than one action type
  MethodReport model, popular, cooccurrence;
  ActionMetrics model_action, last_action;
};

// ds is mapped onto the model by item id strings and action names (an action name the model does
// not know is an error).
Result<EvalReport> evaluate(const Model& model, const data::Dataset& ds, const EvalOptions& opts);

}  // namespace forecart::train
