// The real datasets of ../shared/data for the tests tagged [shared-data] (ctest label shared-data,
// run as their own step by scripts/test.sh): present, else skipped with a warning, or failed when
// FORECART_REQUIRE_DATA=1 (npm test sets it in CI, so a missing dataset cannot pass silently).
#pragma once

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#ifndef FORECART_DATA_DIR
#define FORECART_DATA_DIR "/work/shared/data"
#endif

namespace forecart::test {

inline std::string shared_data(const std::string& rel) {
  return std::string(FORECART_DATA_DIR) + "/" + rel;
}

// True when shared_data(rel) exists; otherwise a warning and false, or a test failure when required.
inline bool have_shared_data(const std::string& rel) {
  struct stat st;
  const std::string path = shared_data(rel);
  if (stat(path.c_str(), &st) == 0) return true;
  const char* required = std::getenv("FORECART_REQUIRE_DATA");
  if (required != nullptr && std::string(required) == "1") FAIL("missing " << path << " (FORECART_REQUIRE_DATA=1)");
  WARN("skipped: " << path << " does not exist");
  return false;
}

}  // namespace forecart::test
