// Implements cli/data_options.h: the event-data flags of train and eval, turned into data::ReadOptions.
#include "cli/data_options.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "data/filter.h"

namespace forecart::cli {

void add_data_options(CLI::App* app, DataArgs* a) {
  app->add_option("--data", a->files,
                  "Event file(s): CSV/TSV/';' with a header, or SASRec text (\"user item ...\"), plain or .gz. "
                  "Repeat to merge files; FILE#action=NAME gives every event of FILE that action")
      ->required();
  app->add_option("--columns", a->read.columns,
                  "Column mapping by header name (user=user_id,item=sku,action=type,time=ts,category=cat) "
                  "or 0-based position (user=0,item=1,...). Default: guessed from the header");
  app->add_option("--delimiter", a->delimiter, "Field delimiter: ',', ';' or 'tab' (default: auto-detected)");
  app->add_flag("--no-header", a->read.no_header, "The files have no header row");
  app->add_option("--actions", a->read.actions, "Map raw action values to names: 1=view,2=purchase,...");
  app->add_option("--format", a->read.format, "auto, csv or text")->check(CLI::IsMember({"auto", "csv", "text"}));
  app->add_flag("--strict", a->read.strict, "Fail on the first malformed line instead of skipping it");
  app->add_option("--min-item-events", a->min_item_events,
                  "Drop items with fewer events than this (one pass) before training or evaluating")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
}

data::Dataset load_data_or_throw(const DataArgs& a) {
  data::ReadOptions opts = a.read;
  if (!a.delimiter.empty()) {
    if (a.delimiter == "tab" || a.delimiter == "\\t" || a.delimiter == "\t") {
      opts.delimiter = '\t';
    } else if (a.delimiter == "," || a.delimiter == ";") {
      opts.delimiter = a.delimiter[0];
    } else {
      throw CliError("--delimiter must be ',', ';' or 'tab'", 2);
    }
  }
  data::ReadReport report;
  Result<data::Dataset> ds = data::read_events(a.files, opts, &report);
  if (!ds.ok()) throw CliError(ds.status().to_string());
  for (const auto& note : report.file_notes) fmt::print(stderr, "data: {}\n", note);
  if (report.skipped) {
    fmt::print(stderr, "data: skipped {} malformed line(s) of {} (--strict fails instead); first: {}\n", report.skipped,
               report.lines, fmt::join(report.first_errors, "; "));
  }
  if (a.min_item_events > 1) {
    const size_t before = ds.value().item_ids.size();
    ds = data::drop_rare_items(ds.value(), a.min_item_events);
    fmt::print(stderr, "data: dropped {} of {} items with fewer than {} events\n", before - ds.value().item_ids.size(),
               before, a.min_item_events);
  }
  const auto& d = ds.value();
  fmt::print(stderr, "data: {} events, {} users, {} items, {} action type(s), {} categories\n", d.num_events(),
             d.user_ids.size(), d.item_ids.size(), d.action_names.size(), d.category_names.size());
  return ds.take();
}

}  // namespace forecart::cli
