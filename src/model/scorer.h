// The one catalogue scorer: next-item logits of every vocab id for a final state, exactly as the
// browser computes them, and the softmax that turns them into probabilities. The Session (browser,
// CLI) and `forecart eval` both score through it, so eval measures what a shopper gets.
//
// int8 model: the state is quantized per vector (quant/q8.h) and dotted with the int8 item table
// (q8_gemv, per-row scales); fp32 model: an fp32 dot (f32_gemv). The item bias is added in both.
// The model's evidence terms (model/evidence.h: followers of the newest window items, the window's
// own items) are then added for the few items they name.
// The softmax runs over the catalogue ids 1..V-1: the unknown id 0 is never recommended.
#pragma once

#include <cstdint>
#include <vector>

#include "model/model.h"
#include "model/predictor.h"

namespace forecart {

class Scorer {
 public:
  explicit Scorer(const Model& m);

  // logits[V] of a predictor's state and window (index 0, the unknown id, is computed but not a
  // candidate). Not thread-safe (scratch buffers): use one Scorer per thread.
  void logits(const Predictor& p, float* out) const;
  // The logit of one vocab id, equal to logits(p)[id].
  float logit(const Predictor& p, uint32_t id) const;
  // The parts: the dot products with the item table plus the item bias, for a state [d]; and the
  // evidence terms of a window (oldest first), added into logits.
  void base_logits(const float* state, float* out) const;
  float base_logit(const float* state, uint32_t id) const;
  void add_evidence(const Token* window, size_t n, float* logits) const;
  // log sum_{i=1}^{V-1} exp(logits[i]): probability(i) = exp(logits[i] - log_normaliser).
  float log_normaliser(const float* logits) const;

 private:
  const Model& model_;
  const float* bias_;              // item_bias [V]
  mutable std::vector<int8_t> q_;  // the quantized state [d]
  // The item ids of window[0, n) (n <= max_len) in window_items_.
  const uint32_t* window_ids(const Token* window, size_t n) const;
  mutable std::vector<uint32_t> window_items_;  // [max_len]
  mutable SparseScores sparse_;
};

}  // namespace forecart
