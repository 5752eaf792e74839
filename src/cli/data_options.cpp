// Implements cli/data_options.h: the event-data flags of train and eval, turned into data::ReadOptions.
#include "cli/data_options.h"

#include <fmt/format.h>

#include <chrono>

#include "cli/common.h"
#include "data/filter.h"
#include "data/presets.h"

namespace forecart::cli {

void add_data_options(CLI::App* app, DataArgs* a) {
  app->add_option("--data", a->files,
                  "Event file(s): CSV/TSV/';' with a header, JSON Lines, or SASRec text (\"user item ...\"), plain or "
                  ".gz; a directory (its files) or a glob ('exports/events_*.jsonl.gz'). Repeat to merge files; "
                  "FILE#action=NAME gives every event of FILE that action")
      ->required();
  app->add_option("--columns", a->read.columns,
                  "Column mapping by header name (user=user_id,item=sku,action=type,time=ts,category=cat) "
                  "or 0-based position (user=0,item=1,...); alternatives with | (user=session_id|sessionId). JSON "
                  "Lines: dotted key paths (user=user.id,item=items.0.item_id), events=PATH for a session per line. "
                  "Default: guessed from the header or the keys");
  app->add_option("--delimiter", a->delimiter, "Field delimiter: ',', ';' or 'tab' (default: auto-detected)");
  app->add_flag("--no-header", a->read.no_header, "The files have no header row");
  app->add_option("--actions", a->read.actions, "Map raw action values to names: 1=view,2=purchase,...");
  app->add_option("--format", a->read.format,
                  "auto, csv, text or jsonl (auto: .jsonl/.ndjson names and lines "
                  "starting with '{' are JSON Lines)")
      ->check(CLI::IsMember({"auto", "csv", "text", "jsonl"}));
  std::vector<std::string> preset_names;
  std::string preset_help = "Columns, actions and format of a known export:";
  for (const data::Preset& p : data::presets()) {
    preset_names.emplace_back(p.name);
    preset_help += fmt::format(" {} ({});", p.name, p.source);
  }
  preset_help += " --columns/--actions entries override the preset's; events of other actions are dropped";
  app->add_option("--preset", a->read.preset, preset_help)->check(CLI::IsMember(preset_names));
  app->add_flag("--drop-unmapped-actions", a->read.drop_unmapped_actions,
                "Drop (and count) events whose action is not in --actions (on with --preset)");
  app->add_flag("--strict", a->read.strict, "Fail on the first malformed line instead of skipping it");
  app->add_option("--time-unit", a->read.time_unit,
                  "Unit of epoch-number times: s, ms, us, ns, or auto (from the magnitude of each file's first one)")
      ->check(CLI::IsMember({"auto", "s", "ms", "us", "ns"}))
      ->capture_default_str();
  app->add_option("--time-zone", a->read.time_zone,
                  "Zone of times written without one: UTC, an offset like +05:30, or a name like Europe/Berlin")
      ->capture_default_str();
  app->add_option("--time-format", a->read.time_format,
                  "strftime-like layout of the times, e.g. '%d/%m/%Y %H:%M' (%Y %y %m %d %e %j %b %H %I %p %M %S %z "
                  "%T %F %%); default: epoch numbers and ISO 8601");
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
  const auto started = std::chrono::steady_clock::now();
  Result<data::Dataset> ds = data::read_events(a.files, opts, &report);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!ds.ok()) throw CliError(ds.status().to_string());
  for (const auto& note : report.file_notes) fmt::print(stderr, "data: {}\n", note);
  if (report.skipped) {
    fmt::print(stderr, "data: skipped {} malformed line(s) of {} (--strict fails instead); first: {}\n", report.skipped,
               report.lines, fmt::join(report.first_errors, "; "));
  }
  if (report.dropped) fmt::print(stderr, "data: dropped {} event(s) whose action is not mapped\n", report.dropped);
  if (a.min_item_events > 1) {
    const size_t before = ds.value().item_ids.size();
    ds = data::drop_rare_items(ds.value(), a.min_item_events);
    fmt::print(stderr, "data: dropped {} of {} items with fewer than {} events\n", before - ds.value().item_ids.size(),
               before, a.min_item_events);
  }
  const auto& d = ds.value();
  fmt::print(stderr, "data: {} events, {} users, {} items, {} action type(s), {} categories\n", d.num_events(),
             d.user_ids.size(), d.item_ids.size(), d.action_names.size(), d.category_names.size());
  fmt::print(stderr, "data: read in {:.2f} s ({:.0f} events/s)\n", seconds,
             seconds > 0 ? static_cast<double>(report.events) / seconds : 0.0);
  return ds.take();
}

}  // namespace forecart::cli
