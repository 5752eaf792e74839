// Internal to src/data: small string helpers (string_view based: the hot loop must not allocate per field) and the
// delimited field splitter with quotes used by the event-log readers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace forecart::data::detail {

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

inline std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

inline char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Spaces around fields are padding, unless the delimiter is that character.
inline bool is_pad(char c, char delim) {
  return (c == ' ' || c == '\t') && c != delim;
}

// Shortens a value quoted in an error message so one garbage line cannot produce a huge message.
std::string excerpt(std::string_view s);

// Splits at every `sep` (no quotes, no trimming); always at least one part.
std::vector<std::string_view> split_simple(std::string_view s, char sep);

// The delimiter to use for a file whose first line is `first`: `given` unless it is 0 (auto), else the candidate
// that occurs most often in the first line; ties go to ',' then ';' then tab.
char detect_delimiter(std::string_view first, char given);

// Splits one line (no '\n' or trailing '\r') into fields. Quoted fields are unescaped into `scratch`, which is
// reserved up front so that views into it stay valid. Returns nullptr or the reason the line is malformed.
const char* split_fields(std::string_view line, char delim, bool quotes, std::vector<std::string_view>* fields,
                         std::string* scratch);

}  // namespace forecart::data::detail
