// Implements model/session.h: id mapping, filters, top-k, popularity fallback and explain.
#include "model/session.h"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.h"
#include "model/layers.h"

namespace forecart {

Session::Session(const Model& m)
    : predictor_(m),
      scratch_(m),
      scorer_(m),
      without_(m.config.max_len),
      probs_(m.config.num_actions, 0.0f),
      logits_(m.config.vocab(), 0.0f),
      banned_(m.config.vocab(), 0) {}

int Session::action_index(const std::string& name) const {
  const auto& names = model().meta.action_names;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

int64_t Session::category_index(const std::string& name) const {
  const auto& names = model().meta.category_names;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int64_t>(i);
  return -1;
}

Status Session::record(const std::string& item_id, const std::string& action, int64_t time) {
  const int a = action_index(action);
  if (a < 0) return invalid_argument("unknown action '" + action + "'");
  return predictor_.push(model().item_index(item_id), static_cast<uint32_t>(a), time);
}

void Session::prepare_scores() {
  const Model& m = model();
  const size_t V = m.config.vocab();
  if (predictor_.empty() || V < 2) {
    // Popularity prior: already probabilities. keys_[id] = popularity[id - 1].
    keys_ = m.meta.popularity.empty() ? nullptr : m.meta.popularity.data() - 1;
    log_norm_ = 0.0f;
    return;
  }
  scorer_.logits(predictor_, logits_.data());
  // Only the normaliser is needed here: probabilities are computed for the items that are returned.
  log_norm_ = scorer_.log_normaliser(logits_.data());
  keys_ = logits_.data();
}

float Session::score(uint32_t id) const {
  if (id == 0 || id >= model().config.vocab() || !keys_) return 0.0f;
  return predictor_.empty() ? keys_[id] : std::exp(keys_[id] - log_norm_);
}

Status Session::predict(const PredictOptions& opts, Prediction* out) {
  const Model& m = model();
  const size_t V = m.config.vocab();
  if (opts.category >= 0 &&
      (m.meta.category_names.empty() || opts.category >= static_cast<int64_t>(m.meta.category_names.size())))
    return invalid_argument("category index out of range (the model has " +
                            std::to_string(m.meta.category_names.size()) + " categories)");
  prepare_scores();
  out->from_popularity = predictor_.empty();
  out->actions.resize(m.config.num_actions);
  predictor_.action_probs(out->actions.data());

  for (uint32_t id : opts.exclude)
    if (id < V) banned_[id] = 1;
  banned_[0] = 1;
  auto eligible = [&](uint32_t id) {
    if (id >= V || banned_[id]) return false;
    if (opts.category >= 0 && m.meta.item_category[id - 1] != static_cast<uint32_t>(opts.category)) return false;
    return true;
  };
  // Best first; ties by the lower id so that results are deterministic.
  auto better = [](const ScoredItem& a, const ScoredItem& b) {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
  };
  auto& items = out->items;
  items.clear();
  const size_t k = opts.k;
  // Ranked by key (logit or popularity), monotonic in the probability; ties by the lower id.
  auto offer = [&](uint32_t id) {
    ScoredItem s{id, keys_ ? keys_[id] : 0.0f};
    if (items.size() < k) {
      items.push_back(s);
      std::push_heap(items.begin(), items.end(), better);  // heap top = worst kept
    } else if (k > 0 && better(s, items.front())) {
      std::pop_heap(items.begin(), items.end(), better);
      items.back() = s;
      std::push_heap(items.begin(), items.end(), better);
    }
  };
  if (!opts.allow.empty()) {
    for (uint32_t id : opts.allow)
      if (eligible(id)) {
        offer(id);
        banned_[id] = 1;  // an id listed twice is offered once
      }
    for (uint32_t id : opts.allow)
      if (id < V) banned_[id] = 0;
  } else {
    // Hot loop over the catalogue: once k items are kept, anything below the worst kept key is
    // rejected with one compare before the eligibility checks (ties go through the full test).
    // Ids ascend, so once k items are kept a key equal to the worst kept one can never enter
    // (ties keep the lower id): the SIMD skip of keys <= that threshold is exact.
    const float* keys = keys_;
    uint32_t id = 1;
    for (; id < V && (!keys || items.size() < k); ++id)
      if (eligible(id)) offer(id);
    while (keys && k > 0 && id < V) {
      id = static_cast<uint32_t>(f32_first_above(keys, id, V, items.front().score));
      if (id >= V) break;
      if (eligible(id)) offer(id);
      ++id;
    }
  }
  std::sort_heap(items.begin(), items.end(), better);
  for (auto& it : items) it.score = score(it.index);
  for (uint32_t id : opts.exclude)
    if (id < V) banned_[id] = 0;
  banned_[0] = 0;
  return Status::Ok();
}

Status Session::explain(const std::vector<uint32_t>& items, std::vector<float>* out, std::vector<float>* actions) {
  const size_t W = predictor_.window(), V = model().config.vocab(), A = model().config.num_actions;
  for (uint32_t id : items)
    if (id >= V) return invalid_argument("explain: item index outside the vocabulary");
  out->resize(items.size() * W);
  for (size_t i = 0; i < items.size(); ++i)  // each row starts at the item's logit with the whole window
    std::fill(out->begin() + i * W, out->begin() + (i + 1) * W, scorer_.logit(predictor_, items[i]));
  if (actions) {
    actions->resize(W * A);
    predictor_.action_probs(probs_.data());
    for (size_t j = 0; j < W; ++j) std::copy(probs_.begin(), probs_.end(), actions->begin() + j * A);
  }
  const Token* toks = predictor_.tokens();
  for (size_t j = 0; j < W; ++j) {
    size_t n = 0;
    for (size_t i = 0; i < W; ++i)
      if (i != j) without_[n++] = toks[i];
    FORECART_RETURN_IF_ERROR(scratch_.assign(without_.data(), n));
    // With no event left the state is zero and the logit is the item's bias alone.
    for (size_t i = 0; i < items.size(); ++i) (*out)[i * W + j] -= scorer_.logit(scratch_, items[i]);
    if (actions) {
      scratch_.action_probs(probs_.data());  // with no event left: the empty history's probabilities
      for (size_t a = 0; a < A; ++a) (*actions)[j * A + a] -= probs_[a];
    }
  }
  return Status::Ok();
}

void Session::score_items(const std::vector<uint32_t>& items, std::vector<float>* scores) {
  prepare_scores();
  scores->resize(items.size());
  for (size_t i = 0; i < items.size(); ++i) (*scores)[i] = score(items[i]);
}

}  // namespace forecart
