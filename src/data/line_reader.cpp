// Implements line_reader.h: line splitting over in-memory text or 1 MiB chunks read through zlib, with the
// line-length limit and the read/truncated-gzip error reporting.
#include "data/line_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace forecart::data::detail {

LineReader::~LineReader() {
  if (file_ != nullptr) gzclose(file_);
}

Status LineReader::open(const std::string& path) {
  path_ = path;
  errno = 0;
  file_ = gzopen(path.c_str(), "rb");
  if (file_ == nullptr) {
    int e = errno;
    return io_error("cannot open '" + path + "'" + (e ? std::string(": ") + std::strerror(e) : std::string()));
  }
  gzbuffer(file_, 1 << 18);
  return Status::Ok();
}

bool LineReader::next(std::string_view* line) {
  while (true) {
    size_t nl = data_.find('\n', scan_);
    if (nl != std::string_view::npos) {
      if (too_long(nl)) return false;
      emit(nl, nl + 1, line);
      return true;
    }
    scan_ = data_.size();
    if (file_ != nullptr && !eof_ && status_.ok()) {
      if (too_long(scan_)) return false;  // before reading more: memory stays bounded by the limit
      refill();
      continue;
    }
    if (!status_.ok() || pos_ >= data_.size() || too_long(data_.size())) return false;
    emit(data_.size(), data_.size(), line);
    return true;
  }
}

bool LineReader::too_long(size_t end) {
  if (file_ == nullptr || end - pos_ <= kMaxLineBytes) return false;
  status_ = parse_error(path_ + ":" + std::to_string(line_no_ + 1) + ": line longer than " +
                        std::to_string(kMaxLineBytes >> 20) + " MiB (a binary file, or no line breaks?)");
  return true;
}

void LineReader::emit(size_t end, size_t next, std::string_view* line) {
  std::string_view l = data_.substr(pos_, end - pos_);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  *line = l;
  pos_ = scan_ = next;
  ++line_no_;
}

void LineReader::refill() {
  buf_.erase(0, pos_);
  scan_ -= pos_;
  pos_ = 0;
  size_t old = buf_.size();
  buf_.resize(old + kChunkBytes);
  int n = gzread(file_, &buf_[old], static_cast<unsigned>(kChunkBytes));
  buf_.resize(old + static_cast<size_t>(std::max(n, 0)));
  data_ = buf_;
  if (n > 0) return;
  eof_ = true;
  // A read error, or a truncated gzip stream: the latter ends like a normal one and only gzerror tells.
  int errnum = Z_OK;
  const char* msg = gzerror(file_, &errnum);
  if (n < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
    std::string why = errnum == Z_ERRNO ? std::strerror(errno) : (msg ? msg : "read error");
    if (why.compare(0, path_.size() + 2, path_ + ": ") == 0) why.erase(0, path_.size() + 2);  // zlib names the file
    if (errnum == Z_BUF_ERROR) why += " (the gzip data ends early: a truncated or partly copied file?)";
    status_ = io_error(path_ + ":" + std::to_string(line_no_ + 1) + ": cannot read: " + why);
  }
}

}  // namespace forecart::data::detail
