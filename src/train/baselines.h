// What a shop can show without a model, as recommenders scored like the model (`forecart eval`):
//   popular       the most frequent items of the training events;
//   cooccurrence  "customers also viewed": items that followed the user's newest 3 items within 3
//                 steps in the training events (nearer counts more), popularity breaking ties;
//   recent        "recently viewed": the user's own history items, newest first, then popularity.
// and for the next action, as distributions over the action types:
//   majority_action  the training events' action frequencies (add-one smoothed): its top action is
//                    always the most common one;
//   last_action      all mass on the action of the user's newest event;
//   transition       P(next | last action) from consecutive training events, add-one smoothed.
// Tables are counted on the training part of the data only (never a held-out event).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "data/events.h"
#include "model/evidence.h"

namespace forecart::train {

class ItemBaselines {
 public:
  enum Kind : size_t { kPopular = 0, kCooccurrence = 1, kRecent = 2, kCount = 3 };
  static const char* name(size_t kind);

  // item_map: dataset item index -> vocab id of the model (0 = unknown); V = vocab size.
  static ItemBaselines build(const data::Dataset& ds, const std::vector<uint32_t>& item_map, size_t V);

  // scores[V] of one baseline for a history of vocab ids, oldest first (index 0 is never a candidate).
  // scratch: the caller's buffer (one per thread).
  void score(size_t kind, const uint32_t* history, size_t n, float* scores, SparseScores* scratch) const;

 private:
  size_t V_ = 0;
  std::vector<float> prior_;  // [V] popularity scaled into [0, 1e-3]: the tie-breaker
  FollowTable follow_;        // every follower of every item (train/follow_table.h)
};

// The next-action counts of a dataset's training events, one table for the `transition` baseline
// and the model's counted prior (train/action_fit.h): marginal[a] = 1 + count of action a;
// next[(l * B + b) * A + a] = how often action a followed an event of action l whose own time
// bucket (its gap to the event before it) is b. B = 1 ignores the time.
struct ActionCounts {
  size_t A = 0, B = 1;
  std::vector<double> marginal, next;
  // P(a | l) over all buckets, add-one smoothed: (c(l, a) + 1) / (c(l) + A).
  double transition(size_t l, size_t a) const;
};

// The time bucket of seq[i]: its gap to seq[i - 1] (0 for the first event), as the model sees it.
uint32_t event_time_bucket(const std::vector<data::Event>& seq, size_t i, uint32_t time_buckets);

// action_map: dataset action index -> model action (< A); empty = the identity.
ActionCounts count_actions(const data::Dataset& ds, const std::vector<uint32_t>& action_map, size_t A,
                           size_t time_buckets);

class ActionBaselines {
 public:
  enum Kind : size_t { kMajority = 0, kLast = 1, kTransition = 2, kCount = 3 };
  static const char* name(size_t kind);

  // action_map: dataset action index -> model action (< A).
  static ActionBaselines build(const data::Dataset& ds, const std::vector<uint32_t>& action_map, size_t A);
  // probs[A] of one baseline given the action of the newest history event.
  void probs(size_t kind, uint32_t last_action, float* out) const;

 private:
  size_t A_ = 0;
  std::vector<float> marginal_;    // [A]
  std::vector<float> transition_;  // [A x A], row = last action
};

}  // namespace forecart::train
