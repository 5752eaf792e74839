// The catalogue scorer (see scorer.h).
#include "model/scorer.h"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.h"
#include "quant/q8.h"

namespace forecart {

Scorer::Scorer(const Model& m)
    : model_(m),
      bias_(m.rest.arena.data() + m.rest.layout.find("item_bias")->offset),
      q_(m.config.dim),
      window_items_(m.config.max_len) {
  sparse_.reserve(64);
}

void Scorer::logits(const Predictor& p, float* out) const {
  base_logits(p.state(), out);
  add_evidence(p.tokens(), p.window(), out);
}

float Scorer::logit(const Predictor& p, uint32_t id) const {
  float z = base_logit(p.state(), id);
  if (model_.evidence.active()) {
    const size_t n = std::min(p.window(), window_items_.size());
    z += evidence_term(model_.evidence, window_ids(p.tokens(), n), n, id);
  }
  return z;
}

void Scorer::add_evidence(const Token* window, size_t n, float* logits) const {
  if (!model_.evidence.active()) return;
  n = std::min(n, window_items_.size());
  forecart::add_evidence(model_.evidence, window_ids(window, n), n, logits, &sparse_);
}

const uint32_t* Scorer::window_ids(const Token* window, size_t n) const {
  for (size_t i = 0; i < n; ++i) window_items_[i] = window[i].item;
  return window_items_.data();
}

void Scorer::base_logits(const float* state, float* out) const {
  const ItemTable& t = model_.items;
  if (t.quantized) {
    const float scale = quantize_row_q8_ref(state, t.cols, q_.data());
    q8_gemv(t.q8.data.data(), t.q8.scales.data(), q_.data(), scale, bias_, t.rows, t.cols, out);
  } else {
    f32_gemv(t.f32.data(), state, bias_, t.rows, t.cols, out);
  }
}

float Scorer::base_logit(const float* state, uint32_t id) const {
  const ItemTable& t = model_.items;
  float out = 0.0f;
  if (t.quantized) {
    const float scale = quantize_row_q8_ref(state, t.cols, q_.data());
    q8_gemv(t.q8.row(id), t.q8.scales.data() + id, q_.data(), scale, bias_ + id, 1, t.cols, &out);
  } else {
    f32_gemv(t.f32.data() + static_cast<size_t>(id) * t.cols, state, bias_ + id, 1, t.cols, &out);
  }
  return out;
}

float Scorer::log_normaliser(const float* logits) const {
  const size_t V = model_.config.vocab();
  if (V < 2) return 0.0f;
  const float mx = f32_max(logits + 1, V - 1);
  return mx + std::log(f32_sum_exp(logits + 1, V - 1, mx));
}

}  // namespace forecart
