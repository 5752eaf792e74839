// Warm start (`forecart train --init-from OLD.fcm`): a new training begins from an older model of the same
// shape instead of random weights. Every tensor is copied; the rows of items (input embedding, output bias)
// are matched by item id: items still in the data keep their rows, new items keep their fresh random rows,
// items gone from the data drop out. Action rows are matched by action name. An int8 item table is
// dequantized. Adam's moments start at zero.
#pragma once

#include <cstddef>

#include "core/status.h"
#include "model/model.h"

namespace forecart::train {

struct WarmStartReport {
  size_t kept = 0, added = 0, removed = 0;  // items carried over, new in the data, gone from it
  bool dequantized = false;                 // the old item table was int8
};

// Overwrites w (the new model's weights, already initialised, for the items and actions of `meta`) with the
// old model's. invalid_argument naming the first difference when the shapes differ (dim, layers, heads,
// FFN width, window, time buckets, activation, or the set of action names).
Status warm_start(const Model& old, const ModelMeta& meta, ModelWeights* w, WarmStartReport* report);

}  // namespace forecart::train
