// Baseline recommenders (see baselines.h).
#include "train/baselines.h"

#include <algorithm>

#include "data/split.h"

namespace forecart::train {

const char* ItemBaselines::name(size_t kind) {
  static const char* const kNames[kCount] = {"popular", "cooccurrence", "recent"};
  return kind < kCount ? kNames[kind] : "";
}

ItemBaselines ItemBaselines::build(const data::Dataset& ds, const std::vector<uint32_t>& item_map, size_t V) {
  ItemBaselines b;
  b.V_ = V;
  std::vector<double> popularity(V, 0.0);
  std::vector<std::pair<uint64_t, float>> pairs;
  for (const auto& seq : ds.sequences) {
    const size_t n = data::train_prefix_len(seq);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t a = item_map[seq[i].item];
      popularity[a] += 1;
      for (size_t j = i + 1; j < n && j <= i + 3; ++j) {  // what follows within 3 steps, nearer counts more
        const uint32_t c = item_map[seq[j].item];
        if (a && c && a != c) pairs.push_back({(uint64_t(a) << 32) | c, 1.0f / static_cast<float>(j - i)});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  b.cooc_.resize(V);
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    float w = 0;
    while (j < pairs.size() && pairs[j].first == pairs[i].first) w += pairs[j++].second;
    b.cooc_[pairs[i].first >> 32].push_back({static_cast<uint32_t>(pairs[i].first & 0xFFFFFFFFu), w});
    i = j;
  }
  double max_pop = 1.0;
  for (double p : popularity) max_pop = std::max(max_pop, p);
  b.prior_.resize(V);
  for (size_t i = 0; i < V; ++i) b.prior_[i] = static_cast<float>(1e-3 * popularity[i] / max_pop);
  if (V) b.prior_[0] = 0;
  return b;
}

void ItemBaselines::score(size_t kind, const uint32_t* history, size_t n, float* scores) const {
  std::copy(prior_.begin(), prior_.end(), scores);
  if (kind == kCooccurrence) {
    float weight = 1.0f;  // the newest 3 history items, each half as strong as the next
    for (size_t h = n; h > 0 && h + 3 > n; --h, weight *= 0.5f)
      for (const auto& [item, w] : cooc_[history[h - 1]]) scores[item] += weight * w;
  } else if (kind == kRecent) {
    for (size_t h = 0; h < n; ++h)  // a newer occurrence overwrites an older one
      if (history[h]) scores[history[h]] = 1.0f + static_cast<float>(h);
  }
}

}  // namespace forecart::train
