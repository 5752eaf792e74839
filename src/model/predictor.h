// Inference state of one history: the window of the newest events and their key/value cache, so
// that appending one event costs one token of the forward pass (model/forward.h).
//
// The window holds up to max_len of the newest events. push() runs one token against the cached
// keys/values of the earlier ones. When the window is full, it slides by a block: the oldest half
// drops out and the newest max_len/2 events are recomputed once (positions restart at 0, as in
// training windows), so an event costs about two tokens on average and the model always sees at
// least max_len/2 events of a long history. The state always equals a full recompute of the
// window's events. Each event's time bucket is fixed when it is pushed (gap to the event before it
// in the whole history), so sliding does not change it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/forward.h"
#include "model/model.h"
#include "model/token.h"

namespace forecart {

class Predictor {
 public:
  // All buffers are allocated here; push() and assign() never allocate.
  explicit Predictor(const Model& m);

  void reset();
  // Time of the event just before the first one to be pushed (so that a history replayed from
  // its newest max_len events gets the same first time bucket as the whole history would).
  void set_previous_time(int64_t time) { last_time_ = time; }
  // item < vocab, action < num_actions; time in unix seconds or -1 when unknown.
  Status push(uint32_t item, uint32_t action, int64_t time);
  // Replaces the window with n <= max_len tokens (already bucketed) and recomputes it.
  // Used by explain() to score a history with one event left out.
  Status assign(const Token* tokens, size_t n);

  size_t window() const { return count_; }  // tokens currently attended to
  const Token* tokens() const { return tokens_.data(); }
  bool empty() const { return count_ == 0; }
  int64_t last_time() const { return last_time_; }
  // Final hidden state of the newest event [d]; zeros for an empty window.
  const float* state() const { return hidden_.data() + state_row_ * model_.config.dim; }

  // Next-action probabilities [num_actions] (model/action_head.h): for an empty history the
  // head's stored marginal (softmax(action_b) in a model without a head).
  void action_probs(float* out) const;

  const Model& model() const { return model_; }

 private:
  void recompute();  // the whole window as T = count_ tokens on an empty cache

  const Model& model_;
  ParamView w_;                // every parameter but the item table, bound once
  std::vector<Token> tokens_;  // [max_len]
  size_t count_ = 0;
  int64_t last_time_ = -1;
  KvCache cache_;
  ForwardScratch scratch_;
  std::vector<float> hidden_;  // [max_len, d]: hidden states of the last forward call
  size_t state_row_ = 0;       // the row of hidden_ that holds the newest event's state
};

}  // namespace forecart
