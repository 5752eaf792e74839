// The `forecart` command: inspect, predict, synth, synth-log, train, eval. Every subcommand has --help; errors print
// one line on stderr and exit with a code below 128.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "cli/common.h"

int main(int argc, char** argv) {
  using namespace forecart::cli;
  CLI::App app{"forecart: on-device next-action prediction (native tools)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "forecart 0.1.0");
  // Parse errors on one line, like the others (CLI11's default adds a second, "Run with --help ...").
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "forecart: error: " + std::string(e.what()) + " (see --help)\n";
  });
  std::vector<Command> commands = {add_inspect(app), add_predict(app), add_synth(app), add_synth_log(app)};
#ifdef FORECART_HAVE_TRAIN
  commands.push_back(add_train(app));
  commands.push_back(add_eval(app));
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);  // help, or the parse error on one line; CLI11's codes are below 128
  }
  try {
    for (auto& c : commands)
      if (c.app->parsed()) return c.run();
    return 2;
  } catch (const CliError& e) {
    std::fprintf(stderr, "forecart: error: %s\n", e.what());
    return e.code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "forecart: error: %s\n", e.what());
    return 1;
  }
}
