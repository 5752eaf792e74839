// Implements model/action_head.h.
#include "model/action_head.h"

#include <cmath>
#include <string>

#include "model/layers.h"

namespace forecart {

Status ActionHead::validate(uint32_t num_actions, uint32_t time_buckets) const {
  if (!active()) return Status::Ok();
  if (actions != num_actions || (buckets != time_buckets && buckets != 1))
    return invalid_argument("action head is for " + std::to_string(actions) + " actions and " +
                            std::to_string(buckets) + " time buckets, the model has " + std::to_string(num_actions) +
                            " and " + std::to_string(time_buckets));
  if (marginal.size() != actions || log_prior.size() != static_cast<size_t>(actions) * buckets * actions)
    return invalid_argument("action head tables have the wrong sizes");
  double sum = 0;
  for (float p : marginal) {
    if (!(p >= 0.0f && p <= 1.0f)) return invalid_argument("action head marginal outside [0, 1]");
    sum += p;
  }
  if (std::fabs(sum - 1.0) > 1e-3) return invalid_argument("action head marginal does not sum to 1");
  for (float l : log_prior)
    if (!(l <= 0.0f && std::isfinite(l))) return invalid_argument("action head log prior not a finite log probability");
  if (!(alpha >= 0.0f && alpha <= 1e3f)) return invalid_argument("action head alpha outside [0, 1000]");
  if (!(temperature > 0.0f && temperature <= 1e3f))
    return invalid_argument("action head temperature outside (0, 1000]");
  if (!shift.empty() && shift.size() != actions) return invalid_argument("action head shift has the wrong size");
  for (float b : shift)
    if (!(std::fabs(b) <= 1e3f)) return invalid_argument("action head shift not finite");
  return Status::Ok();
}

void action_probs_from(const ActionHead& head, const float* z, const Token& last, size_t A, float* out) {
  if (!head.active()) {
    for (size_t a = 0; a < A; ++a) out[a] = z[a];
  } else {
    const float* prior = head.prior_row(last);
    for (size_t a = 0; a < A; ++a)
      out[a] = (prior[a] + head.alpha * z[a]) / head.temperature + (head.shift.empty() ? 0.0f : head.shift[a]);
  }
  softmax_inplace(out, A);
}

}  // namespace forecart
