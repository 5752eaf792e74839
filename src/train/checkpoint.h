// Training checkpoints (`forecart train` writes OUT.ckpt; `--resume` continues from it).
//
// File: "FCK1", uint32 version, uint64 fingerprint of the data and options, then the fields of
// Checkpoint in the order of visit_fields() (checkpoint.cpp), host byte order: a checkpoint is
// resumed on the machine that wrote it. One field list is visited by both save and load, so the
// two can never disagree. Written to PATH.tmp and renamed, so a crash never leaves half a file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "train/loop_state.h"

namespace forecart::train {

struct Checkpoint {
  LoopState loop;
  uint64_t adam_steps = 0;
  std::vector<float> params, adam_m, adam_v, best;  // each the size of the parameter arena
};

Status save_checkpoint(const std::string& path, uint64_t fingerprint, const Checkpoint& ck);
// num_params: the arena size the loop expects; a file made with other data or options
// (fingerprint), truncated or corrupt is an error and leaves *ck unspecified.
Status load_checkpoint(const std::string& path, uint64_t fingerprint, size_t num_params, Checkpoint* ck);

}  // namespace forecart::train
