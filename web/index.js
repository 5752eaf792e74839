// Browser entry of the forecart package: history in IndexedDB (memory fallback).
// Importing this module touches no window, document or indexedDB: work starts at Forecart.load().
import { Forecart as ForecartBase, ForecartError, fetchModel, simdSupported } from './core.js';

let modulePromise = null;

// The .wasm sits next to the glue in dist/; `new URL(literal, import.meta.url)` lets bundlers
// (Vite, webpack 5, Rollup) find and emit it without manual copying.
function defaultWasmUrl() {
  return new URL('../dist/forecart.wasm', import.meta.url).href;
}

async function loadModule(options) {
  const custom = options.locateFile || options.wasmBinary;
  if (!custom && modulePromise) return modulePromise;
  const p = import('../dist/forecart.mjs').then(({ default: create }) =>
    create({
      locateFile: (path, prefix) => (options.locateFile ? options.locateFile(path, prefix) : defaultWasmUrl()),
      ...(options.wasmBinary ? { wasmBinary: options.wasmBinary } : {}),
    }),
  );
  if (!custom) modulePromise = p.catch((err) => {
    modulePromise = null;
    throw err;
  });
  try {
    return await p;
  } catch (err) {
    throw new ForecartError('wasm_load_failed', `could not load forecart.wasm (${err?.message || err})`, { cause: err });
  }
}

const env = {
  defaultStorage: 'indexeddb',
  loadModule,
  fetchModel,
  forgetModule: () => {
    modulePromise = null; // after an abort: the next load instantiates a fresh module
  },
};

export class Forecart extends ForecartBase {
  static load(urlOrBytes, options = {}) {
    return ForecartBase._create(urlOrBytes, options, env);
  }
}

export { ForecartError, simdSupported };
