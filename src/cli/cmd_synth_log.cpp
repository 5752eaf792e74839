// `forecart synth-log`: writes a synthetic event log (data/synth_log.h) for scale tests and benchmarks,
// e.g. `forecart synth-log --events 10000000 --items 200000 --out big.csv`.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "data/events.h"
#include "data/synth_log.h"

namespace forecart::cli {

Command add_synth_log(CLI::App& app) {
  auto o = std::make_shared<data::SynthLogOptions>();
  auto out = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand(
      "synth-log",
      "Write a synthetic event log (made-up data: power-law popularity, categories, sessions, repeats, "
      "view/cart/purchase)");
  sub->add_option("--out", *out, "Output file: .csv or .jsonl, .gz to compress")->required();
  sub->add_option("--format", o->format, "csv or jsonl (default: from the file name)")
      ->check(CLI::IsMember({"csv", "jsonl"}));
  sub->add_option("--events", o->events, "Events to write")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40))
      ->capture_default_str();
  sub->add_option("--items", o->items, "Catalogue size")->check(CLI::Range(1u, 50000000u))->capture_default_str();
  sub->add_option("--categories", o->categories, "Categories")->check(CLI::Range(1u, 1000000u))->capture_default_str();
  sub->add_option("--zipf", o->zipf, "Popularity exponent: item of rank r ~ r^-zipf")->capture_default_str();
  sub->add_option("--user-events", o->user_events, "Mean events per user")->capture_default_str();
  sub->add_option("--session-events", o->session_events, "Mean views per session")->capture_default_str();
  sub->add_option("--repeat", o->repeat, "Probability that a view revisits a recent item")->capture_default_str();
  sub->add_option("--cart", o->cart, "Probability that a view is followed by a cart")->capture_default_str();
  sub->add_option("--purchase", o->purchase, "Probability that a cart is followed by a purchase")
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Random seed (same seed, same bytes)")->capture_default_str();
  auto format_opt = sub->get_option("--format");
  return {sub, [o, out, format_opt]() {
            if (format_opt->count() == 0) o->format = data::is_jsonl_name(*out) ? "jsonl" : "csv";  // as train reads it
            data::SynthLogReport rep;
            check(data::write_synth_log(*out, *o, &rep));
            fmt::print(stderr, "wrote {}: {} events, {} users, {} items, {} ({:.1f} MB uncompressed; synthetic)\n",
                       *out, rep.events, rep.users, o->items, o->format, static_cast<double>(rep.bytes) / 1e6);
            return 0;
          }};
}

}  // namespace forecart::cli
