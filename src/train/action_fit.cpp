// Implements train/action_fit.h.
#include "train/action_fit.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "data/split.h"
#include "kernels/kernels.h"
#include "train/baselines.h"
#include "train/eigen.h"
#include "train/eval.h"

namespace forecart::train {

namespace {

// The prior over `buckets` time buckets (1: the time ignored) from the training counts: P(a | l),
// and per bucket P(a | l, b) = (c(l, b, a) + A P(a | l)) / (c(l, b) + A).
ActionHead prior_table(const ActionCounts& c, size_t buckets) {
  const size_t A = c.A;
  ActionHead h;
  h.actions = static_cast<uint32_t>(A);
  h.buckets = static_cast<uint32_t>(buckets);
  double total = 0;
  for (double m : c.marginal) total += m;
  for (double m : c.marginal) h.marginal.push_back(static_cast<float>(m / total));
  h.log_prior.resize(A * buckets * A);
  for (size_t l = 0; l < A; ++l) {
    for (size_t b = 0; b < buckets; ++b) {
      const double* t = c.next.data() + (l * c.B + b) * A;
      double cell = 0;
      for (size_t a = 0; a < A; ++a) cell += t[a];
      for (size_t a = 0; a < A; ++a) {
        const double p_l = c.transition(l, a);
        const double p = buckets > 1 ? (t[a] + static_cast<double>(A) * p_l) / (cell + static_cast<double>(A)) : p_l;
        h.log_prior[(l * buckets + b) * A + a] = static_cast<float>(std::log(p));
      }
    }
  }
  return h;
}

}  // namespace

ActionHead count_action_prior(const data::Dataset& ds, const ModelConfig& c, double* valid_loss_time,
                              double* valid_loss_plain) {
  const size_t A = c.num_actions, B = c.time_buckets;
  if (A < 2) return ActionHead{};
  const ActionCounts counts = count_actions(ds, {}, A, B);
  ActionHead timed = prior_table(counts, counts.B);
  ActionHead plain = prior_table(counts, 1);
  // The validation targets pick the table: each held-out user's validation event given its last
  // training event. (No test event is read.)
  double lt = 0, lp = 0;
  size_t n = 0;
  for (const auto& seq : ds.sequences) {
    if (!data::has_holdout(seq)) continue;
    const size_t t = data::target_index(seq, data::Fold::kValidation);
    const Token last{0, seq[t - 1].action, event_time_bucket(seq, t - 1, c.time_buckets)};
    lt -= timed.prior_row(last)[seq[t].action];
    lp -= plain.prior_row(last)[seq[t].action];
    ++n;
  }
  if (n) lt /= static_cast<double>(n), lp /= static_cast<double>(n);
  if (valid_loss_time) *valid_loss_time = lt;
  if (valid_loss_plain) *valid_loss_plain = lp;
  return n && lt < lp ? timed : plain;
}

namespace {

// One validation case: the prior row of its newest token, the learned logits and the truth.
struct ActionCase {
  std::vector<float> prior, z;
  uint32_t target = 0;
  bool used = false;
};

struct Fit {
  double log_loss = 0, accuracy = 0;
};

// The case's logits under (alpha, temperature, shift) into logits[A].
void case_logits(const ActionCase& c, size_t A, float alpha, float temperature, const std::vector<double>& shift,
                 std::vector<double>* logits) {
  for (size_t a = 0; a < A; ++a) (*logits)[a] = (c.prior[a] + alpha * c.z[a]) / temperature + shift[a];
}

Fit score(const std::vector<ActionCase>& cases, size_t A, float alpha, float temperature,
          const std::vector<double>& shift) {
  Fit f;
  size_t n = 0;
  std::vector<double> logits(A);
  for (const ActionCase& c : cases) {
    if (!c.used) continue;
    case_logits(c, A, alpha, temperature, shift, &logits);
    const size_t arg = static_cast<size_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    double sum = 0;
    for (double l : logits) sum += std::exp(l - logits[arg]);
    f.log_loss += std::log(sum) + logits[arg] - logits[c.target];
    f.accuracy += arg == c.target ? 1.0 : 0.0;
    ++n;
  }
  if (n) f.log_loss /= static_cast<double>(n), f.accuracy /= static_cast<double>(n);
  return f;
}

// The best temperature on the grid 0.5 .. 5 (by 0.1) and alpha on 0 .. 2 (by 0.1) for a shift.
Fit grid(const std::vector<ActionCase>& cases, size_t A, const std::vector<double>& shift, float* alpha, float* t) {
  Fit best = score(cases, A, 0.0f, 1.0f, shift);
  *alpha = 0.0f;
  *t = 1.0f;
  for (int ai = 0; ai <= 20; ++ai) {
    const float al = 0.1f * static_cast<float>(ai);
    for (int ti = 0; ti <= 45; ++ti) {
      const float tt = 0.5f + 0.1f * static_cast<float>(ti);
      const Fit f = score(cases, A, al, tt, shift);
      if (f.log_loss < best.log_loss - 1e-9) best = f, *alpha = al, *t = tt;
    }
  }
  return best;
}

// The per-action shift of the lowest validation log-loss + kRidge |shift|^2 for a fixed alpha and
// temperature: Newton's method on a convex problem (the ridge makes the Hessian definite).
constexpr double kShiftRidge = 1e-3;
std::vector<double> fit_shift(const std::vector<ActionCase>& cases, size_t A, float alpha, float temperature) {
  std::vector<double> shift(A, 0.0), logits(A);
  Eigen::VectorXd g(idx(A));
  Eigen::MatrixXd H(idx(A), idx(A));
  for (int it = 0; it < 25; ++it) {
    g.setZero();
    H.setZero();
    size_t n = 0;
    for (const ActionCase& c : cases) {
      if (!c.used) continue;
      case_logits(c, A, alpha, temperature, shift, &logits);
      const double top = *std::max_element(logits.begin(), logits.end());
      double sum = 0;
      for (double& l : logits) sum += (l = std::exp(l - top));
      for (double& l : logits) l /= sum;  // probabilities
      const Eigen::Map<const Eigen::VectorXd> p(logits.data(), idx(A));
      g += p;
      g[idx(c.target)] -= 1.0;
      H.noalias() -= p * p.transpose();
      H.diagonal() += p;
      ++n;
    }
    if (!n) return shift;
    const Eigen::Map<const Eigen::VectorXd> s(shift.data(), idx(A));
    g = g / static_cast<double>(n) + 2 * kShiftRidge * s;
    H /= static_cast<double>(n);
    H.diagonal().array() += 2 * kShiftRidge;
    const Eigen::VectorXd step = H.ldlt().solve(g);  // H is symmetric positive definite
    for (size_t a = 0; a < A; ++a) shift[a] -= step[idx(a)];
    if (step.cwiseAbs().maxCoeff() < 1e-7) break;
  }
  return shift;
}

}  // namespace

Status fit_action_head(const data::Dataset& ds, const ActionFitOptions& o, Model* m, ActionFitReport* rep) {
  ActionHead& head = m->action_head;
  if (!head.active()) return Status::Ok();
  const size_t A = head.actions, d = m->config.dim;
  const ParamView w = m->rest.view();
  EvalOptions eo;
  eo.fold = data::Fold::kValidation;
  eo.baselines = false;
  eo.threads = o.threads;
  eo.users = held_out_users(ds, o.max_users);
  std::vector<ActionCase> cases(eo.users.size());  // one slot per case, filled by on_action_case
  eo.on_action_case = [&](size_t index, uint32_t target_action, const Predictor& p) {
    if (p.empty() || index >= cases.size()) return;
    ActionCase& c = cases[index];
    const float* prior = head.prior_row(p.tokens()[p.window() - 1]);
    c.prior.assign(prior, prior + A);
    c.z.resize(A);
    f32_gemv(w.action_w, p.state(), w.action_b, A, d, c.z.data());
    c.target = target_action;
    c.used = true;
  };
  head.alpha = 1.0f;
  head.temperature = 1.0f;
  Result<EvalReport> r = evaluate(*m, ds, eo);
  if (!r.ok()) return r.status();
  rep->users =
      static_cast<size_t>(std::count_if(cases.begin(), cases.end(), [](const ActionCase& c) { return c.used; }));
  const std::vector<double> zero(A, 0.0);
  const Fit prior = score(cases, A, 0.0f, 1.0f, zero), before = score(cases, A, 1.0f, 1.0f, zero);
  rep->log_loss_prior = prior.log_loss;
  rep->accuracy_prior = prior.accuracy;
  rep->log_loss_before = before.log_loss;
  float alpha = 0.0f, t = 1.0f;
  Fit best = grid(cases, A, zero, &alpha, &t);
  rep->log_loss_no_shift = best.log_loss;
  std::vector<double> shift = zero;
  if (o.shift) {  // the shift for that alpha and temperature, then both again for the shift
    shift = fit_shift(cases, A, alpha, t);
    best = grid(cases, A, shift, &alpha, &t);
  }
  head.alpha = alpha;
  head.temperature = t;
  head.shift.clear();
  if (o.shift) head.shift.assign(shift.begin(), shift.end());
  rep->log_loss_after = best.log_loss;
  rep->accuracy_after = best.accuracy;
  return Status::Ok();
}

}  // namespace forecart::train
