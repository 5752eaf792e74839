// Inference: the forward pass with a key/value cache, so that appending one event costs one token.
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
#include "model/model.h"

namespace forecart {

struct Token {
  uint32_t item = 0;         // vocab id (0 = unknown)
  uint32_t action = 0;
  uint32_t time_bucket = 0;
};

// Reference full recompute (no cache): final LayerNorm'd hidden states of T <= max_len tokens,
// hidden [T, d]. Positions are 0..T-1.
void forward_sequence(const Model& m, const Token* tokens, size_t T, float* hidden);

class Predictor {
 public:
  // All buffers are allocated here; push() and the scoring calls never allocate.
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

  size_t window() const { return count_; }          // tokens currently attended to
  const Token* tokens() const { return tokens_.data(); }
  bool empty() const { return count_ == 0; }
  int64_t last_time() const { return last_time_; }
  const float* state() const { return hidden_.data(); }  // final hidden of the newest event [d]

  // Next-action probabilities [num_actions] (softmax(action_b) for an empty history).
  void action_probs(float* out) const;
  // Raw next-item logits for the whole vocabulary [vocab] (index 0 is the unknown id).
  void logits(float* out) const;
  // Raw logit of one vocab id.
  float logit(uint32_t item) const;

  const Model& model() const { return model_; }

 private:
  void run_token(size_t pos);  // computes token pos using cached keys/values of 0..pos-1
  void recompute();

  const Model& model_;
  ParamView w_;
  std::vector<Token> tokens_;   // [max_len]
  size_t count_ = 0;
  int64_t last_time_ = -1;
  std::vector<float> kcache_, vcache_;  // [layers, max_len, d]
  // scratch
  std::vector<float> x_, xn_, qkv_, att_, attn_out_, ffn_, row_, hidden_;
  mutable std::vector<int8_t> state_q8_;
};

}  // namespace forecart
