// The Forecart class shared by the browser, Node and worker entries: events, predictions, explain,
// consent and history. An entry supplies how the WASM module is created (loadModule) and where
// history lives (storage default); fetching, integrity and the module cache are in loader.js.
import { ForecartError, statusError } from './errors.js';
import { HistoryStore, eraseNamespace } from './history.js';
import { fetchModelAndModule } from './loader.js';
import { simdSupported } from './simd.js';

const HISTORY_FORMAT = 'forecart-history';
const HISTORY_VERSION = 1;

const encoder = new TextEncoder();

// For error messages: never throws (JSON.stringify does on BigInt and cycles).
function describe(value) {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

// maxBytes: the module's MAX_ITEM_ID_BYTES (kMaxItemIdBytes in src/core/limits.h).
function normalizeItem(item, maxBytes) {
  if (typeof item === 'number' && Number.isFinite(item)) item = String(item);
  if (typeof item !== 'string' || item.length === 0) {
    throw new ForecartError('invalid_event', 'event.item must be a non-empty string (the storefront item id)');
  }
  if (item.length > maxBytes / 3 && encoder.encode(item).length > maxBytes) {
    throw new ForecartError('invalid_event', `event.item is longer than ${maxBytes} bytes of UTF-8`);
  }
  return item;
}

function normalizeTime(time) {
  if (time === undefined || time === null) return Date.now();
  if (time instanceof Date) time = time.getTime();
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    throw new ForecartError('invalid_event', 'event.time must be a Date or milliseconds since 1970');
  }
  return time;
}

export class Forecart {
  // Use Forecart.load(); the constructor is internal.
  constructor(secret, module, native, options, warn) {
    if (secret !== CONSTRUCT) throw new TypeError('use Forecart.load()');
    this._module = module;
    this._native = native;
    this._warn = warn;
    this._options = options;
    this._disposed = false;
    this._consented = options.consent !== 'required';
    this._actions = [];
    for (let i = 0; i < native._numActions(); i++) this._actions.push(native._actionName(i));
    this._actionIndex = new Map(this._actions.map((a, i) => [a, i]));
    this._defaultAction = this._actions[native._defaultAction()];  // the model's most frequent action
    this._categories = [];
    for (let i = 0; i < native._numCategories(); i++) this._categories.push(native._categoryName(i));
    this._categoryIndex = new Map(this._categories.map((c, i) => [c, i]));
    this._window = []; // the events the model attends to, oldest first (for explain)
    this._store = null;
    this._pending = new Set();
    const self = this;
    this.history = {
      export: () => self._exportHistory(),
      import: (data) => self._importHistory(data),
      clear: () => self._clearHistory(),
    };
  }

  static async _create(urlOrBytes, options, env) {
    options = { storage: env.defaultStorage, namespace: 'default', maxEvents: 500, ttlDays: 30, consent: 'granted', ...options };
    const warned = new Set();
    const warn = (code, message) => {
      if (typeof options.onWarning === 'function') options.onWarning({ code, message });
      else if (!warned.has(code)) {
        warned.add(code);
        console.warn(`forecart: ${message}`);
      }
    };
    const { module, bytes } = await fetchModelAndModule(urlOrBytes, options, env, warn);
    let native, status;
    try {
      native = new module.WasmForecart();
      status = native._load(bytes);
    } catch (err) {
      // The module aborted (out of memory): it is unusable, the next load starts a fresh one.
      env.loadModule.forget?.();
      throw new ForecartError('wasm_aborted', `the WASM module failed while loading the model (${err?.message || err})`, { cause: err });
    }
    if (status !== 0) {
      const err = statusError(module, status, `model: ${native._lastError()}`);
      native.delete();
      throw err;
    }
    const fc = new Forecart(CONSTRUCT, module, native, options, warn);
    if (fc._consented) await fc._openHistory();
    return fc;
  }

  get info() {
    this._alive();
    const n = this._native;
    return {
      items: n._numItems(), actions: this._actions.slice(), defaultAction: this._defaultAction,
      categories: this._categories.length,
      maxLen: n._maxLen(), dim: n._dim(), quantized: n._quantized(), kernels: this._module._kernels(),
      storage: this._store ? this._store.kind : 'none', consent: this._consented,
    };
  }

  get actions() {
    return this._actions.slice();
  }
  get categories() {
    return this._categories.slice();
  }
  itemCategory(item) {
    this._alive();
    const c = this._native._itemCategory(this._native._itemIndex(String(item)));
    return c >= 0 ? this._categories[c] : undefined;
  }
  // Storefront ids of the catalogue, in model order (for pages that list it).
  catalogue() {
    this._alive();
    const out = [];
    for (let i = 1; i <= this._native._numItems(); i++) out.push(this._native._itemId(i));
    return out;
  }

