// Baseline recommenders (see baselines.h).
#include "train/baselines.h"

#include <algorithm>

#include "data/split.h"
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

}  // namespace forecart::train
