// The follow table of model/evidence.h counted from a dataset's training events: how often item c
// followed item a within 3 steps of one user's training prefix (weight 1 / distance; a != c). Both
// the model's evidence (top entries per item) and the `cooccurrence` baseline (all of them) read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/events.h"
#include "model/evidence.h"

namespace forecart::train {

// item_map: dataset item index -> vocab id (0 = unknown: skipped); V = vocab size.
// max_per_item > 0 keeps the heaviest entries of each item (ties: lower id), 0 keeps all.
// Entries of an item are ordered by id.
FollowTable build_follow_table(const data::Dataset& ds, const std::vector<uint32_t>& item_map, size_t V,
                               size_t max_per_item);

}  // namespace forecart::train
