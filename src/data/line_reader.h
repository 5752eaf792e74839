// Internal to src/data: the line source of the event-log readers. In-memory text, or a file streamed through zlib in
// chunks (gzread also passes plain files through), so memory stays bounded by the Dataset rather than by the
// decompressed file.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

struct gzFile_s;  // zlib's gzFile is a gzFile_s*; zlib.h stays out of this header

namespace forecart::data::detail {

constexpr size_t kChunkBytes = 1 << 20;
// The longest line a file may have: a "line" this long means a binary or newline-less file. Longer is a one-line
// parse_error naming the file and line, found before more than kMaxLineBytes + kChunkBytes are buffered.
constexpr size_t kMaxLineBytes = 64u << 20;

class LineReader {
 public:
  // Reads `text` (which must outlive the reader); call open() instead to read a file.
  explicit LineReader(std::string_view text) : data_(text) {}
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Switches to reading the file at `path` (plain or gzip). io_error when it cannot be opened.
  Status open(const std::string& path);

  // The next line without its '\n' and trailing '\r'; valid until the next call. False at the end of the input or
  // on a read error (then status() says why).
  bool next(std::string_view* line);

  size_t line_no() const { return line_no_; }
  const Status& status() const { return status_; }

 private:
  void emit(size_t end, size_t next, std::string_view* line);
  // In file mode: whether the line from pos_ to `end` is over kMaxLineBytes (then status_ says so).
  bool too_long(size_t end);
  // Keeps the unfinished line, appends the next chunk.
  void refill();

  gzFile_s* file_ = nullptr;
  std::string path_;
  std::string buf_;
  std::string_view data_;  // the text, or buf_ in file mode
  size_t pos_ = 0;         // start of the next line
  size_t scan_ = 0;        // no '\n' in [pos_, scan_)
  size_t line_no_ = 0;
  bool eof_ = false;
  Status status_;
};

}  // namespace forecart::data::detail
