// Implements the leave-one-out split of split.h.
#include "data/split.h"

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

}  // namespace forecart::data
