// Leave-one-out split shared by training and evaluation (the SASRec / S3-Rec protocol).
//
// For a user whose sequence has n >= kMinHoldoutEvents (3) events:
//   events [0, n-2)  training
//   event  n-2       validation target, predicted from the history [0, n-2)
//   event  n-1       test target, predicted from the history [0, n-1) (training + validation event)
// Users with fewer than 3 events are training-only: all their events train, they are never evaluated.
// The split is a pure function of the (time-ordered) sequences, so train and eval agree without storing it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/events.h"

namespace forecart::data {

constexpr size_t kMinHoldoutEvents = 3;

enum class Fold { kValidation, kTest };

// True when the user's sequence has a validation and a test event.
inline bool has_holdout(const std::vector<Event>& seq) {
  return seq.size() >= kMinHoldoutEvents;
}

// Number of leading events used for training: n - 2 for held-out users, n otherwise.
inline size_t train_prefix_len(const std::vector<Event>& seq) {
  return has_holdout(seq) ? seq.size() - 2 : seq.size();
}

// Index of the fold's target event in a held-out sequence (n - 2 or n - 1). It is also the length of the history
// the target is predicted from (events [0, index)). Only meaningful when has_holdout(seq).
inline size_t target_index(const std::vector<Event>& seq, Fold fold) {
  return fold == Fold::kValidation ? seq.size() - 2 : seq.size() - 1;
}

struct Split {
  std::vector<uint32_t> users;  // held-out users (>= 3 events), ascending user index
  size_t train_events = 0;      // sum of train_prefix_len over all users
  size_t train_only_users = 0;  // users with 1 or 2 events
};

Split make_split(const Dataset& ds);

// n of users, evenly spaced and in order (users[i * size / n]); n <= users.size().
std::vector<uint32_t> evenly_spaced(const std::vector<uint32_t>& users, size_t n);

// The fit users: up to max_users held-out users (evenly spaced, at most every other one) whose newest
// training event the trainer holds back from the weights (neither input nor target). Their validation
// case then predicts from a window whose newest event the weights never trained on, as a test case
// (its newest event is the validation event) and a live shopper's (events after training) do; the
// other held-out users' validation windows were trained on to the end. Ascending user indices.
std::vector<uint32_t> fit_users(const Split& split, size_t max_users);

}  // namespace forecart::data
