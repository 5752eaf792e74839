// The event-data flags shared by `forecart train` and `forecart eval`.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "data/events.h"

namespace forecart::cli {

struct DataArgs {
  std::vector<std::string> files;
  data::ReadOptions read;
  std::string delimiter;
  size_t min_item_events = 1;
};

void add_data_options(CLI::App* app, DataArgs* a);

// Reads the files (progress and skipped-line reports on stderr); throws CliError on failure.
data::Dataset load_data_or_throw(const DataArgs& a);

}  // namespace forecart::cli
