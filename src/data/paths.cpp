// Implements paths.h: directory listing (std::filesystem) and glob(3) patterns for `--data`.
#include "data/paths.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace forecart::data::detail {

namespace {

Status list_directory(const std::string& dir, std::vector<std::string>* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code fec;
    if (it->is_regular_file(fec)) files.push_back(it->path().string());
  }
  if (ec) return io_error("cannot list directory '" + dir + "': " + ec.message());
  if (files.empty()) return io_error("directory '" + dir + "' holds no files");
  std::sort(files.begin(), files.end());
  out->insert(out->end(), files.begin(), files.end());
  return Status::Ok();
}

Status glob_pattern(const std::string& pattern, std::vector<std::string>* out) {
  glob_t g{};
  const int rc = glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
  size_t found = 0;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      struct stat st;
      if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode)) {
        out->emplace_back(g.gl_pathv[i]);  // glob sorts its matches
        ++found;
      }
    }
  }
  globfree(&g);
  if (rc == GLOB_ABORTED) return io_error("cannot read a directory of the pattern '" + pattern + "'");
  if (rc == GLOB_NOSPACE) return io_error("out of memory expanding '" + pattern + "'");
  if (found == 0) return io_error("no file matches '" + pattern + "'");
  return Status::Ok();
}

}  // namespace

Status expand_path(const std::string& path, std::vector<std::string>* out) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return list_directory(path, out);
    out->push_back(path);
    return Status::Ok();
  }
  if (path.find_first_of("*?[") != std::string::npos) return glob_pattern(path, out);
  out->push_back(path);
  return Status::Ok();
}

}  // namespace forecart::data::detail
