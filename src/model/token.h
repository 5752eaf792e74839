// One event as the model sees it: vocab id, action index and time-gap bucket. Shared by inference
// (forward.h) and training (train/graph.h).
#pragma once

#include <cstdint>

namespace forecart {

struct Token {
  uint32_t item = 0;  // vocab id (0 = unknown)
  uint32_t action = 0;
  uint32_t time_bucket = 0;
};

}  // namespace forecart
