// Baseline recommenders (see baselines.h).
#include "train/baselines.h"

#include <algorithm>

#include "data/split.h"
#include "model/config.h"
#include "train/follow_table.h"

namespace forecart::train {

const char* ItemBaselines::name(size_t kind) {
  static const char* const kNames[kCount] = {"popular", "cooccurrence", "recent"};
  return kind < kCount ? kNames[kind] : "";
}

ItemBaselines ItemBaselines::build(const data::Dataset& ds, const std::vector<uint32_t>& item_map, size_t V) {
  ItemBaselines b;
  b.V_ = V;
  std::vector<double> popularity(V, 0.0);
  for (const auto& seq : ds.sequences) {
    const size_t n = data::train_prefix_len(seq);
    for (size_t i = 0; i < n; ++i) popularity[item_map[seq[i].item]] += 1;
  }
  b.follow_ = build_follow_table(ds, item_map, V, /*max_per_item=*/0);
  double max_pop = 1.0;
  for (double p : popularity) max_pop = std::max(max_pop, p);
  b.prior_.resize(V);
  for (size_t i = 0; i < V; ++i) b.prior_[i] = static_cast<float>(1e-3 * popularity[i] / max_pop);
  if (V) b.prior_[0] = 0;
  return b;
}

void ItemBaselines::score(size_t kind, const uint32_t* history, size_t n, float* scores, SparseScores* scratch) const {
  std::copy(prior_.begin(), prior_.end(), scores);
  if (kind == kCooccurrence) {
    follow_scores(follow_, history, n, scratch);
    for (const auto& [item, f] : *scratch) scores[item] += f;
  } else if (kind == kRecent) {
    for (size_t h = 0; h < n; ++h)  // a newer occurrence overwrites an older one
      if (history[h]) scores[history[h]] = 1.0f + static_cast<float>(h);
  }
}

const char* ActionBaselines::name(size_t kind) {
  static const char* const kNames[kCount] = {"majority_action", "last_action", "transition"};
  return kind < kCount ? kNames[kind] : "";
}

uint32_t event_time_bucket(const std::vector<data::Event>& seq, size_t i, uint32_t time_buckets) {
  return time_bucket(i > 0 ? seq[i - 1].time : -1, seq[i].time, time_buckets);
}

ActionCounts count_actions(const data::Dataset& ds, const std::vector<uint32_t>& action_map, size_t A,
                           size_t time_buckets) {
  ActionCounts c;
  c.A = A;
  c.B = std::max<size_t>(time_buckets, 1);
  c.marginal.assign(A, 1.0);  // add-one
  c.next.assign(A * c.B * A, 0.0);
  auto action = [&](const data::Event& e) { return action_map.empty() ? e.action : action_map[e.action]; };
  for (const auto& seq : ds.sequences) {
    const size_t n = data::train_prefix_len(seq);
    for (size_t i = 0; i < n; ++i) {
      c.marginal[action(seq[i])] += 1;
      if (i + 1 >= n) continue;
      const size_t b = event_time_bucket(seq, i, static_cast<uint32_t>(c.B));
      c.next[(action(seq[i]) * c.B + b) * A + action(seq[i + 1])] += 1;
    }
  }
  return c;
}

double ActionCounts::transition(size_t l, size_t a) const {
  double pair = 0, row = 0;
  for (size_t b = 0; b < B; ++b) {
    const double* t = next.data() + (l * B + b) * A;
    pair += t[a];
    for (size_t x = 0; x < A; ++x) row += t[x];
  }
  return (pair + 1.0) / (row + static_cast<double>(A));
}

ActionBaselines ActionBaselines::build(const data::Dataset& ds, const std::vector<uint32_t>& action_map, size_t A) {
  ActionBaselines b;
  b.A_ = A;
  const ActionCounts c = count_actions(ds, action_map, A, 1);
  double total = 0;
  for (double m : c.marginal) total += m;
  for (double m : c.marginal) b.marginal_.push_back(static_cast<float>(m / total));
  b.transition_.resize(A * A);
  for (size_t l = 0; l < A; ++l)
    for (size_t a = 0; a < A; ++a) b.transition_[l * A + a] = static_cast<float>(c.transition(l, a));
  return b;
}

void ActionBaselines::probs(size_t kind, uint32_t last_action, float* out) const {
  for (size_t a = 0; a < A_; ++a) {
    if (kind == kMajority) {
      out[a] = marginal_[a];
    } else if (kind == kLast) {
      out[a] = a == last_action ? 1.0f : 0.0f;
    } else {
      out[a] = transition_[last_action * A_ + a];
    }
  }
}

}  // namespace forecart::train
