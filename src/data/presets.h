// Named input presets (ReadOptions::preset, `--preset NAME`) for the exports shops have: the format, column
// mapping, action mapping and time unit of the GA4 BigQuery export, Segment track calls, Snowplow enriched events
// (Analytics SDK JSON), RetailRocket's events.csv and OTTO's session lines. Each maps its actions onto view, cart
// and purchase and drops (counts) the other events.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "data/events.h"

namespace forecart::data {

struct Preset {
  const char* name;
  const char* format;     // "jsonl" or "csv"
  const char* columns;    // ReadOptions::columns
  const char* actions;    // ReadOptions::actions; drop_unmapped_actions is set
  const char* time_unit;  // ReadOptions::time_unit
  const char* source;     // what it reads, for --help and messages
};

// Every preset, in the order of `--help`.
const std::vector<Preset>& presets();

// Applies opts->preset ("" = nothing to do): the preset's format and time unit where opts has the defaults ("auto"),
// its columns and actions merged under those given in opts (a given kind or raw action value replaces the
// preset's), and drop_unmapped_actions on. invalid_argument for an unknown name.
Status apply_preset(ReadOptions* opts);

}  // namespace forecart::data
