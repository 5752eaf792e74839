// Implements the leave-one-out split of split.h.
#include "data/split.h"

#include <algorithm>

namespace forecart::data {

Split make_split(const Dataset& ds) {
  Split s;
  for (size_t u = 0; u < ds.sequences.size(); ++u) {
    const std::vector<Event>& seq = ds.sequences[u];
    s.train_events += train_prefix_len(seq);
    if (has_holdout(seq)) {
      s.users.push_back(static_cast<uint32_t>(u));
    } else {
      ++s.train_only_users;
    }
  }
  return s;
}

std::vector<uint32_t> evenly_spaced(const std::vector<uint32_t>& users, size_t n) {
  std::vector<uint32_t> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(users[i * users.size() / n]);
  return out;
}

std::vector<uint32_t> fit_users(const Split& split, size_t max_users) {
  return evenly_spaced(split.users, std::min(max_users, split.users.size() / 2));
}

}  // namespace forecart::data
