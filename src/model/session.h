// One shopper's prediction session: storefront ids in, ranked storefront items and next-action
// probabilities out. Wraps a Predictor with id mapping, filters, top-k and the popularity fallback.
// This is the object the CLI and the WASM bindings expose.
#pragma once

#include <string>
#include <vector>

#include "model/predictor.h"
#include "model/scorer.h"

namespace forecart {

struct PredictOptions {
  size_t k = 10;
  std::vector<uint32_t> exclude;  // vocab ids never returned (cart, out of stock)
  std::vector<uint32_t> allow;    // when not empty: only these vocab ids are candidates
  int64_t category = -1;          // when >= 0: only items of this category index
};

struct ScoredItem {
  uint32_t index = 0;  // vocab id
  float score = 0.0f;  // probability under the softmax over the whole catalogue (before filters)
};

struct Prediction {
  std::vector<ScoredItem> items;  // best first; ties broken by the lower vocab id
  std::vector<float> actions;     // [num_actions] probabilities
  bool from_popularity = false;   // empty history: items ranked by the popularity prior
};

class Session {
 public:
  explicit Session(const Model& m);

  // Unknown item ids map to the unknown id (0); an unknown action name is an error.
  Status record(const std::string& item_id, const std::string& action, int64_t time);
  Status record_index(uint32_t item, uint32_t action, int64_t time) { return predictor_.push(item, action, time); }
  void reset() { predictor_.reset(); }

  // Action index by name, or -1.
  int action_index(const std::string& name) const;
  // Category index by name, or -1.
  int64_t category_index(const std::string& name) const;

  Status predict(const PredictOptions& opts, Prediction* out);
  // Probabilities of the given vocab ids (same scale as predict's scores).
  void score_items(const std::vector<uint32_t>& items, std::vector<float>* scores);

  // Why each item is predicted: for items[i] and window event j (oldest first), out[i * window + j]
  // is the drop in the item's logit when event j is left out of the history (positive = the event
  // pushes the item up). With actions: actions[j * num_actions + a] is the drop in the probability
  // of next action a when event j is left out (positive = the event raises it). Costs one window
  // recompute per event; allocates nothing beyond the outputs.
  Status explain(const std::vector<uint32_t>& items, std::vector<float>* out, std::vector<float>* actions = nullptr);

  // Raw next-item logits [vocab] of the current state (index 0 is the unknown id).
  void logits(float* out) const { scorer_.logits(predictor_, out); }

  const Predictor& predictor() const { return predictor_; }
  const Model& model() const { return predictor_.model(); }

 private:
  // Ranking keys for the catalogue (logits, or the popularity prior for an empty history) and the
  // log of the softmax normaliser; score(i) turns a key into a probability.
  void prepare_scores();
  float score(uint32_t id) const;

  Predictor predictor_;
  Predictor scratch_;  // explain(): the history with one event left out
  Scorer scorer_;
  std::vector<Token> without_;   // [max_len]
  std::vector<float> probs_;     // [num_actions] explain(): the next-action probabilities of one history
  std::vector<float> logits_;    // [vocab]
  const float* keys_ = nullptr;  // logits_ or the popularity prior (shifted by one: keys_[id])
  float log_norm_ = 0.0f;
  std::vector<uint8_t> banned_;  // [vocab] scratch for exclude
};

}  // namespace forecart
