// Counting the follow table (see follow_table.h).
#include "train/follow_table.h"

#include <algorithm>
#include <utility>

#include "data/split.h"

namespace forecart::train {

FollowTable build_follow_table(const data::Dataset& ds, const std::vector<uint32_t>& item_map, size_t V,
                               size_t max_per_item) {
  std::vector<std::pair<uint64_t, float>> pairs;  // (a << 32 | c, weight)
  for (const auto& seq : ds.sequences) {
    const size_t n = data::train_prefix_len(seq);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t a = item_map[seq[i].item];
      for (size_t j = i + 1; j < n && j <= i + 3; ++j) {  // nearer counts more
        const uint32_t c = item_map[seq[j].item];
        if (a && c && a != c) pairs.push_back({(uint64_t(a) << 32) | c, 1.0f / static_cast<float>(j - i)});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  FollowTable t;
  t.offsets.assign(V + 1, 0);
  std::vector<std::pair<uint32_t, float>> row;
  auto flush = [&](uint32_t a) {
    if (max_per_item && row.size() > max_per_item) {
      std::partial_sort(row.begin(), row.begin() + max_per_item, row.end(), [](const auto& x, const auto& y) {
        return x.second > y.second || (x.second == y.second && x.first < y.first);
      });
      row.resize(max_per_item);
      std::sort(row.begin(), row.end());
    }
    for (const auto& [c, w] : row) {
      t.items.push_back(c);
      t.weights.push_back(w);
    }
    t.offsets[a + 1] = static_cast<uint32_t>(row.size());
    row.clear();
  };
  for (size_t i = 0; i < pairs.size();) {
    size_t j = i;
    float w = 0;
    while (j < pairs.size() && pairs[j].first == pairs[i].first) w += pairs[j++].second;
    const uint32_t a = static_cast<uint32_t>(pairs[i].first >> 32);
    row.push_back({static_cast<uint32_t>(pairs[i].first & 0xFFFFFFFFu), w});
    if (j == pairs.size() || (pairs[j].first >> 32) != a) flush(a);
    i = j;
  }
  for (size_t a = 0; a < V; ++a) t.offsets[a + 1] += t.offsets[a];
  if (t.items.empty()) t.offsets.clear();
  return t;
}

}  // namespace forecart::train
