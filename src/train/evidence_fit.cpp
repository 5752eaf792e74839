// The evidence fit (see evidence_fit.h). Each validation case keeps what the terms can change:
// the model's logit of every item the evidence names (with its follow value and the ages of its
// window events) and the best 10 logits of the other items; any setting is then scored exactly,
// without another forward pass.
#include "train/evidence_fit.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "core/limits.h"
#include "model/evidence.h"
#include "train/eval.h"
#include "train/follow_table.h"

namespace forecart::train {

namespace {

constexpr size_t kTop = 10;  // NDCG@10 and HR@10

struct Candidate {
  uint32_t id = 0;
  float logit = 0.0f;
  float follow = 0.0f;                  // F (0 = none)
  uint32_t age_begin = 0, age_end = 0;  // its window ages, in Case::ages
};

struct Case {
  uint32_t target = 0;  // 0 = unknown to the model: a miss whatever the terms
  float target_logit = 0.0f;
  int target_candidate = -1;  // index in candidates, or -1 when no evidence names it
  std::vector<Candidate> candidates;
  std::vector<uint16_t> ages;  // window ages of the candidates' events (< max_len <= kMaxSeqLen)
  std::vector<float> others;   // the best kTop logits of the items no evidence names (target excluded)
};

// One case's data from the model's logits and the predictor's window.
void collect(const Model& m, const EvidenceFitOptions& o, uint32_t target, const float* logits, const Predictor& p,
             Case* c) {
  const size_t V = m.config.vocab(), n = p.window();
  std::vector<uint32_t> items(n);
  for (size_t i = 0; i < n; ++i) items[i] = p.tokens()[i].item;
  SparseScores follow, repeat;
  if (o.follow_top) follow_scores(m.evidence.follow, items.data(), n, &follow);
  if (o.repeat) repeat_scores(items.data(), n, 1.0f, &repeat);  // ids only; ages below
  c->target = target;
  c->target_logit = target ? logits[target] : 0.0f;
  // Union of the named ids (both lists ascend).
  size_t a = 0, b = 0;
  while (a < follow.size() || b < repeat.size()) {
    const uint32_t id = b == repeat.size() || (a < follow.size() && follow[a].first < repeat[b].first)
                            ? follow[a].first
                            : repeat[b].first;
    Candidate cd{id, logits[id], 0.0f, 0, 0};
    if (a < follow.size() && follow[a].first == id) cd.follow = follow[a++].second;
    if (b < repeat.size() && repeat[b].first == id) {
      ++b;
      cd.age_begin = static_cast<uint32_t>(c->ages.size());
      for (size_t j = n; j > 0; --j)
        if (items[j - 1] == id) c->ages.push_back(static_cast<uint16_t>(n - j));
      cd.age_end = static_cast<uint32_t>(c->ages.size());
    }
    if (id == target) c->target_candidate = static_cast<int>(c->candidates.size());
    c->candidates.push_back(cd);
  }
  // The best kTop logits of the rest: a min-heap over the catalogue.
  thread_local std::vector<uint8_t> named;
  named.assign(V, 0);
  for (const Candidate& cd : c->candidates) named[cd.id] = 1;
  auto& h = c->others;
  for (size_t i = 1; i < V; ++i) {
    if (named[i] || i == target) continue;
    if (h.size() < kTop) {
      h.push_back(logits[i]);
      std::push_heap(h.begin(), h.end(), std::greater<float>());
    } else if (logits[i] > h.front()) {
      std::pop_heap(h.begin(), h.end(), std::greater<float>());
      h.back() = logits[i];
      std::push_heap(h.begin(), h.end(), std::greater<float>());
    }
  }
}

struct Score {
  double ndcg = 0, hr = 0;
  bool better_than(const Score& s) const {
    return ndcg > s.ndcg + 1e-12 || (ndcg >= s.ndcg - 1e-12 && hr > s.hr + 1e-12);
  }
};

Score score(const std::vector<Case>& cases, const EvidenceParams& p) {
  double pw[kMaxSeqLen];  // decay^age for every age a window can hold
  pw[0] = 1.0;
  for (size_t i = 1; i < kMaxSeqLen; ++i) pw[i] = pw[i - 1] * p.repeat_decay;
  Score s;
  std::vector<float> z;
  for (const Case& c : cases) {
    if (c.target == 0) continue;
    z.resize(c.candidates.size());
    for (size_t k = 0; k < c.candidates.size(); ++k) {
      const Candidate& cd = c.candidates[k];
      double r = 0;
      for (uint32_t j = cd.age_begin; j < cd.age_end; ++j) r += pw[c.ages[j]];
      z[k] = cd.logit + evidence_term(p.follow_bump, p.follow_slope, cd.follow) +
             evidence_term(p.repeat_bump, p.repeat_slope, static_cast<float>(r));
    }
    const float t = c.target_candidate >= 0 ? z[c.target_candidate] : c.target_logit;
    size_t above = 0;
    for (size_t k = 0; k < z.size() && above < kTop; ++k)
      above += static_cast<int>(k) != c.target_candidate && z[k] >= t;
    for (float o : c.others) above += o >= t;
    if (above < kTop) {
      s.hr += 1;
      s.ndcg += 1.0 / std::log2(static_cast<double>(above) + 2.0);
    }
  }
  const double n = static_cast<double>(cases.size());
  s.ndcg /= n;
  s.hr /= n;
  return s;
}

}  // namespace

Status fit_evidence(const data::Dataset& ds, const EvidenceFitOptions& o, Model* m, EvidenceFitReport* rep) {
  const size_t V = m->config.vocab();
  std::vector<uint32_t> item_map(ds.item_ids.size());
  for (size_t i = 0; i < ds.item_ids.size(); ++i) item_map[i] = m->item_index(ds.item_ids[i]);
  m->evidence = Evidence();
  if (o.follow_top) m->evidence.follow = build_follow_table(ds, item_map, V, o.follow_top);
  if (m->evidence.follow.empty() && !o.repeat) return Status::Ok();

  std::vector<Case> cases;
  EvalOptions eo;
  eo.fold = data::Fold::kValidation;
  eo.baselines = false;
  eo.threads = o.threads;
  eo.users = o.users.empty() ? held_out_users(ds, o.max_users) : o.users;
  eo.on_case = [&](size_t index, uint32_t target, const float* logits, const Predictor& p) {
    collect(*m, o, target, logits, p, &cases[index]);
  };
  cases.resize(eo.users.size());  // one slot per case, filled by on_case
  Result<EvalReport> base = evaluate(*m, ds, eo);
  if (!base.ok()) return base.status();
  rep->users = cases.size();
  rep->follow_entries = m->evidence.follow.items.size();

  EvidenceParams best;
  Score best_score = score(cases, best);
  rep->ndcg10_before = best_score.ndcg;
  rep->hr10_before = best_score.hr;
  // The large bumps put the named items above every other (logits of a trained model span tens).
  const std::vector<float> bumps = {-6, -4, -3, -2, -1, -0.5f, 0,  0.5f, 1,  1.5f, 2,  3,
                                    4,  5,  6,  8,  10, 12,    16, 24,   32, 48,   64, 128};
  const std::vector<float> slopes = {-0.5f, 0, 0.25f, 0.5f, 0.75f, 1, 1.5f, 2, 3};
  const std::vector<float> decays = {0.3f, 0.5f, 0.7f, 0.85f, 0.95f, 1.0f};
  struct Coord {
    float EvidenceParams::*field;
    const std::vector<float>* grid;
    bool on;
  };
  const bool follow = !m->evidence.follow.empty();
  const Coord coords[] = {{&EvidenceParams::follow_bump, &bumps, follow},
                          {&EvidenceParams::follow_slope, &slopes, follow},
                          {&EvidenceParams::repeat_bump, &bumps, o.repeat},
                          {&EvidenceParams::repeat_slope, &slopes, o.repeat},
                          {&EvidenceParams::repeat_decay, &decays, o.repeat}};
  for (int round = 0; round < 3; ++round) {
    bool moved = false;
    for (const Coord& c : coords) {
      if (!c.on) continue;
      for (float v : *c.grid) {
        EvidenceParams trial = best;
        trial.*c.field = v;
        const Score s = score(cases, trial);
        if (s.better_than(best_score)) {
          best = trial;
          best_score = s;
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  m->evidence.params = best;
  if (!best.active()) m->evidence.follow = FollowTable();  // nothing helped: the model stays as it was
  rep->ndcg10_after = best_score.ndcg;
  rep->hr10_after = best_score.hr;
  return Status::Ok();
}

}  // namespace forecart::train
