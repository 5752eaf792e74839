// Test helpers for the src/data suites: fixture paths, a scratch directory, reading text or files that must
// succeed, and views of a Dataset (a user's items, the count of each action) and its structural invariants.
#pragma once

#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "data/events.h"

namespace forecart::test {

inline std::string fixture(const std::string& name) {
  return std::string(FORECART_TEST_DIR) + "/fixtures/" + name;
}

// A scratch directory removed at the end of each test; write() creates parent directories.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("forecart_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string p = file(name);
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  std::string write_gz(const std::string& name, const std::string& content) const {
    const std::string p = file(name);
    gzFile f = gzopen(p.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(gzwrite(f, content.data(), static_cast<unsigned>(content.size())) == static_cast<int>(content.size()));
    REQUIRE(gzclose(f) == Z_OK);
    return p;
  }
};

inline data::Dataset read_ok(const std::string& text, const data::ReadOptions& opts = {},
                             data::ReadReport* rep = nullptr, const std::string& name = "t.csv") {
  auto r = data::read_events_text(text, name, opts, rep);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return r.take();
}

inline data::Dataset read_files_ok(const std::vector<std::string>& paths, const data::ReadOptions& opts = {},
                                   data::ReadReport* rep = nullptr) {
  auto r = data::read_events(paths, opts, rep);
  INFO(r.status().to_string());
  REQUIRE(r.ok());
  return r.take();
}

// The item ids of one user's sequence, in order.
inline std::vector<std::string> items_of(const data::Dataset& ds, const std::string& user) {
  std::vector<std::string> out;
  for (size_t u = 0; u < ds.user_ids.size(); ++u)
    if (ds.user_ids[u] == user)
      for (const data::Event& e : ds.sequences[u]) out.push_back(ds.item_ids[e.item]);
  return out;
}

inline std::map<std::string, size_t> action_counts(const data::Dataset& ds) {
  std::map<std::string, size_t> out;
  for (const auto& seq : ds.sequences)
    for (const data::Event& e : seq) ++out[ds.action_names[e.action]];
  return out;
}

// Structural invariants every Dataset must satisfy. Checked in plain code and asserted once, so the real datasets
// do not add a million assertions to the report.
inline std::string first_invariant_violation(const data::Dataset& ds) {
  if (ds.sequences.size() != ds.user_ids.size()) return "sequences/user_ids size";
  if (ds.item_category.size() != ds.item_ids.size()) return "item_category/item_ids size";
  for (uint32_t c : ds.item_category)
    if (c != data::kNoCategory && c >= ds.category_names.size()) return "item_category out of range";
  for (size_t u = 0; u < ds.sequences.size(); ++u) {
    const auto& seq = ds.sequences[u];
    const std::string where = "user " + std::to_string(u) + ": ";
    if (seq.empty()) return where + "empty sequence";
    for (size_t i = 0; i < seq.size(); ++i) {
      const data::Event& e = seq[i];
      if (e.user != u) return where + "event.user";
      if (e.item >= ds.item_ids.size()) return where + "event.item out of range";
      if (e.action >= ds.action_names.size()) return where + "event.action out of range";
      if (e.category != ds.item_category[e.item]) return where + "event.category != item_category";
      if (i > 0 && seq[i - 1].time > e.time) return where + "not sorted by time";
    }
  }
  return "";
}

inline void check_invariants(const data::Dataset& ds) {
  CHECK(first_invariant_violation(ds) == "");
}

// Diginetica and JD files have a user and a session column; guessing takes the user, so the tests of session
// sequences name the session (Diginetica's two files spell their columns differently: alternatives).
inline data::ReadOptions diginetica_sessions() {
  data::ReadOptions o;
  o.columns = "user=session_id|sessionId,item=item_id|itemId,time=eventdate";
  return o;
}
inline constexpr const char* kJdSessions = "user=sessionId,item=sku_id,action=type,time=action_time";

}  // namespace forecart::test
