// Sparse evidence beside the catalogue softmax: the two things a shop already shows without a
// model, as terms added to the next-item logits of the few items they name.
//   follow: "customers also viewed": F_i = sum over the newest 3 window items h_k (k = 0 newest)
//           of 0.5^k * T[h_k][i], where T[a][c] counts how often c followed a within 3 steps in the
//           training events (weight 1 / distance), kept for the top `FollowTable` entries of a;
//   repeat: "recently viewed": R_i = sum over the window events j holding item i of decay^age_j
//           (age 0 = the newest event).
// logit_i += [F_i > 0] (follow_bump + follow_slope ln F_i) + [R_i > 0] (repeat_bump + repeat_slope ln R_i).
// The softmax over the catalogue then stays a probability: that of the combined model. The five
// numbers are fitted on the validation split after training (train/evidence_fit.h); all zero (or
// no table) leaves the logits unchanged. A model file carries them in its evidence section.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/status.h"

namespace forecart {

// Followers of each vocab id in CSR form: entries [offsets[a], offsets[a+1]) of items/weights.
struct FollowTable {
  std::vector<uint32_t> offsets;  // [V + 1], or empty for no table
  std::vector<uint32_t> items;    // [nnz] vocab ids 1..V-1
  std::vector<float> weights;     // [nnz] > 0

  bool empty() const { return items.empty(); }
  // Offsets start at 0, ascend and end at nnz; ids in 1..V-1; weights finite and > 0.
  Status validate(size_t V) const;
};

struct EvidenceParams {
  float follow_bump = 0.0f, follow_slope = 0.0f;
  float repeat_bump = 0.0f, repeat_slope = 0.0f;
  float repeat_decay = 0.5f;  // in (0, 1]

  bool active() const { return follow_bump || follow_slope || repeat_bump || repeat_slope; }
  Status validate() const;
};

struct Evidence {
  EvidenceParams params;
  FollowTable follow;
  bool active() const { return params.active(); }
};

// (vocab id, value) pairs, ids ascending and distinct.
using SparseScores = std::vector<std::pair<uint32_t, float>>;

// F over the newest 3 of history[0..n) (oldest first); zero ids are skipped.
void follow_scores(const FollowTable& t, const uint32_t* history, size_t n, SparseScores* out);
// R over items[0..n) (oldest first, one per window event).
void repeat_scores(const uint32_t* items, size_t n, float decay, SparseScores* out);

// The logit terms of evidence e for a window of items (oldest first), added into logits[V].
void add_evidence(const Evidence& e, const uint32_t* items, size_t n, float* logits, SparseScores* scratch);
// The term for one id (the sum add_evidence adds to logits[id]).
float evidence_term(const Evidence& e, const uint32_t* items, size_t n, uint32_t id);
// The term of one source from its value (0 when value <= 0).
inline float evidence_term(float bump, float slope, float value) {
  return value > 0.0f ? bump + slope * std::log(value) : 0.0f;
}

}  // namespace forecart
