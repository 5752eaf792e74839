// The next-action head: what is known from counts, plus what the model learned on top of it.
//   logits(a | history) = (log P(a | last action, last time bucket) + alpha * (action_w h + action_b)) / temperature
//                         + shift[a]
// where h is the final hidden state of the newest event and the table P is counted on the training
// events (train/action_fit.h), backed off to P(a | last action) and add-one smoothed:
//   P(a | l) = (c(l, a) + 1) / (c(l) + A),  P(a | l, b) = (c(l, b, a) + A P(a | l)) / (c(l, b) + A),
// or P(a | l) alone (one bucket) where the time buckets do not help on the validation split.
// The correction (action_w, action_b) starts at zero in training, so the head starts as the table;
// alpha and temperature are fitted on the validation split after training (train/action_fit.h), and
// with `train --action-shift` (off by default) the per-action shift too: the validation targets' base rates.
// An empty history gets the marginal P(a) of the training events (add-one smoothed) unchanged.
// A model file carries all of it in its action_head section; a model without one (older files)
// uses softmax(action_w h + action_b) alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/token.h"

namespace forecart {

struct ActionHead {
  uint32_t actions = 0;          // A; 0 = no head (softmax of the learned logits alone)
  uint32_t buckets = 0;          // B: the model's time buckets, or 1 (the prior ignores the time)
  std::vector<float> marginal;   // [A] probabilities: an empty history
  std::vector<float> log_prior;  // [A * B * A]: row (last action l, bucket b) = log P(. | l, b)
  float alpha = 1.0f;            // weight of the learned correction (>= 0)
  float temperature = 1.0f;      // > 0
  std::vector<float> shift;      // [A] added to the scaled logits; empty = zeros

  bool active() const { return actions > 0; }
  const float* prior_row(const Token& last) const {
    const uint32_t b = buckets > 1 ? last.time_bucket : 0;
    return log_prior.data() + (static_cast<size_t>(last.action) * buckets + b) * actions;
  }
  // Sizes match (A, B or 1), probabilities and logs finite, marginal sums to about 1, alpha >= 0, temperature > 0,
  // shift empty or [A] finite.
  Status validate(uint32_t num_actions, uint32_t time_buckets) const;
};

// Next-action probabilities out[A] from the learned logits z[A] (action_w h + action_b) of a
// history whose newest token is last. Without a head: softmax(z).
void action_probs_from(const ActionHead& head, const float* z, const Token& last, size_t A, float* out);

}  // namespace forecart
