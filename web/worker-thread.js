// Runs inside the module Web Worker started by worker-client.js (forecart/worker): owns a Forecart
// (history in the worker's IndexedDB) and answers the main thread's calls.
import { Forecart, ForecartError } from './index.js';

let fc = null;

function reply(id, ok, value) {
  if (ok) self.postMessage({ id, ok: true, value });
  else {
    const err = value instanceof ForecartError ? value : new ForecartError('internal', String(value?.message || value));
    self.postMessage({ id, ok: false, error: { code: err.code, message: err.message } });
  }
}

const methods = {
  async load(source, options) {
    fc = await Forecart.load(source, {
      ...options,
      onWarning: (w) => self.postMessage({ warning: w }),
    });
    return fc.info;
  },
  info: () => fc.info,
  record: (event) => fc.record(event),
  predict: (opts) => fc.predict(opts),
  scoreItems: (ids) => fc.scoreItems(ids),
  catalogue: () => fc.catalogue(),
  itemCategory: (item) => fc.itemCategory(item),
  grantConsent: () => fc.grantConsent(),
  revokeConsent: () => fc.revokeConsent(),
  'history.export': () => fc.history.export(),
  'history.import': (data) => fc.history.import(data),
  'history.clear': () => fc.history.clear(),
  dispose() {
    fc?.dispose();
    fc = null;
  },
};

self.onmessage = async ({ data }) => {
  const { id, method, args } = data;
  try {
    if (method !== 'load' && !fc) throw new ForecartError('disposed', 'no model loaded in this worker');
    const fn = methods[method];
    if (!fn) throw new ForecartError('invalid_argument', `unknown method ${method}`);
    reply(id, true, await fn(...args));
  } catch (err) {
    reply(id, false, err);
  }
};
