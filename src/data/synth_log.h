// A generator of synthetic event logs (`forecart synth-log`), for scale tests and benchmarks: the data is
// made up, with the shape of a shop's export. Item popularity follows a power law; each item has a
// category; users come back in sessions of a few events that stay mostly in one category, revisit their own
// recent items, and sometimes add an item to the cart and buy it. Written as CSV or JSON Lines (gzip when the
// path ends in .gz), grouped by user and in time order within each user. The same options and seed give the
// same bytes.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace forecart::data {

struct SynthLogOptions {
  uint64_t events = 1000000;   // exactly this many lines of events
  uint32_t items = 200000;     // catalogue size (ids i1..iN)
  uint32_t categories = 1000;  // ids c1..cN; an item's category is fixed
  double zipf = 1.05;          // popularity of the item of rank r is proportional to r^-zipf
  double user_events = 20;     // mean events per user (log-normal, sigma 1: a few heavy users)
  double session_events = 6;   // mean views per session (geometric)
  double repeat = 0.2;         // a view revisits one of the user's last 20 items
  double same_category = 0.5;  // ... else stays in the session's category
  double cart = 0.08;          // a view is followed by adding the item to the cart
  double purchase = 0.3;       // a cart is followed by buying it
  int64_t start = 1704067200;  // first day (2024-01-01 UTC)
  uint32_t days = 60;          // users start uniformly within this span
  std::string format = "csv";  // csv: user_id,item_id,event_type,timestamp (unix s),category_id
                               // jsonl: the same keys, the time as an ISO 8601 string
  uint64_t seed = 1;
};

struct SynthLogReport {
  uint64_t events = 0, users = 0, bytes = 0;  // bytes before compression
};

// Writes the log to `path`; invalid_argument for bad options, io_error when the file cannot be written.
Status write_synth_log(const std::string& path, const SynthLogOptions& opts, SynthLogReport* report);

}  // namespace forecart::data
