// ForecartError: every failure the package reports carries a stable string `code`. The codes of the
// C++ core come from the WASM module (its _statusCodes(), src/core/status.h); the codes below arise in
// JS only, where no C++ status exists (before the module is there, or in the JS API's own checks).
export class ForecartError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = 'ForecartError';
    this.code = code;
  }
}

export const JS_ONLY_CODES = Object.freeze([
  'simd_unsupported', 'fetch_failed', 'aborted', 'integrity_mismatch', 'wasm_load_failed', 'wasm_aborted',
  'invalid_event', 'unknown_action', 'unknown_category', 'consent_required', 'disposed', 'worker_failed',
]);

// A ForecartError for a status number returned by `module`'s raw methods (errors are rare: the
// names are read from the module each time rather than cached).
export function statusError(module, status, message) {
  const code = module._statusCodes()[status] ?? 'internal';
  return new ForecartError(code, message || code);
}
