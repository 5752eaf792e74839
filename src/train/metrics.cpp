// Ranking and classification metrics (see metrics.h).
#include "train/metrics.h"

#include <algorithm>
#include <cmath>

namespace forecart::train {

void RankAccum::add_full(size_t rank) {
  if (rank <= 10) {
    hr10 += 1;
    ndcg10 += 1.0 / std::log2(static_cast<double>(rank) + 1.0);
  }
  if (rank <= 20) {
    recall20 += 1;
    mrr20 += 1.0 / static_cast<double>(rank);
  }
}

void RankAccum::add_sampled(size_t rank) {
  if (rank <= 10) {
    s_hr10 += 1;
    s_ndcg10 += 1.0 / std::log2(static_cast<double>(rank) + 1.0);
  }
}

void RankAccum::merge(const RankAccum& o) {
  hr10 += o.hr10;
  ndcg10 += o.ndcg10;
  recall20 += o.recall20;
  mrr20 += o.mrr20;
  s_hr10 += o.s_hr10;
  s_ndcg10 += o.s_ndcg10;
}

MethodReport RankAccum::report(size_t users) const {
  const double n = users ? static_cast<double>(users) : 1.0;
  return {{hr10 / n, ndcg10 / n, recall20 / n, mrr20 / n}, {s_hr10 / n, s_ndcg10 / n}};
}

size_t full_rank(const float* scores, size_t V, uint32_t target, const uint8_t* masked) {
  if (target == 0) return V;
  const float ts = scores[target];
  size_t above = 0;
  for (size_t i = 1; i < V; ++i) {
    if (i == target || (masked && masked[i])) continue;
    above += scores[i] >= ts;
  }
  return above + 1;
}

size_t sampled_rank(const float* scores, uint32_t target, const std::vector<uint32_t>& negatives) {
  if (target == 0) return negatives.size() + 1;
  size_t above = 0;
  for (uint32_t n : negatives) above += scores[n] >= scores[target];
  return above + 1;
}

namespace {

// Mann-Whitney U with average ranks for ties; < 0 when one class is absent.
double auc(const std::vector<uint32_t>& truth, const std::vector<float>& score, uint32_t positive) {
  std::vector<size_t> idx(truth.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return score[a] < score[b]; });
  double pos = 0, rank_sum = 0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) ++j;
    const double avg = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t k = i; k < j; ++k)
      if (truth[idx[k]] == positive) {
        rank_sum += avg;
        pos += 1;
      }
    i = j;
  }
  const double neg = static_cast<double>(truth.size()) - pos;
  return pos > 0 && neg > 0 ? (rank_sum - pos * (pos + 1) / 2) / (pos * neg) : -1.0;
}

}  // namespace

ActionMetrics action_metrics(const std::vector<uint32_t>& truth, const std::vector<float>& probs, int purchase,
                             size_t classes) {
  ActionMetrics m;
  m.precision.assign(classes, 0.0);
  m.recall.assign(classes, 0.0);
  const size_t N = truth.size();
  if (N == 0 || classes == 0) return m;
  constexpr size_t kBins = 10;
  std::vector<double> tp(classes, 0), fp(classes, 0), fn(classes, 0);
  std::vector<double> bin_n(kBins, 0), bin_conf(kBins, 0), bin_hit(kBins, 0);
  std::vector<float> purchase_score;
  size_t correct = 0;
  double nll = 0;
  for (size_t i = 0; i < N; ++i) {
    const float* p = probs.data() + i * classes;
    const uint32_t pred = static_cast<uint32_t>(std::max_element(p, p + classes) - p);
    const bool hit = pred == truth[i];
    if (hit) {
      ++correct;
      tp[pred] += 1;
    } else {
      fp[pred] += 1;
      fn[truth[i]] += 1;
    }
    nll -= std::log(std::max(static_cast<double>(p[truth[i]]), 1e-12));
    const double conf = p[pred];
    const size_t bin = std::min(kBins - 1, static_cast<size_t>(conf * kBins));
    bin_n[bin] += 1;
    bin_conf[bin] += conf;
    bin_hit[bin] += hit;
    if (purchase >= 0) purchase_score.push_back(p[purchase]);
  }
  const double n = static_cast<double>(N);
  m.accuracy = static_cast<double>(correct) / n;
  m.log_loss = nll / n;
  m.reliability.resize(kBins);
  for (size_t b = 0; b < kBins; ++b) {
    if (bin_n[b] == 0) continue;
    m.ece += std::fabs(bin_hit[b] - bin_conf[b]) / n;  // = share x |acc - conf|
    m.reliability[b] = {static_cast<size_t>(bin_n[b]), bin_conf[b] / bin_n[b], bin_hit[b] / bin_n[b]};
  }
  double f1_sum = 0;
  size_t present = 0;
  for (size_t c = 0; c < classes; ++c) {
    if (tp[c] + fp[c] > 0) m.precision[c] = tp[c] / (tp[c] + fp[c]);
    if (tp[c] + fn[c] > 0) m.recall[c] = tp[c] / (tp[c] + fn[c]);
    if (tp[c] + fp[c] + fn[c] == 0) continue;
    ++present;
    f1_sum += 2 * tp[c] / (2 * tp[c] + fp[c] + fn[c]);
  }
  m.macro_f1 = present ? f1_sum / static_cast<double>(present) : 0.0;
  if (purchase >= 0) m.purchase_auc = auc(truth, purchase_score, static_cast<uint32_t>(purchase));
  return m;
}

int find_purchase_action(const std::vector<std::string>& names) {
  for (const char* want : {"purchase", "buy", "order", "orders", "purchases"})
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == want) return static_cast<int>(i);
  return -1;
}

}  // namespace forecart::train
