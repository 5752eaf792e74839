// What the training loop (trainer.cpp) carries from step to step and epoch to epoch: its windows,
// per-epoch log and position. A checkpoint (checkpoint.h) saves exactly this plus the parameters
// and the optimizer's moments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace forecart::train {

// One training window: events [begin, end) of a user's training prefix as inputs; the target of
// input i is event i + 1.
struct Window {
  uint32_t user;
  uint32_t begin, end;
};

struct EpochLog {
  uint32_t epoch = 0;
  double loss = 0, item_loss = 0, action_loss = 0;
  double val_hr10 = 0, val_ndcg10 = 0;
  double val_action_loss = -1;  // validation next-action log-loss; -1 for a one-action model
  double criterion = 0;         // what ranks the epochs (trainer.h)
  double seconds = 0, tokens_per_s = 0;
};

struct LoopState {
  uint32_t epoch = 1;         // the epoch in progress
  uint64_t step = 0;          // next step within it
  std::string rng;            // shuffling generator (std::mt19937_64 text form), after this epoch's shuffle
  std::vector<Window> order;  // this epoch's shuffled windows
  double loss_sum = 0, item_sum = 0, action_sum = 0, epoch_secs = 0;
  uint64_t positions = 0, epoch_tokens = 0;
  double best = -1.0;
  uint32_t since_best = 0, best_epoch = 0;
  double elapsed = 0;  // seconds of training before this process
  uint64_t graph_steps = 0;
  std::vector<EpochLog> log;
};

}  // namespace forecart::train
