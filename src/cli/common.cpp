// Implements cli/common.h: one-line errors and model loading for the forecart subcommands.
#include "cli/common.h"

#include "format/fcm.h"

namespace forecart::cli {

Model load_model_or_throw(const std::string& path) {
  Result<Model> m = read_model_file(path);
  if (!m.ok()) throw CliError(path + ": " + m.status().to_string());
  return m.take();
}

}  // namespace forecart::cli
