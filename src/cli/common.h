// Shared pieces of the `forecart` command: error reporting and model loading.
#pragma once

#include <stdexcept>
#include <string>

#include "core/status.h"
#include "model/model.h"

namespace forecart::cli {

// A user-facing failure: main() prints "forecart: error: <message>" and exits with `code` (< 128).
struct CliError : std::runtime_error {
  int code;
  CliError(const std::string& m, int c = 1) : std::runtime_error(m), code(c) {}
};

inline void check(const Status& s) {
  if (!s.ok()) throw CliError(s.to_string());
}

Model load_model_or_throw(const std::string& path);

}  // namespace forecart::cli
