// Names of the status codes (shared with the JS API through the bindings) and Status::to_string.
#include "core/status.h"

namespace forecart {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kParseError:
      return "parse_error";
    case StatusCode::kIoError:
      return "io_error";
    case StatusCode::kBadMagic:
      return "bad_magic";
    case StatusCode::kUnsupportedVersion:
      return "unsupported_version";
    case StatusCode::kChecksumMismatch:
      return "checksum_mismatch";
    case StatusCode::kTruncated:
      return "truncated";
    case StatusCode::kCorruptModel:
      return "corrupt_model";
    case StatusCode::kLimitExceeded:
      return "limit_exceeded";
    case StatusCode::kUnknownItem:
      return "unknown_item";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown_status";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  return std::string(status_code_name(code_)) + ": " + message_;
}

}  // namespace forecart
