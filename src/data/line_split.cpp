// Implements line_split.h: error-message excerpts, simple splitting, delimiter detection and the delimited field
// splitter with quotes.
#include "data/line_split.h"

#include <algorithm>

namespace forecart::data::detail {

std::string excerpt(std::string_view s) {
  constexpr size_t kMax = 40;
  if (s.size() <= kMax) return std::string(s);
  return std::string(s.substr(0, kMax)) + "...";
}

std::vector<std::string_view> split_simple(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(start));
      break;
    }
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

char detect_delimiter(std::string_view first, char given) {
  if (given != 0) return given;
  size_t best = 0;
  char delim = ',';
  for (char c : {',', ';', '\t'}) {
    size_t count = static_cast<size_t>(std::count(first.begin(), first.end(), c));
    if (count > best) {
      best = count;
      delim = c;
    }
  }
  return delim;
}

const char* split_fields(std::string_view line, char delim, bool quotes, std::vector<std::string_view>* fields,
                         std::string* scratch) {
  fields->clear();
  scratch->clear();
  if (quotes && scratch->capacity() < line.size()) scratch->reserve(line.size());
  const size_t n = line.size();
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (start < n && is_pad(line[start], delim)) ++start;
    if (quotes && start < n && line[start] == '"') {
      size_t j = start + 1, close = std::string_view::npos;
      bool escaped = false;
      while (j < n) {
        if (line[j] == '"') {
          if (j + 1 < n && line[j + 1] == '"') {
            escaped = true;
            j += 2;
            continue;
          }
          close = j;
          break;
        }
        ++j;
      }
      if (close == std::string_view::npos) return "unterminated quoted field";
      std::string_view content = line.substr(start + 1, close - start - 1);
      if (escaped) {
        size_t off = scratch->size();
        for (size_t k = 0; k < content.size(); ++k) {
          scratch->push_back(content[k]);
          if (content[k] == '"') ++k;  // "" -> "
        }
        content = std::string_view(scratch->data() + off, scratch->size() - off);
      }
      fields->push_back(content);
      size_t k = close + 1;
      while (k < n && is_pad(line[k], delim)) ++k;
      if (k >= n) break;
      if (line[k] != delim) return "text after a closing quote";
      i = k + 1;
      continue;
    }
    size_t end = line.find(delim, start);
    if (end == std::string_view::npos) end = n;
    size_t e = end;
    while (e > start && is_pad(line[e - 1], delim)) --e;
    fields->push_back(line.substr(start, e - start));
    if (end >= n) break;
    i = end + 1;
  }
  return nullptr;
}

}  // namespace forecart::data::detail
