// AdamW and global-norm clipping over the flat parameter arena (see adam.h).
#include "train/adam.h"

#include <cmath>
#include <string>

#include "train/eigen.h"

namespace forecart::train {

namespace {

bool ends_with(const std::string& s, const char* suffix) {
  const std::string t(suffix);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

bool is_embedding(const std::string& name) {
  return name == "item_emb" || name == "action_emb" || name == "time_emb" || name == "pos_emb";
}

}  // namespace

Result<AdamW> AdamW::create(const ParamLayout& layout, const AdamOptions& o) {
  if (!(o.lr >= 0.0f && std::isfinite(o.lr))) return invalid_argument("adam: lr must be finite and >= 0");
  if (!(o.beta1 >= 0.0f && o.beta1 < 1.0f) || !(o.beta2 >= 0.0f && o.beta2 < 1.0f))
    return invalid_argument("adam: betas must be in [0, 1)");
  if (!(o.eps > 0.0f && std::isfinite(o.eps))) return invalid_argument("adam: eps must be > 0");
  if (!(o.weight_decay >= 0.0f && std::isfinite(o.weight_decay)))
    return invalid_argument("adam: weight_decay must be finite and >= 0");
  AdamW a;
  a.options_ = o;
  a.total_ = layout.total;
  a.m_.assign(layout.total, 0.0f);
  a.v_.assign(layout.total, 0.0f);
  a.decay_.assign(layout.total, 0.0f);
  for (const ParamTensor& t : layout.tensors) {
    const bool matrix = ends_with(t.name, "_w");  // linear weights: qkv_w, proj_w, fc1_w, fc2_w, action_w
    const bool decayed = matrix || (o.decay_embeddings && is_embedding(t.name));
    if (decayed)
      for (size_t i = 0; i < t.size(); ++i) a.decay_[t.offset + i] = 1.0f;
  }
  return a;
}

Status AdamW::set_state(std::vector<float> m, std::vector<float> v, uint64_t steps) {
  if (m.size() != total_ || v.size() != total_) return invalid_argument("adam: moment sizes do not match the layout");
  m_ = std::move(m);
  v_ = std::move(v);
  t_ = steps;
  return Status::Ok();
}

Status AdamW::step(std::vector<float>& params, const std::vector<float>& grads, float lr) {
  if (params.size() != total_ || grads.size() != total_)
    return invalid_argument("adam: params/grads have " + std::to_string(params.size()) + "/" +
                            std::to_string(grads.size()) + " floats, the layout " + std::to_string(total_));
  if (lr < 0.0f) lr = options_.lr;
  if (!std::isfinite(lr)) return invalid_argument("adam: lr must be finite");
  ++t_;
  const float b1 = options_.beta1, b2 = options_.beta2, eps = options_.eps;
  const double t = static_cast<double>(t_);
  const float c1 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(b1), t)));
  const float c2 = static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(b2), t)));
  // Vectorised over the whole arena: p *= 1 - lr * wd * mask; p -= lr * m_hat / (sqrt(v_hat) + eps).
  const Eigen::Index n = static_cast<Eigen::Index>(total_);
  Eigen::Map<Eigen::ArrayXf> p(params.data(), n), m(m_.data(), n), v(v_.data(), n);
  const Eigen::Map<const Eigen::ArrayXf> g(grads.data(), n), mask(decay_.data(), n);
  m = b1 * m + (1.0f - b1) * g;
  v = b2 * v + (1.0f - b2) * g.square();
  p = p * (1.0f - (lr * options_.weight_decay) * mask) - lr * (m * c1) / ((v * c2).sqrt() + eps);
  return Status::Ok();
}

double clip_grad_norm(float* grads, size_t n, double max_norm) {
  Eigen::Map<Eigen::ArrayXf> g(grads, static_cast<Eigen::Index>(n));
  const double norm = std::sqrt(g.cast<double>().square().sum());
  if (!std::isfinite(norm)) return norm;
  if (max_norm > 0.0 && norm > max_norm) g *= static_cast<float>(max_norm / norm);
  return norm;
}

}  // namespace forecart::train
