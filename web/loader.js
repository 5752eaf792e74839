// Loading for every entry: the model download (fetch, integrity check) and the WASM module, started
// in parallel, and the module cache shared by the Forecart instances of a page.
import { ForecartError } from './errors.js';
import { simdSupported } from './simd.js';

async function sha(algorithm, bytes) {
  const digest = await globalThis.crypto.subtle.digest(algorithm, bytes);
  let s = '';
  for (const b of new Uint8Array(digest)) s += String.fromCharCode(b);
  return btoa(s);
}

// integrity: Subresource Integrity syntax, e.g. "sha256-<base64>" (several, space separated, any may match).
async function checkIntegrity(bytes, integrity) {
  const wanted = integrity.trim().split(/\s+/);
  for (const w of wanted) {
    const m = /^(sha256|sha384|sha512)-(.+)$/.exec(w);
    if (!m) throw new ForecartError('invalid_argument', `integrity "${w}" is not sha256-/sha384-/sha512-<base64>`);
    const alg = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }[m[1]];
    if ((await sha(alg, bytes)) === m[2]) return;
  }
  throw new ForecartError('integrity_mismatch', 'the model file does not match the expected integrity hash');
}

export async function fetchModel(url, signal, warn) {
  let res;
  try {
    res = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (err) {
    if (err?.name === 'AbortError') throw new ForecartError('aborted', 'model load aborted', { cause: err });
    throw new ForecartError('fetch_failed', `could not fetch the model (${err?.message || err})`, { cause: err });
  }
  if (!res.ok) throw new ForecartError('fetch_failed', `model request failed: HTTP ${res.status} for ${url}`);
  const type = res.headers.get('content-type') || '';
  if (/^text\/html/i.test(type)) {
    warn('model_mime', `the model was served as ${type}; expected application/octet-stream`);
  }
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    if (err?.name === 'AbortError') throw new ForecartError('aborted', 'model load aborted', { cause: err });
    throw new ForecartError('fetch_failed', `reading the model failed (${err?.message || err})`, { cause: err });
  }
}

function toBytes(input) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  return null;
}

// Wraps an entry's module factory: one instance shared by every Forecart of the page (custom
// locateFile/wasmBinary options get their own), dropped when it fails or aborts so that the next
// load starts afresh, and failures reported as ForecartError wasm_load_failed.
export function sharedModuleLoader(create, isCustom) {
  let shared = null;
  const load = async (options) => {
    const custom = isCustom(options);
    const p = (!custom && shared) || create(options);
    if (!custom) shared = p;
    try {
      return await p;
    } catch (err) {
      if (shared === p) shared = null;
      throw new ForecartError('wasm_load_failed', `could not load forecart.wasm (${err?.message || err})`, { cause: err });
    }
  };
  load.forget = () => {
    shared = null;
  };
  return load;
}

// The module and the model bytes for Forecart.load(): SIMD checked before anything is downloaded,
// the .wasm and the model fetched in parallel, the integrity checked, the signal honoured.
export async function fetchModelAndModule(urlOrBytes, options, env, warn) {
  if (!simdSupported()) {
    throw new ForecartError('simd_unsupported', 'this browser has no WebAssembly SIMD (Safari 16.4+, Chrome 91+, Firefox 89+ do)');
  }
  const { signal } = options;
  if (signal?.aborted) throw new ForecartError('aborted', 'model load aborted');
  let bytes = toBytes(urlOrBytes);
  if (!bytes && typeof urlOrBytes !== 'string' && !(urlOrBytes instanceof URL)) {
    throw new ForecartError('invalid_argument', 'Forecart.load() takes a model URL or its bytes');
  }
  const modulePromise = env.loadModule(options);
  modulePromise.catch(() => {}); // observed below; avoids an unhandled rejection if the model fails first
  if (!bytes) bytes = await env.fetchModel(urlOrBytes, signal, warn);
  if (options.integrity) await checkIntegrity(bytes, options.integrity);
  const module = await modulePromise;
  if (signal?.aborted) throw new ForecartError('aborted', 'model load aborted');
  return { module, bytes };
}
