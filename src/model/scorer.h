// The one catalogue scorer: next-item logits of every vocab id for a final state, exactly as the
// browser computes them, and the softmax that turns them into probabilities. The Session (browser,
// CLI) and `forecart eval` both score through it, so eval measures what a shopper gets.
//
// int8 model: the state is quantized per vector (quant/q8.h) and dotted with the int8 item table
// (q8_gemv, per-row scales); fp32 model: an fp32 dot (f32_gemv). The item bias is added in both.
// The softmax runs over the catalogue ids 1..V-1: the unknown id 0 is never recommended.
#pragma once

#include <cstdint>
#include <vector>

#include "model/model.h"

namespace forecart {

class Scorer {
 public:
  explicit Scorer(const Model& m);

  // logits[V] of one state [d] (index 0, the unknown id, is computed but not a candidate).
  // Not thread-safe (one quantization buffer): use one Scorer per thread.
  void logits(const float* state, float* out) const;
  // The logit of one vocab id, equal to logits(state)[id].
  float logit(const float* state, uint32_t id) const;
  // log sum_{i=1}^{V-1} exp(logits[i]): probability(i) = exp(logits[i] - log_normaliser).
  float log_normaliser(const float* logits) const;

 private:
  const Model& model_;
  const float* bias_;              // item_bias [V]
  mutable std::vector<int8_t> q_;  // the quantized state [d]
};

}  // namespace forecart
