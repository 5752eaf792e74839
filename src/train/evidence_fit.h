// Fitting the evidence terms (model/evidence.h) after training: the five numbers that maximise
// full-ranking NDCG@10 (ties: HR@10) on the validation split, found by coordinate search over
// fixed grids starting from "no evidence". The trained weights stay as they are; only the
// validation targets are used (never a test event), and the follow table is counted on the
// training events alone, so the figures of the test split stay honest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "data/events.h"
#include "model/model.h"

namespace forecart::train {

struct EvidenceFitOptions {
  size_t follow_top = 20;       // entries kept per item in the follow table (0 = no follow term)
  bool repeat = true;           // fit the repeat term
  size_t max_users = 50000;     // validation users (evenly spaced subset; 0 = all)
  std::vector<uint32_t> users;  // when not empty: exactly these held-out users (max_users ignored)
  size_t threads = 2;
};

struct EvidenceFitReport {
  size_t users = 0;
  double ndcg10_before = 0, hr10_before = 0;  // validation, the model alone
  double ndcg10_after = 0, hr10_after = 0;    // with the fitted terms
  size_t follow_entries = 0;
};

// model: the trained model (its evidence is replaced). ds: the data it was trained on. On return
// model->evidence holds the table and the fitted numbers (all zero when they do not help).
Status fit_evidence(const data::Dataset& ds, const EvidenceFitOptions& opts, Model* model, EvidenceFitReport* report);

}  // namespace forecart::train