  async _openHistory() {
    const { storage, namespace, maxEvents, ttlDays } = this._options;
    this._store = new HistoryStore({ storage, namespace, limits: { maxEvents, ttlDays }, warn: this._warn });
    const events = await this._store.open();
    this._native._reset();
    this._window = [];
    for (const e of events) this._apply(e);
  }

  // The synchronous model update of one validated event; unknown actions of an older model are skipped.
  _apply(e) {
    const action = this._actionIndex.get(e.action);
    if (action === undefined) {
      this._warn('unknown_action', `stored event with action "${e.action}" is not in this model; skipped`);
      return;
    }
    const status = this._native._push(this._native._itemIndex(e.item), action, Math.floor(e.time / 1000));
    if (status !== 0) throw statusError(this._module, status, this._native._lastError());
    this._window.push(e);
    const max = this._native._maxLen();
    if (this._window.length > max) this._window.splice(0, this._window.length - max);
  }

  _normalize(event) {
    if (event === null || typeof event !== 'object') {
      throw new ForecartError('invalid_event', 'record() takes an object { item, action?, time? }');
    }
    const item = normalizeItem(event.item, this._module.MAX_ITEM_ID_BYTES);
    const action = event.action === undefined ? this._defaultAction : event.action;
    if (typeof action !== 'string' || !this._actionIndex.has(action)) {
      throw new ForecartError('unknown_action', `unknown action ${describe(action)}; this model knows ${this._actions.join(', ')}`);
    }
    return { item, action, time: normalizeTime(event.time) };
  }

  _expired(e) {
    const { ttlDays } = this._options;
    return ttlDays > 0 && e.time < Date.now() - ttlDays * 86400000;
  }

  // Updates the prediction state now; the Promise resolves when the event is stored (false when
  // nothing was recorded: no consent, or an event older than ttlDays, which the store would drop).
  record(event) {
    this._alive();
    const e = this._normalize(event);
    if (!this._consented) return Promise.resolve(false);
    if (this._expired(e)) {
      this._warn('expired_event', `an event older than ttlDays (${this._options.ttlDays}) was not recorded`);
      return Promise.resolve(false);
    }
    this._apply(e);
    const p = this._store.add(e).then(() => true);
    this._pending.add(p);
    p.finally(() => this._pending.delete(p));
    return p;
  }

  _indices(ids, what) {
    if (ids === undefined || ids === null) return null;
    if (typeof ids === 'string' || typeof ids[Symbol.iterator] !== 'function') {
      throw new ForecartError('invalid_argument', `${what} must be an iterable of item ids (e.g. an array)`);
    }
    const out = [];
    for (const id of ids) {
      const i = this._native._itemIndex(String(id));
      if (i > 0) out.push(i);
    }
    return new Uint32Array(out);
  }

  predict({ k = 10, exclude, allow, category, explain = false } = {}) {
    this._alive();
    if (!Number.isInteger(k) || k < 1 || k > 100000) throw new ForecartError('invalid_argument', 'k must be an integer in 1..100000');
    let cat = -1;
    if (category !== undefined && category !== null) {
      cat = this._categoryIndex.get(String(category)) ?? -2;
      if (cat === -2) throw new ForecartError('unknown_category', `unknown category ${describe(category)}`);
    }
    const allowIdx = this._indices(allow, 'allow');
    const noneAllowed = allowIdx !== null && allowIdx.length === 0; // an allow list of unknown ids only
    const n = this._native;
    const status = n._predict(noneAllowed ? 1 : k, this._indices(exclude, 'exclude') ?? new Uint32Array(0), noneAllowed ? null : allowIdx, cat);
    if (status !== 0) throw statusError(this._module, status, n._lastError());
    const ids = noneAllowed ? new Uint32Array(0) : n._resultItems();
    const scores = n._resultScores();
    const items = [];
    for (let i = 0; i < ids.length; i++) {
      const c = n._itemCategory(ids[i]);
      const entry = { item: n._itemId(ids[i]), score: scores[i] };
      if (c >= 0) entry.category = this._categories[c];
      items.push(entry);
    }
    const result = { items, actions: this._actionProbs(), fromPopularity: n._resultFromPopularity() };
    if (explain) this._explain(ids, items, result);
    return result;
  }

