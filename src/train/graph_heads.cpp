// TrainGraph's losses: the item head (full or sampled softmax over the tied item table, with the
// draw of the shared negatives) and the action head, each with its backward into the final hidden
// states and the head parameters.
#include <algorithm>
#include <cstring>
#include <limits>

#include "train/backward.h"
#include "train/eigen.h"
#include "train/graph.h"
#include "train/graph_internal.h"
#include "train/thread_pool.h"

namespace forecart::train {

using detail::part;
using detail::splitmix64;
using detail::zero;

// ------------------------------------------------------------------------------------------
// Item head. N = rows with a target, d = channels, K = logits per row, R = rows per chunk.
// Full softmax: the candidate table is item_emb rows 1..V-1 (id 0 is left out, i.e. its logit is
// -inf), K = V-1, row r's target is column item-1. Sampled: column 0 is the row's own target,
// columns 1..S the shared negatives (an accidental hit is set to -inf).
// Per chunk: (A) threads split rows: logits GEMM, softmax-xent in place (item_rows_loss),
// dH = dZ . table (item_rows_dh); (B) threads split candidates: dtable += dZ^T . H,
// dbias += colsum dZ (item_candidates_grad). Row losses are summed in row order afterwards, so
// neither part depends on the thread count. Sampled, the negatives' and targets' gradients are
// then scattered into the item table (scatter_sampled_grads).

// The operands of one step's item head: the candidate table and bias (item_emb rows 1..V-1, or
// the gathered negatives), where their gradients go (full softmax without grads: null), and the
// logits layout.
struct TrainGraph::ItemHead {
  size_t N = 0, d = 0, S = 0;
  bool sampled = false;
  size_t K = 0;   // candidates from the table
  size_t ld = 0;  // logits row stride
  const float* table = nullptr;
  const float* tbias = nullptr;
  float* dtable = nullptr;
  float* dtbias = nullptr;
  float scale = 0.0f;  // 1 / N
};

void TrainGraph::sample_negatives(const ParamView& w) {
  const size_t d = config_.dim;
  const uint64_t span = config_.num_items;  // ids 1..V-1
  uint64_t state = rng_key_ ^ 0x6E656761746976ull;
  for (size_t j = 0; j < negatives_.size(); ++j) {
    state = splitmix64(state);
    const uint32_t id = static_cast<uint32_t>(1 + state % span);
    negatives_[j] = id;
    std::memcpy(neg_emb_.data() + j * d, w.item_emb + static_cast<size_t>(id) * d, d * sizeof(float));
    neg_bias_[j] = w.item_bias[id];
  }
}

TrainGraph::ItemHead TrainGraph::item_head_operands(const ParamView& w, ParamView* g) {
  ItemHead h;
  h.N = rows_.size();
  h.d = config_.dim;
  h.S = options_.neg_samples;
  h.sampled = h.S > 0;
  h.K = h.sampled ? h.S : config_.num_items;
  h.ld = h.sampled ? 1 + h.S : h.K;
  h.table = h.sampled ? neg_emb_.data() : w.item_emb + h.d;
  h.tbias = h.sampled ? neg_bias_.data() : w.item_bias + 1;
  h.dtable = h.sampled ? dneg_emb_.data() : (g ? g->item_emb + h.d : nullptr);
  h.dtbias = h.sampled ? dneg_bias_.data() : (g ? g->item_bias + 1 : nullptr);
  h.scale = 1.0f / static_cast<float>(h.N);
  return h;
}

// Sampled softmax's column 0 for row r: h_r . item_emb[target] + item_bias[target].
float TrainGraph::target_logit(const ParamView& w, size_t r) const {
  const size_t d = config_.dim;
  const uint32_t item = row_item_[r];
  const float* h = H_.data() + r * d;
  const float* e = w.item_emb + static_cast<size_t>(item) * d;
  float s = 0.0f;
  for (size_t i = 0; i < d; ++i) s += h[i] * e[i];
  return s + w.item_bias[item];
}

// (A), forward: logits of chunk rows [r0, r1) (rows c0 + r0.. of H_), then each row's loss into
// row_loss_ and its dZ in place of its logits (sampled: the target's dZ also into dtarget_).
void TrainGraph::item_rows_loss(const ItemHead& h, const ParamView& w, size_t c0, size_t r0, size_t r1) {
  const size_t d = h.d, S = h.S, K = h.K, ld = h.ld;
  const ConstMatMap E(h.table, idx(K), idx(d));
  const ConstMatMap Hc(H_.data() + (c0 + r0) * d, idx(r1 - r0), idx(d));
  float* Z = logits_.data() + r0 * ld;
  StridedMatMap Zc(Z + (h.sampled ? 1 : 0), idx(r1 - r0), idx(K), Eigen::OuterStride<>(idx(ld)));
  Zc.noalias() = Hc * E.transpose();
  Zc.rowwise() += ConstRowMap(h.tbias, idx(K));
  auto mask_hits = [&](float* z, uint32_t item, float value) {  // negatives equal to the target
    for (size_t j = 0; j < S; ++j)
      if (negatives_[j] == item) z[1 + j] = value;
  };
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  for (size_t r = r0; r < r1; ++r) {
    float* z = logits_.data() + r * ld;
    const uint32_t item = row_item_[c0 + r];
    size_t target = item - 1;
    if (h.sampled) {
      z[0] = target_logit(w, c0 + r);
      mask_hits(z, item, kNegInf);
      target = 0;
    }
    row_loss_[c0 + r] = softmax_xent_backward_inplace(z, ld, target, h.scale);
    if (h.sampled) {
      dtarget_[c0 + r] = z[0];
      mask_hits(z, item, 0.0f);  // masked: exactly no gradient
    }
  }
}

// (A), backward: dH of chunk rows [r0, r1) = dZ . table (sampled: plus dz_target * item_emb[target]).
void TrainGraph::item_rows_dh(const ItemHead& h, const ParamView& w, size_t c0, size_t r0, size_t r1) {
  const size_t d = h.d, K = h.K, ld = h.ld;
  const ConstMatMap E(h.table, idx(K), idx(d));
  float* Z = logits_.data() + r0 * ld;
  StridedMatMap Zc(Z + (h.sampled ? 1 : 0), idx(r1 - r0), idx(K), Eigen::OuterStride<>(idx(ld)));
  MatMap dHc(dH_.data() + (c0 + r0) * d, idx(r1 - r0), idx(d));
  dHc.noalias() = Zc * E;
  if (!h.sampled) return;
  for (size_t r = r0; r < r1; ++r) {
    const float dz = dtarget_[c0 + r];
    const float* e = w.item_emb + static_cast<size_t>(row_item_[c0 + r]) * d;
    float* dh = dH_.data() + (c0 + r) * d;
    for (size_t i = 0; i < d; ++i) dh[i] += dz * e[i];
  }
}

// (B): candidates [k0, k1) of a chunk of rc rows starting at row c0: dtable += dZ^T . H,
// dbias += colsum dZ.
void TrainGraph::item_candidates_grad(const ItemHead& h, size_t c0, size_t rc, size_t k0, size_t k1) {
  const size_t d = h.d, ld = h.ld;
  const float* Z = logits_.data() + (h.sampled ? 1 : 0);
  const ConstStridedMatMap Zc(Z + k0, idx(rc), idx(k1 - k0), Eigen::OuterStride<>(idx(ld)));
  MatMap dE(h.dtable + k0 * d, idx(k1 - k0), idx(d));
  dE.noalias() += Zc.transpose() * ConstMatMap(H_.data() + c0 * d, idx(rc), idx(d));
  Eigen::Map<Eigen::ArrayXf> db(h.dtbias + k0, idx(k1 - k0));
  for (size_t r = 0; r < rc; ++r) db += Eigen::Map<const Eigen::ArrayXf>(Z + r * ld + k0, idx(k1 - k0));
}

// Sampled softmax: adds the negatives' and the targets' gradients into the item table, in a fixed
// order: negatives, then targets.
void TrainGraph::scatter_sampled_grads(ParamView* g) {
  const size_t N = rows_.size(), d = config_.dim, S = options_.neg_samples;
  for (size_t j = 0; j < S; ++j) {
    float* dst = g->item_emb + static_cast<size_t>(negatives_[j]) * d;
    const float* src = dneg_emb_.data() + j * d;
    for (size_t i = 0; i < d; ++i) dst[i] += src[i];
    g->item_bias[negatives_[j]] += dneg_bias_[j];
  }
  for (size_t r = 0; r < N; ++r) {
    const uint32_t item = row_item_[r];
    const float dz = dtarget_[r];
    float* dst = g->item_emb + static_cast<size_t>(item) * d;
    const float* h = H_.data() + r * d;
    for (size_t i = 0; i < d; ++i) dst[i] += dz * h[i];
    g->item_bias[item] += dz;
  }
}

double TrainGraph::item_head(const ParamView& w, ParamView* g) {
  const ItemHead h = item_head_operands(w, g);
  if (h.sampled && g) {
    zero(dneg_emb_.data(), h.S * h.d);
    zero(dneg_bias_.data(), h.S);
  }
  const size_t N = h.N, nt = pool_->size();
  for (size_t c0 = 0; c0 < N; c0 += head_rows_) {
    const size_t rc = std::min(head_rows_, N - c0);
    pool_->run([&](size_t tid) {  // (A) rows
      const size_t r0 = part(rc, tid, nt), r1 = part(rc, tid + 1, nt);
      if (r0 == r1) return;
      item_rows_loss(h, w, c0, r0, r1);
      if (g) item_rows_dh(h, w, c0, r0, r1);
    });
    if (!g) continue;
    pool_->run([&](size_t tid) {  // (B) candidates
      const size_t k0 = part(h.K, tid, nt), k1 = part(h.K, tid + 1, nt);
      if (k0 != k1) item_candidates_grad(h, c0, rc, k0, k1);
    });
  }
  if (h.sampled && g) scatter_sampled_grads(g);
  double sum = 0.0;
  for (size_t r = 0; r < N; ++r) sum += row_loss_[r];
  return sum;
}

void TrainGraph::set_action_prior(const ActionHead& head) {
  action_prior_.clear();
  prior_buckets_ = 1;
  if (head.active() && head.validate(config_.num_actions, config_.time_buckets).ok()) {
    action_prior_ = head.log_prior;
    prior_buckets_ = head.buckets;
  }
}

// Action head: Za[N,A] = H . action_w^T + action_b (+ the prior row of each row's token, a
// constant); softmax-xent per row; dH += dZa . action_w.
double TrainGraph::action_head(const ParamView& w, ParamView* g) {
  const size_t N = rows_.size(), d = config_.dim, A = config_.num_actions;
  float* Z = action_logits_.data();
  linear_forward_gemm(Z, H_.data(), w.action_w, w.action_b, N, d, A);
  if (!action_prior_.empty()) {
    for (size_t r = 0; r < N; ++r) {
      const float* prior = action_prior_.data() + static_cast<size_t>(row_prior_[r]) * A;
      for (size_t a = 0; a < A; ++a) Z[r * A + a] += prior[a];
    }
  }
  const float scale = options_.action_weight / static_cast<float>(N);
  double sum = 0.0;
  for (size_t r = 0; r < N; ++r) sum += softmax_xent_backward_inplace(Z + r * A, A, row_action_[r], scale);
  if (g)
    linear_backward(options_.action_detached ? nullptr : dH_.data(), g->action_w, g->action_b, Z, H_.data(), w.action_w,
                    N, d, A);
  return sum;
}

}  // namespace forecart::train
