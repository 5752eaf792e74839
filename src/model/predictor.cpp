#include "model/predictor.h"

#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"
#include "model/layers.h"

namespace forecart {

namespace {

// x = item + action + time + position embeddings of one token.
void embed_token(const Model& m, const ParamView& w, const Token& tok, size_t pos, float* row, float* x) {
  const size_t d = m.config.dim;
  m.items.row(tok.item, row);
  const float* a = w.action_emb + static_cast<size_t>(tok.action) * d;
  const float* tb = w.time_emb + static_cast<size_t>(tok.time_bucket) * d;
  const float* p = w.pos_emb + pos * d;
  for (size_t i = 0; i < d; ++i) x[i] = row[i] + a[i] + tb[i] + p[i];
}

void activation_forward(const ModelConfig& c, float* x, size_t n) {
  if (c.activation == Activation::kRelu) {
    relu_forward(x, x, n);
  } else {
    gelu_forward(x, x, n);
  }
}

}  // namespace

void forward_sequence(const Model& m, const Token* tokens, size_t T, float* hidden) {
  const ModelConfig& c = m.config;
  const size_t d = c.dim, f = c.ffn_dim;
  ParamView w = ParamView::bind(m.rest.layout, const_cast<float*>(m.rest.arena.data()));
  std::vector<float> x(T * d), xn(T * d), qkv(T * 3 * d), att(c.heads * T * T), ao(T * d), h(T * f), row(d), tmp(T * d);
  for (size_t t = 0; t < T; ++t) embed_token(m, w, tokens[t], t, row.data(), x.data() + t * d);
  for (const BlockView& b : w.blocks) {
    layernorm_forward(xn.data(), nullptr, nullptr, x.data(), b.ln1_g, b.ln1_b, T, d, c.norm_eps);
    linear_forward(qkv.data(), xn.data(), b.qkv_w, b.qkv_b, T, d, 3 * d);
    attention_forward(ao.data(), att.data(), qkv.data(), T, d, c.heads);
    linear_forward(tmp.data(), ao.data(), b.proj_w, b.proj_b, T, d, d);
    for (size_t i = 0; i < T * d; ++i) x[i] += tmp[i];
    layernorm_forward(xn.data(), nullptr, nullptr, x.data(), b.ln2_g, b.ln2_b, T, d, c.norm_eps);
    linear_forward(h.data(), xn.data(), b.fc1_w, b.fc1_b, T, d, f);
    activation_forward(c, h.data(), T * f);
    linear_forward(tmp.data(), h.data(), b.fc2_w, b.fc2_b, T, f, d);
    for (size_t i = 0; i < T * d; ++i) x[i] += tmp[i];
  }
  layernorm_forward(hidden, nullptr, nullptr, x.data(), w.lnf_g, w.lnf_b, T, d, c.norm_eps);
}

Predictor::Predictor(const Model& m) : model_(m) {
  const ModelConfig& c = m.config;
  const size_t d = c.dim, L = c.max_len;
  w_ = ParamView::bind(m.rest.layout, const_cast<float*>(m.rest.arena.data()));
  tokens_.resize(L);
  kcache_.assign(c.layers * L * d, 0.0f);
  vcache_.assign(c.layers * L * d, 0.0f);
  x_.resize(d);
  xn_.resize(d);
  qkv_.resize(3 * d);
  att_.resize(L);
  attn_out_.resize(d);
  ffn_.resize(c.ffn_dim);
  row_.resize(d);
  hidden_.assign(d, 0.0f);
  state_q8_.resize(d);
}

void Predictor::reset() {
  count_ = 0;
  last_time_ = -1;
  std::fill(hidden_.begin(), hidden_.end(), 0.0f);
}

Status Predictor::push(uint32_t item, uint32_t action, int64_t time) {
  const ModelConfig& c = model_.config;
  if (item >= c.vocab()) return invalid_argument("item index " + std::to_string(item) + " outside the vocabulary");
  if (action >= c.num_actions) return invalid_argument("action index " + std::to_string(action) + " outside the model's actions");
  Token tok{item, action, time_bucket(last_time_, time, c.time_buckets)};  // 0 for the first event
  last_time_ = time;
  if (count_ == c.max_len) {
    // Block slide: keep the newest half and recompute it once, so that an event costs about two
    // tokens on average instead of a full window every time once the window is full.
    const size_t keep = c.max_len / 2;
    std::memmove(tokens_.data(), tokens_.data() + (count_ - keep), keep * sizeof(Token));
    count_ = keep;
    recompute();
  }
  tokens_[count_] = tok;
  run_token(count_);
  ++count_;
  return Status::Ok();
}

Status Predictor::assign(const Token* tokens, size_t n) {
  const ModelConfig& c = model_.config;
  if (n > c.max_len) return invalid_argument("assign: more tokens than max_len");
  for (size_t i = 0; i < n; ++i)
    if (tokens[i].item >= c.vocab() || tokens[i].action >= c.num_actions || tokens[i].time_bucket >= c.time_buckets)
      return invalid_argument("assign: token out of range");
  std::copy(tokens, tokens + n, tokens_.begin());
  count_ = n;
  recompute();
  if (n == 0) std::fill(hidden_.begin(), hidden_.end(), 0.0f);
  return Status::Ok();
}

void Predictor::recompute() {
  for (size_t pos = 0; pos < count_; ++pos) run_token(pos);
}

void Predictor::run_token(size_t pos) {
  const ModelConfig& c = model_.config;
  const size_t d = c.dim, f = c.ffn_dim, L = c.max_len;
  float* x = x_.data();
  embed_token(model_, w_, tokens_[pos], pos, row_.data(), x);
  for (size_t l = 0; l < w_.blocks.size(); ++l) {
    const BlockView& b = w_.blocks[l];
    float* kc = kcache_.data() + l * L * d;
    float* vc = vcache_.data() + l * L * d;
    layernorm_forward(xn_.data(), nullptr, nullptr, x, b.ln1_g, b.ln1_b, 1, d, c.norm_eps);
    f32_gemv(b.qkv_w, xn_.data(), b.qkv_b, 3 * d, d, qkv_.data());
    std::memcpy(kc + pos * d, qkv_.data() + d, d * sizeof(float));
    std::memcpy(vc + pos * d, qkv_.data() + 2 * d, d * sizeof(float));
    attention_one(attn_out_.data(), att_.data(), qkv_.data(), kc, vc, pos + 1, d, c.heads);
    f32_gemv(b.proj_w, attn_out_.data(), b.proj_b, d, d, xn_.data());
    for (size_t i = 0; i < d; ++i) x[i] += xn_[i];
    layernorm_forward(xn_.data(), nullptr, nullptr, x, b.ln2_g, b.ln2_b, 1, d, c.norm_eps);
    f32_gemv(b.fc1_w, xn_.data(), b.fc1_b, f, d, ffn_.data());
    activation_forward(c, ffn_.data(), f);
    f32_gemv(b.fc2_w, ffn_.data(), b.fc2_b, d, f, xn_.data());
    for (size_t i = 0; i < d; ++i) x[i] += xn_[i];
  }
  layernorm_forward(hidden_.data(), nullptr, nullptr, x, w_.lnf_g, w_.lnf_b, 1, d, c.norm_eps);
}

void Predictor::action_probs(float* out) const {
  const ModelConfig& c = model_.config;
  if (empty()) {
    std::memcpy(out, w_.action_b, c.num_actions * sizeof(float));
  } else {
    f32_gemv(w_.action_w, hidden_.data(), w_.action_b, c.num_actions, c.dim, out);
  }
  softmax_inplace(out, c.num_actions);
}

void Predictor::logits(float* out) const {
  const ItemTable& t = model_.items;
  if (t.quantized) {
    const float scale = quantize_row_q8_ref(hidden_.data(), t.cols, state_q8_.data());
    q8_gemv(t.q8.data.data(), t.q8.scales.data(), state_q8_.data(), scale, w_.item_bias, t.rows, t.cols, out);
  } else {
    f32_gemv(t.f32.data(), hidden_.data(), w_.item_bias, t.rows, t.cols, out);
  }
}

float Predictor::logit(uint32_t item) const {
  const ItemTable& t = model_.items;
  float out = 0.0f;
  if (t.quantized) {
    const float scale = quantize_row_q8_ref(hidden_.data(), t.cols, state_q8_.data());
    q8_gemv(t.q8.row(item), t.q8.scales.data() + item, state_q8_.data(), scale, w_.item_bias + item, 1, t.cols, &out);
  } else {
    f32_gemv(t.f32.data() + static_cast<size_t>(item) * t.cols, hidden_.data(), w_.item_bias + item, 1, t.cols, &out);
  }
  return out;
}

}  // namespace forecart
