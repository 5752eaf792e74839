// Status codes and a small Result<T>: the core reports every failure as a value,
// never by exit()/abort() or by an exception crossing the WASM boundary.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace forecart {

// Numbers are part of the JS API (ForecartError.code maps from them).
// Always add codes at the end to keep them stable.
enum class StatusCode : int32_t {
  kOk = 0,
  kInvalidArgument = 1,     // a caller passed something unusable
  kParseError = 2,          // malformed text input (CSV, SASRec text, history JSON)
  kIoError = 3,             // a file could not be opened, read or written
  kBadMagic = 4,            // not a forecart model file (or wrong endianness)
  kUnsupportedVersion = 5,  // model file from a newer forecart
  kChecksumMismatch = 6,    // model file corrupted
  kTruncated = 7,           // model file shorter than its header says
  kCorruptModel = 8,        // a field or offset in the model file is out of range
  kLimitExceeded = 9,       // a documented limit (id length, catalogue size, ...) was exceeded
  kUnknownItem = 10,        // an item id is not in the model's vocabulary
  kInternal = 11,           // a bug: should never happen
};
constexpr int32_t kNumStatusCodes = 12;  // codes are 0 .. kNumStatusCodes - 1 (the bindings export them)

// "invalid_argument", ...: the ForecartError.code of the JS API; "unknown_status" outside the enum.
const char* status_code_name(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "parse_error: line 12: expected 2 fields, found 1"
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) {
  return Status(StatusCode::kInvalidArgument, std::move(m));
}
inline Status parse_error(std::string m) {
  return Status(StatusCode::kParseError, std::move(m));
}
inline Status io_error(std::string m) {
  return Status(StatusCode::kIoError, std::move(m));
}
inline Status corrupt_model(std::string m) {
  return Status(StatusCode::kCorruptModel, std::move(m));
}
inline Status limit_exceeded(std::string m) {
  return Status(StatusCode::kLimitExceeded, std::move(m));
}

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T&& take() { return std::move(value_); }

 private:
  Status status_;
  T value_{};
};

#define FORECART_RETURN_IF_ERROR(expr) \
  do {                                 \
    ::forecart::Status _st = (expr);   \
    if (!_st.ok()) return _st;         \
  } while (0)

}  // namespace forecart
