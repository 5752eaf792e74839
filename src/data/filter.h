// Dataset filters applied before training or evaluation.
#pragma once

#include <cstddef>

#include "data/events.h"

namespace forecart::data {

// Drops every event of an item that has fewer than min_events events in the whole dataset
// (one pass, not an iterative k-core), then users left without events. Ids keep their order of
// first appearance; the action and category tables are kept as they are.
Dataset drop_rare_items(const Dataset& ds, size_t min_events);

}  // namespace forecart::data
