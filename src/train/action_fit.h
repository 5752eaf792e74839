// The next-action head's numbers from data (model/action_head.h): the prior table counted on the
// training events before training, and alpha, the temperature and optionally a per-action shift
// fitted on the validation split after it (the weights fixed), minimising the validation log-loss
// of the next action. The shift takes on the validation targets' base rates, which depend on their
// position in the split (docs/DECISIONS.md), so it is off unless asked for.
// Never a test event: the test split's figures stay honest.
#pragma once

#include <cstddef>

#include "core/status.h"
#include "data/events.h"
#include "model/action_head.h"
#include "model/config.h"
#include "model/model.h"

namespace forecart::train {

// The prior of a model of config c trained on ds (c.num_actions == the data's actions), counted on
// each user's training prefix: every consecutive pair (event i, event i + 1) as (last action, time
// bucket of event i) -> next action. Of the two tables, with the time buckets and without (one
// bucket), the one of the lower log-loss on the validation targets is returned (each given the
// user's last training event); the two losses go to valid_loss_* when not null. alpha =
// temperature = 1. Inactive (A = 0) for a one-action model.
ActionHead count_action_prior(const data::Dataset& ds, const ModelConfig& c, double* valid_loss_time = nullptr,
                              double* valid_loss_plain = nullptr);

struct ActionFitOptions {
  size_t max_users = 50000;  // validation users (evenly spaced subset; 0 = all)
  // Also fit the per-action shift (the validation targets' base rates). Off by default: those rates
  // belong to the split's position, not to the shopper's next event (docs/DECISIONS.md).
  bool shift = false;
  size_t threads = 2;
};

struct ActionFitReport {
  double table_loss_time = 0, table_loss_plain = 0;  // count_action_prior's two validation losses
  size_t users = 0;
  double log_loss_prior = 0;     // validation, the prior alone (alpha 0, temperature 1)
  double log_loss_before = 0;    // prior + correction as trained (alpha 1, temperature 1)
  double log_loss_no_shift = 0;  // the best alpha and temperature without a shift
  double log_loss_after = 0;     // with everything fitted
  double accuracy_prior = 0, accuracy_after = 0;
};

// model: trained, with its head's prior. Sets model->action_head.alpha, .temperature and .shift:
// alpha (0..2) and the temperature (0.5..5) on grids, then the shift by Newton's method (ridge
// 1e-3) for them, then alpha and the temperature again for that shift.
Status fit_action_head(const data::Dataset& ds, const ActionFitOptions& opts, Model* model, ActionFitReport* report);

}  // namespace forecart::train
