// Ranking and classification metrics of `forecart eval` (leave-one-out, see eval.h).
// Ranks are pessimistic: rank = 1 + the number of other candidates scoring >= the target, so
// coarse (int8) scores and ties never flatter a method. A target unknown to the model is a miss.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace forecart::train {

struct RankMetrics {
  double hr10 = 0, ndcg10 = 0, recall20 = 0, mrr20 = 0;
};
struct SampledMetrics {
  double hr10 = 0, ndcg10 = 0;
};
struct MethodReport {  // one recommender (the model or a baseline) over all evaluated users
  RankMetrics full;
  SampledMetrics sampled;
};

// Sums of per-user metrics; report(n) divides by the number of users.
struct RankAccum {
  double hr10 = 0, ndcg10 = 0, recall20 = 0, mrr20 = 0, s_hr10 = 0, s_ndcg10 = 0;
  void add_full(size_t rank);
  void add_sampled(size_t rank);
  void merge(const RankAccum& o);
  MethodReport report(size_t users) const;
};

// Pessimistic rank of target among the catalogue ids 1..V-1 (scores[V]), skipping ids with
// masked[id] != 0 (masked may be null). target 0 (unknown) ranks V: a miss.
size_t full_rank(const float* scores, size_t V, uint32_t target, const uint8_t* masked);
// Pessimistic rank of target among itself and the sampled negatives.
size_t sampled_rank(const float* scores, uint32_t target, const std::vector<uint32_t>& negatives);

struct ActionMetrics {
  double accuracy = 0, macro_f1 = 0;
  double log_loss = 0;                    // mean -ln P(true next action)
  double ece = 0;                         // top-label expected calibration error, 10 equal-width bins
  double purchase_auc = -1;               // < 0: not available (no purchase action, or one class only)
  std::vector<double> precision, recall;  // per action (0 where the action is never predicted / never true)
  // The reliability diagram behind the ECE: per confidence bin [b/10, (b+1)/10), the cases, their
  // mean top probability and their accuracy (both 0 for an empty bin).
  struct Bin {
    size_t count = 0;
    double confidence = 0, accuracy = 0;
  };
  std::vector<Bin> reliability;
};

// Next-action metrics of predicted distributions probs [N x classes] (row i for case i) against
// truth [N]: the prediction is the most probable action (lower index on ties); accuracy; macro-F1
// over the classes that occur (as target or prediction); log-loss (probabilities floored at 1e-12);
// ECE = sum over 10 equal-width bins of the top probability of |accuracy - mean confidence| x the
// bin's share of cases; the AUC of probs[:, purchase] for "the next action is purchase"
// (Mann-Whitney U, ties count one half; purchase < 0 leaves it < 0).
ActionMetrics action_metrics(const std::vector<uint32_t>& truth, const std::vector<float>& probs, int purchase,
                             size_t classes);

// Index of the purchase-like action among names ("purchase", "buy", "order", ...), or -1.
int find_purchase_action(const std::vector<std::string>& names);

}  // namespace forecart::train
