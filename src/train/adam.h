// AdamW over the flat parameter arena, and global-norm gradient clipping.
//
// Update (PyTorch AdamW semantics, bias-corrected), per element, at step t = 1, 2, ...:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr * wd * p                                   (decoupled decay; decayed tensors only)
//   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Weight decay applies to the linear layers' weight matrices only (qkv_w, proj_w, fc1_w, fc2_w,
// action_w): biases and LayerNorm gains/shifts are never decayed (decay would fight their role
// as offsets and scales), and the embedding tables (item, action, time, position) are not by
// default (as minGPT: the item table is also the output head of a long-tailed catalogue, where
// decay shrinks rare items, seen in few batches, far more than frequent ones). decay_embeddings
// turns it on for the four tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "model/config.h"

namespace forecart::train {

struct AdamOptions {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.98f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;  // decoupled (AdamW); 0 = plain Adam
  bool decay_embeddings = false;
};

class AdamW {
 public:
  // Moments are zero-initialised for every tensor of layout.
  static Result<AdamW> create(const ParamLayout& layout, const AdamOptions& options);

  // One update of params (size layout.total) with grads (same size). lr overrides options.lr
  // for this step when >= 0 (for schedules). Returns kInvalidArgument on a size mismatch or a
  // non-finite/negative lr, without touching anything.
  Status step(std::vector<float>& params, const std::vector<float>& grads, float lr = -1.0f);

  uint64_t steps() const { return t_; }
  const AdamOptions& options() const { return options_; }
  // Moments, for checkpoints (resume with set_state).
  const std::vector<float>& m() const { return m_; }
  const std::vector<float>& v() const { return v_; }
  Status set_state(std::vector<float> m, std::vector<float> v, uint64_t steps);
  // Whether element i of the arena is weight-decayed.
  bool decays(size_t i) const { return decay_[i] != 0.0f; }

 private:
  AdamOptions options_;
  size_t total_ = 0;
  std::vector<float> m_, v_;
  std::vector<float> decay_;  // per element: 1 = weight-decayed, 0 = not
  uint64_t t_ = 0;
};

// Global L2 norm of grads[0..n) (accumulated in double). When max_norm > 0 and the norm exceeds
// it, grads are scaled by max_norm / norm. Returns the norm before clipping; a non-finite norm
// (NaN/inf gradient) is returned as is with grads untouched, so the caller can skip the step.
double clip_grad_norm(float* grads, size_t n, double max_norm);

}  // namespace forecart::train
