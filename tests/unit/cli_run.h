// Test helper: runs the `forecart` binary (FORECART_CLI) with arguments and returns its exit code, stdout and
// stderr. Used by the CLI test files; ctest runs cases in parallel processes, so scratch names carry the pid.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace forecart::test {

struct CliRun {
  int code;
  std::string out, err;
};

inline CliRun run_cli(const std::string& args) {
  static int counter = 0;
  const std::string err_path = "cli_run_stderr." + std::to_string(getpid()) + "." + std::to_string(counter++);
  const std::string cmd = std::string(FORECART_CLI) + " " + args + " 2>" + err_path;
  CliRun r{-1, "", ""};
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  std::remove(err_path.c_str());
  return r;
}

}  // namespace forecart::test
