// Implements the dataset filters of filter.h.
#include "data/filter.h"

#include <limits>

namespace forecart::data {

Dataset drop_rare_items(const Dataset& ds, size_t min_events) {
  std::vector<size_t> count(ds.item_ids.size(), 0);
  for (const auto& seq : ds.sequences)
    for (const Event& e : seq) ++count[e.item];
  constexpr uint32_t kDropped = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> remap(ds.item_ids.size(), kDropped);
  Dataset out;
  out.action_names = ds.action_names;
  out.category_names = ds.category_names;
  for (size_t i = 0; i < ds.item_ids.size(); ++i) {
    if (count[i] < min_events) continue;
    remap[i] = static_cast<uint32_t>(out.item_ids.size());
    out.item_ids.push_back(ds.item_ids[i]);
    out.item_category.push_back(ds.item_category[i]);
  }
  for (size_t u = 0; u < ds.sequences.size(); ++u) {
    std::vector<Event> seq;
    for (Event e : ds.sequences[u]) {
      if (remap[e.item] == kDropped) continue;
      e.item = remap[e.item];
      e.user = static_cast<uint32_t>(out.user_ids.size());
      seq.push_back(e);
    }
    if (seq.empty()) continue;
    out.user_ids.push_back(ds.user_ids[u]);
    out.sequences.push_back(std::move(seq));
  }
  return out;
}

}  // namespace forecart::data
