// The sparse evidence terms (see evidence.h).
#include "model/evidence.h"

#include <algorithm>
#include <string>

namespace forecart {

namespace {

constexpr size_t kFollowHistory = 3;  // the newest window items whose followers count

// Sorts by id and sums the values of equal ids.
void merge_sorted(SparseScores* s) {
  std::sort(s->begin(), s->end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  size_t w = 0;
  for (size_t r = 0; r < s->size(); ++r) {
    if (w > 0 && (*s)[w - 1].first == (*s)[r].first) {
      (*s)[w - 1].second += (*s)[r].second;
    } else {
      (*s)[w++] = (*s)[r];
    }
  }
  s->resize(w);
}

}  // namespace

Status FollowTable::validate(size_t V) const {
  if (offsets.empty() && items.empty() && weights.empty()) return Status::Ok();
  if (offsets.size() != V + 1 || items.size() != weights.size())
    return invalid_argument("follow table: " + std::to_string(offsets.size()) + " offsets for a vocabulary of " +
                            std::to_string(V) + ", " + std::to_string(items.size()) + " items and " +
                            std::to_string(weights.size()) + " weights");
  if (offsets[0] != 0 || offsets[V] != items.size()) return invalid_argument("follow table: offsets do not span it");
  for (size_t a = 0; a < V; ++a)
    if (offsets[a + 1] < offsets[a]) return invalid_argument("follow table: offsets descend");
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i] == 0 || items[i] >= V) return invalid_argument("follow table: an item outside the vocabulary");
    if (!(weights[i] > 0.0f) || !std::isfinite(weights[i]))
      return invalid_argument("follow table: a weight that is not finite and positive");
  }
  return Status::Ok();
}

Status EvidenceParams::validate() const {
  for (float x : {follow_bump, follow_slope, repeat_bump, repeat_slope})
    if (!std::isfinite(x) || std::fabs(x) > 1e4f) return invalid_argument("evidence: a weight that is not finite");
  if (!(repeat_decay > 0.0f && repeat_decay <= 1.0f)) return invalid_argument("evidence: repeat decay outside (0, 1]");
  return Status::Ok();
}

void follow_scores(const FollowTable& t, const uint32_t* history, size_t n, SparseScores* out) {
  out->clear();
  if (t.empty()) return;
  const size_t V = t.offsets.size() - 1;
  float weight = 1.0f;
  for (size_t h = n; h > 0 && h + kFollowHistory > n; --h, weight *= 0.5f) {
    const uint32_t a = history[h - 1];
    if (a == 0 || a >= V) continue;
    for (uint32_t e = t.offsets[a]; e < t.offsets[a + 1]; ++e) out->push_back({t.items[e], weight * t.weights[e]});
  }
  merge_sorted(out);
}

void repeat_scores(const uint32_t* items, size_t n, float decay, SparseScores* out) {
  out->clear();
  float weight = 1.0f;
  for (size_t h = n; h > 0; --h, weight *= decay)
    if (items[h - 1]) out->push_back({items[h - 1], weight});
  merge_sorted(out);
}

void add_evidence(const Evidence& e, const uint32_t* items, size_t n, float* logits, SparseScores* scratch) {
  const EvidenceParams& p = e.params;
  if (!p.active()) return;
  if (p.follow_bump || p.follow_slope) {
    follow_scores(e.follow, items, n, scratch);
    for (const auto& [id, f] : *scratch) logits[id] += evidence_term(p.follow_bump, p.follow_slope, f);
  }
  if (p.repeat_bump || p.repeat_slope) {
    repeat_scores(items, n, p.repeat_decay, scratch);
    for (const auto& [id, r] : *scratch) logits[id] += evidence_term(p.repeat_bump, p.repeat_slope, r);
  }
}

float evidence_term(const Evidence& e, const uint32_t* items, size_t n, uint32_t id) {
  const EvidenceParams& p = e.params;
  if (!p.active() || id == 0) return 0.0f;
  float f = 0.0f, r = 0.0f, weight = 1.0f;
  const FollowTable& t = e.follow;
  const size_t V = t.empty() ? 0 : t.offsets.size() - 1;
  for (size_t h = n; h > 0 && h + kFollowHistory > n && V; --h, weight *= 0.5f) {
    const uint32_t a = items[h - 1];
    if (a == 0 || a >= V) continue;
    for (uint32_t k = t.offsets[a]; k < t.offsets[a + 1]; ++k)
      if (t.items[k] == id) f += weight * t.weights[k];
  }
  weight = 1.0f;
  for (size_t h = n; h > 0; --h, weight *= p.repeat_decay)
    if (items[h - 1] == id) r += weight;
  return evidence_term(p.follow_bump, p.follow_slope, f) + evidence_term(p.repeat_bump, p.repeat_slope, r);
}

}  // namespace forecart
