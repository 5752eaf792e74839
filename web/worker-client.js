// forecart/worker, run on the page's main thread: the same API as the main entry, each method
// returning a Promise, forwarded to worker-thread.js, which holds the model and history in a module
// Web Worker so that the main thread never runs inference.
import { ForecartError } from './errors.js';
import { simdSupported } from './simd.js';

export class Forecart {
  constructor(secret, worker, info, onWarning) {
    if (secret !== CONSTRUCT) throw new TypeError('use Forecart.load()');
    this._worker = worker;
    this._info = info;
    this._next = 1;
    this._calls = new Map();
    this._disposed = false;
    worker.onmessage = ({ data }) => {
      if (data.warning) {
        if (onWarning) onWarning(data.warning);
        return;
      }
      const call = this._calls.get(data.id);
      if (!call) return;
      this._calls.delete(data.id);
      if (data.ok) call.resolve(data.value);
      else call.reject(new ForecartError(data.error.code, data.error.message));
    };
    worker.onerror = (e) => {
      for (const c of this._calls.values()) c.reject(new ForecartError('worker_failed', e.message || 'worker failed'));
      this._calls.clear();
    };
    this.history = {
      export: () => this._call('history.export'),
      import: (data) => this._call('history.import', data),
      clear: () => this._call('history.clear'),
    };
  }

  // options as for the main-thread Forecart.load, except functions other than onWarning (they
  // cannot cross into the worker); `signal` aborts the load.
  static async load(source, options = {}) {
    if (!simdSupported()) throw new ForecartError('simd_unsupported', 'this browser has no WebAssembly SIMD');
    const { onWarning, signal, locateFile, ...rest } = options;
    if (locateFile) throw new ForecartError('invalid_argument', 'locateFile cannot be passed to forecart/worker');
    if (source instanceof URL) source = source.href;
    if (typeof source === 'string') source = new URL(source, globalThis.location?.href).href;
    const worker = new Worker(new URL('./worker-thread.js', import.meta.url), { type: 'module', name: 'forecart' });
    const fc = new Forecart(CONSTRUCT, worker, null, onWarning);
    const abort = () => {
      worker.terminate();
      for (const c of fc._calls.values()) c.reject(new ForecartError('aborted', 'model load aborted'));
      fc._calls.clear();
    };
    if (signal?.aborted) {
      worker.terminate();
      throw new ForecartError('aborted', 'model load aborted');
    }
    signal?.addEventListener('abort', abort, { once: true });
    try {
      fc._info = await fc._call('load', source, rest);
    } catch (err) {
      worker.terminate();
      throw err;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return fc;
  }

  _call(method, ...args) {
    if (this._disposed) return Promise.reject(new ForecartError('disposed', 'this Forecart was disposed'));
    const id = this._next++;
    return new Promise((resolve, reject) => {
      this._calls.set(id, { resolve, reject });
      this._worker.postMessage({ id, method, args });
    });
  }

  get info() {
    return this._call('info');
  }
  record(event) {
    return this._call('record', event);
  }
  predict(options) {
    return this._call('predict', options);
  }
  scoreItems(ids) {
    return this._call('scoreItems', ids);
  }
  catalogue() {
    return this._call('catalogue');
  }
  itemCategory(item) {
    return this._call('itemCategory', item);
  }
  grantConsent() {
    return this._call('grantConsent');
  }
  revokeConsent() {
    return this._call('revokeConsent');
  }
  async dispose() {
    if (this._disposed) return;
    try {
      await this._call('dispose');
    } finally {
      this._disposed = true;
      this._worker.terminate();
    }
  }
}

const CONSTRUCT = Symbol('construct');
if (typeof Symbol.dispose === 'symbol') {
  Forecart.prototype[Symbol.dispose] = function dispose() {
    this.dispose();
  };
}

export { ForecartError, simdSupported };
