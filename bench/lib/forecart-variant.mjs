// The forecart package API over another build of the same sources (e.g. bench/out/wasm-512m, the
// shipped code linked with a 512 MB instead of 256 MB WASM memory maximum): web/core.js's Forecart
// with a Node environment that imports that build's glue and .wasm instead of dist/.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Forecart as ForecartBase } from '../../web/core.js';

export function variantForecart(distDir) {
  let modulePromise = null;
  const env = {
    defaultStorage: 'memory',
    async loadModule() {
      modulePromise ??= (async () => {
        globalThis.require ??= createRequire(import.meta.url);
        globalThis.__dirname ??= distDir;
        const { default: create } = await import(pathToFileURL(join(distDir, 'forecart.mjs')).href);
        return create({ wasmBinary: await readFile(join(distDir, 'forecart.wasm')) });
      })();
      return modulePromise;
    },
    async fetchModel(path) {
      return new Uint8Array(await readFile(path));
    },
  };
  return class Forecart extends ForecartBase {
    static load(urlOrBytes, options = {}) {
      return ForecartBase._create(urlOrBytes, { ...options, storage: 'memory' }, env);
    }
  };
}
