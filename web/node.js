// Node entry of the forecart package: the same API with history in memory.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Forecart as ForecartBase, ForecartError, simdSupported } from './core.js';
import { fetchModel as fetchOverHttp, sharedModuleLoader } from './loader.js';

const wasmPath = fileURLToPath(new URL('../dist/forecart.wasm', import.meta.url));

const loadModule = sharedModuleLoader(
  async (options) => {
    // Emscripten 3.1.6's ES6 glue expects CommonJS `require` and `__dirname` under Node.
    globalThis.require ??= createRequire(import.meta.url);
    globalThis.__dirname ??= dirname(wasmPath);
    const { default: create } = await import('../dist/forecart.mjs');
    // Node's fetch() cannot read file paths: hand the bytes over directly.
    return create({ wasmBinary: options.wasmBinary ?? (await readFile(wasmPath)) });
  },
  (options) => Boolean(options.wasmBinary),
);

// Node has no IndexedDB: model URLs are read with fetch() (http/https) or from a file path / file: URL.
async function fetchModel(url, signal, warn) {
  const s = String(url);
  if (/^https?:/i.test(s)) return fetchOverHttp(s, signal, warn);
  try {
    return new Uint8Array(await readFile(s.startsWith('file:') ? fileURLToPath(s) : s, { signal }));
  } catch (err) {
    if (err?.name === 'AbortError') throw new ForecartError('aborted', 'model load aborted', { cause: err });
    throw new ForecartError('fetch_failed', `could not read the model (${err?.message || err})`, { cause: err });
  }
}

const env = {
  defaultStorage: 'memory',
  loadModule,
  fetchModel,
};

export class Forecart extends ForecartBase {
  static load(urlOrBytes, options = {}) {
    return ForecartBase._create(urlOrBytes, { ...options, storage: 'memory' }, env);
  }
}

export { ForecartError, simdSupported };
