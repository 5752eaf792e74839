// Browser entry of the forecart package: history in IndexedDB (memory fallback).
// Importing this module touches no window, document or indexedDB: work starts at Forecart.load().
import { Forecart as ForecartBase, ForecartError, simdSupported } from './core.js';
import { fetchModel, sharedModuleLoader } from './loader.js';

// The .wasm sits next to the glue in dist/; `new URL(literal, import.meta.url)` lets bundlers
// (Vite, webpack 5, Rollup) find and emit it without manual copying.
function defaultWasmUrl() {
  return new URL('../dist/forecart.wasm', import.meta.url).href;
}

const loadModule = sharedModuleLoader(
  (options) =>
    import('../dist/forecart.mjs').then(({ default: create }) =>
      create({
        locateFile: (path, prefix) => (options.locateFile ? options.locateFile(path, prefix) : defaultWasmUrl()),
        ...(options.wasmBinary ? { wasmBinary: options.wasmBinary } : {}),
      }),
    ),
  (options) => Boolean(options.locateFile || options.wasmBinary),
);

const env = {
  defaultStorage: 'indexeddb',
  loadModule,
  fetchModel,
};

export class Forecart extends ForecartBase {
  static load(urlOrBytes, options = {}) {
    return ForecartBase._create(urlOrBytes, options, env);
  }
}

export { ForecartError, simdSupported };
