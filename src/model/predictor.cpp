// Incremental inference over a sliding window with a key/value cache (see predictor.h).
#include "model/predictor.h"

#include <algorithm>
#include <cstring>

#include "kernels/kernels.h"
#include "model/layers.h"

namespace forecart {

Predictor::Predictor(const Model& m)
    : model_(m),
      w_(ParamView::bind(m.rest.layout, const_cast<float*>(m.rest.arena.data()))),
      tokens_(m.config.max_len),
      cache_(m.config),
      scratch_(m.config),
      hidden_(static_cast<size_t>(m.config.max_len) * m.config.dim, 0.0f) {}

void Predictor::reset() {
  count_ = 0;
  last_time_ = -1;
  state_row_ = 0;
  std::fill(hidden_.begin(), hidden_.begin() + model_.config.dim, 0.0f);
}

Status Predictor::push(uint32_t item, uint32_t action, int64_t time) {
  const ModelConfig& c = model_.config;
  if (item >= c.vocab()) return invalid_argument("item index " + std::to_string(item) + " outside the vocabulary");
  if (action >= c.num_actions)
    return invalid_argument("action index " + std::to_string(action) + " outside the model's actions");
  const Token tok{item, action, time_bucket(last_time_, time, c.time_buckets)};  // 0 for the first event
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
  forward_tokens(model_, w_, &tokens_[count_], 1, count_, &cache_, &scratch_, hidden_.data());
  state_row_ = 0;
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
  return Status::Ok();
}

void Predictor::recompute() {
  if (count_ == 0) {
    state_row_ = 0;
    std::fill(hidden_.begin(), hidden_.begin() + model_.config.dim, 0.0f);
    return;
  }
  forward_tokens(model_, w_, tokens_.data(), count_, 0, &cache_, &scratch_, hidden_.data());
  state_row_ = count_ - 1;
}

void Predictor::action_probs(float* out) const {
  const ModelConfig& c = model_.config;
  const ActionHead& head = model_.action_head;
  if (empty()) {
    if (head.active()) {
      std::memcpy(out, head.marginal.data(), c.num_actions * sizeof(float));
      return;
    }
    std::memcpy(out, w_.action_b, c.num_actions * sizeof(float));
    softmax_inplace(out, c.num_actions);
    return;
  }
  f32_gemv(w_.action_w, state(), w_.action_b, c.num_actions, c.dim, out);
  action_probs_from(head, out, tokens_[count_ - 1], c.num_actions, out);
}

}  // namespace forecart