  _actionProbs() {
    const probs = this._native._resultActions();
    const out = {};
    this._actions.forEach((a, i) => (out[a] = probs[i]));
    return out;
  }

  // For each item: the window's events with the drop in the item's score when each is left out.
  // For the result: each window event (newest first) with the drop in every next-action
  // probability when it is left out (positive = the event raises it).
  _explain(ids, items, result) {
    const n = this._native;
    const W = n._window();
    const status = n._explain(ids);
    if (status !== 0) throw statusError(this._module, status, n._lastError());
    const drops = n._resultExplain();
    const actionDrops = n._resultExplainActions();
    const A = this._actions.length;
    const events = this._window.slice(this._window.length - W);
    items.forEach((entry, i) => {
      entry.explanation = events
        .map((e, j) => ({ item: e.item, action: e.action, time: e.time, impact: drops[i * W + j] }))
        .sort((a, b) => b.impact - a.impact);
    });
    result.actionExplanation = events
      .map((e, j) => {
        const impact = {};
        this._actions.forEach((a, k) => (impact[a] = actionDrops[j * A + k]));
        return { item: e.item, action: e.action, time: e.time, impact };
      })
      .reverse();
  }

  // Probability of each given id (null for ids the model does not know), same scale as predict().
  scoreItems(ids) {
    this._alive();
    if (!Array.isArray(ids)) throw new ForecartError('invalid_argument', 'scoreItems() takes an array of item ids');
    const idx = ids.map((id) => this._native._itemIndex(String(id)));
    const scores = this._native._scoreItems(new Uint32Array(idx));
    return ids.map((id, i) => ({ item: String(id), score: idx[i] > 0 ? scores[i] : null }));
  }

  async grantConsent() {
    this._alive();
    if (this._consented) return;
    this._consented = true;
    await this._openHistory();
  }

  // Stops recording and erases the stored history of this namespace.
  async revokeConsent() {
    this._alive();
    this._consented = false;
    await this._clearHistory();
    if (!this._store && this._options.storage === 'indexeddb') {
      const { namespace, maxEvents, ttlDays } = this._options;
      await eraseNamespace(namespace, { maxEvents, ttlDays }, this._warn);
    }
    this._store?.close();
    this._store = null;
  }

  async _exportHistory() {
    this._alive();
    const events = this._store ? await this._store.all() : [];
    return { format: HISTORY_FORMAT, version: HISTORY_VERSION, namespace: this._options.namespace, exportedAt: new Date().toISOString(), events };
  }

  // Adds the events of an export (or a plain array of events) after the current history; invalid
  // entries are skipped with a warning. Resolves to the number imported.
  async _importHistory(data) {
    this._alive();
    if (!this._consented) throw new ForecartError('consent_required', 'history.import() needs consent');
    const events = Array.isArray(data) ? data : data && typeof data === 'object' ? data.events : undefined;
    if (!Array.isArray(events)) throw new ForecartError('invalid_argument', 'history.import() takes an export object or an array of events');
    if (!Array.isArray(data) && data.format !== undefined && data.format !== HISTORY_FORMAT) {
      throw new ForecartError('invalid_argument', `not a forecart history export (format ${describe(data.format)})`);
    }
    let imported = 0, skipped = 0;
    const valid = [];
    for (const ev of events) {
      try {
        valid.push(this._normalize(ev));
      } catch {
        skipped++;
      }
    }
    // Kept in the given order (an export is in recording order); events the store would expire at once
    // (older than ttlDays) are skipped, so that the model and the stored history agree.
    for (const e of valid) {
      if (this._expired(e)) {
        skipped++;
        continue;
      }
      this._apply(e);
      await this._store.add(e);
      imported++;
    }
    if (skipped) this._warn('import_skipped', `history.import(): skipped ${skipped} invalid event(s)`);
    return imported;
  }

  async _clearHistory() {
    this._alive();
    await Promise.allSettled([...this._pending]);
    if (this._store) await this._store.clear();
    this._native._reset();
    this._window = [];
  }

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    this._store?.close();
    this._native.delete();
    this._native = null;
  }

  _alive() {
    if (this._disposed) throw new ForecartError('disposed', 'this Forecart was disposed');
  }
}

const CONSTRUCT = Symbol('construct');
// `using fc = await Forecart.load(...)` where the runtime has explicit resource management.
if (typeof Symbol.dispose === 'symbol') {
  Forecart.prototype[Symbol.dispose] = function dispose() {
    this.dispose();
  };
}

export { ForecartError, simdSupported };
