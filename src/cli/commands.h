// Subcommands of the `forecart` CLI. Each add_* registers its options on the app and returns the
// function that runs it once parsing succeeded.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace forecart::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;
};

Command add_inspect(CLI::App& app);
Command add_predict(CLI::App& app);
Command add_synth(CLI::App& app);
Command add_synth_log(CLI::App& app);
#ifdef FORECART_HAVE_TRAIN
Command add_train(CLI::App& app);
Command add_eval(CLI::App& app);
#endif

}  // namespace forecart::cli
