// ForecartError: every failure the package reports carries a stable string `code`.
export class ForecartError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'ForecartError';
    this.code = code;
  }
}

// StatusCode numbers of src/core/status.h -> codes of the JS API.
const STATUS_CODES = [
  'ok', 'invalid_argument', 'parse_error', 'io_error', 'bad_magic', 'unsupported_version',
  'checksum_mismatch', 'truncated', 'corrupt_model', 'limit_exceeded', 'unknown_item', 'internal',
];

export function statusError(status, message) {
  const code = STATUS_CODES[status] ?? 'internal';
  return new ForecartError(code, message || code);
}
