// The shopper's event history on their own device: IndexedDB (one record per event, bounded by
// count and age, schema-versioned) with an in-memory fallback. Nothing here touches the network.
//
// Records: { ns, item, action, time } in object store "events" (auto-increment key "seq"),
// index "ns". A failure of IndexedDB (unavailable, quota, corrupt) switches to memory and warns
// once; events already stored in IndexedDB are never deleted by the fallback.

const DB_NAME = 'forecart';
const DB_VERSION = 1; // bump with an upgrade step when the record shape changes
const STORE = 'events';
const DAY_MS = 86400000;

function isValidRecord(r) {
  return r && typeof r.item === 'string' && r.item.length > 0 && typeof r.action === 'string' &&
    typeof r.time === 'number' && Number.isFinite(r.time);
}

function prune(events, { maxEvents, ttlDays }, now) {
  const minTime = ttlDays > 0 ? now - ttlDays * DAY_MS : -Infinity;
  let kept = events.filter((e) => e.time >= minTime);
  if (maxEvents > 0 && kept.length > maxEvents) kept = kept.slice(kept.length - maxEvents);
  return kept;
}

export class MemoryStore {
  constructor(limits) {
    this.kind = 'memory';
    this.limits = limits;
    this.events = [];
  }
  async open() {
    return this.events.slice();
  }
  async add(event) {
    this.events.push(event);
    this.events = prune(this.events, this.limits, Date.now());
  }
  async all() {
    return this.events.slice();
  }
  async clear() {
    this.events = [];
  }
  close() {}
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
    tx.onerror = () => reject(tx.error);
  });
}

export class IndexedDbStore {
  constructor(idb, namespace, limits, warn) {
    this.kind = 'indexeddb';
    this.idb = idb;
    this.ns = namespace;
    this.limits = limits;
    this.warn = warn;
    this.db = null;
  }

  async open() {
    const req = this.idb.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORE)) {
        const store = db.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
        store.createIndex('ns', 'ns', { unique: false });
      }
    };
    req.onblocked = () => this.warn('storage_blocked', 'IndexedDB upgrade blocked by another tab');
    this.db = await request(req);
    this.db.onversionchange = () => this.db.close();
    return this.readAndPrune();
  }

  // Reads this namespace's records oldest first, drops corrupt and expired ones and trims to maxEvents.
  async readAndPrune() {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const rows = await request(store.index('ns').getAll(IDBKeyRange.only(this.ns)));
    rows.sort((a, b) => a.seq - b.seq);
    const valid = [];
    let corrupt = 0;
    for (const r of rows) {
      if (isValidRecord(r)) valid.push(r);
      else {
        corrupt++;
        store.delete(r.seq);
      }
    }
    const kept = prune(valid, this.limits, Date.now());
    const keep = new Set(kept.map((r) => r.seq));
    for (const r of valid) if (!keep.has(r.seq)) store.delete(r.seq);
    await done(tx);
    if (corrupt) this.warn('corrupt_record', `skipped ${corrupt} unreadable stored event(s)`);
    return kept.map(({ item, action, time }) => ({ item, action, time }));
  }

  async add(event) {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    store.add({ ns: this.ns, item: event.item, action: event.action, time: event.time });
    const { maxEvents } = this.limits;
    if (maxEvents > 0) {
      // Count in the database, not in this tab: other tabs of the origin add events too.
      const index = store.index('ns');
      const countReq = index.count(IDBKeyRange.only(this.ns));
      countReq.onsuccess = () => {
        let surplus = countReq.result - maxEvents;
        if (surplus <= 0) return;
        const cursorReq = index.openKeyCursor(IDBKeyRange.only(this.ns)); // oldest first by key
        cursorReq.onsuccess = () => {
          const cursor = cursorReq.result;
          if (!cursor || surplus <= 0) return;
          store.delete(cursor.primaryKey);
          surplus--;
          cursor.continue();
        };
      };
    }
    await done(tx);
  }

  async all() {
    const tx = this.db.transaction(STORE, 'readonly');
    const rows = await request(tx.objectStore(STORE).index('ns').getAll(IDBKeyRange.only(this.ns)));
    rows.sort((a, b) => a.seq - b.seq);
    return rows.filter(isValidRecord).map(({ item, action, time }) => ({ item, action, time }));
  }

  async clear() {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const keys = await request(store.index('ns').getAllKeys(IDBKeyRange.only(this.ns)));
    for (const k of keys) store.delete(k);
    await done(tx);
  }

  close() {
    this.db?.close();
  }
}

// Best effort: removes a namespace's events from IndexedDB without keeping the database open.
export async function eraseNamespace(namespace, limits, warn) {
  const idb = globalThis.indexedDB;
  if (!idb) return;
  const store = new IndexedDbStore(idb, namespace, limits, () => {});
  try {
    await store.open();
    await store.clear();
  } catch (err) {
    warn('storage_erase_failed', `could not erase the stored history (${err?.name || err}); try again later`);
  } finally {
    store.close();
  }
}

// The store the Forecart instance talks to: IndexedDB while it works, memory after a failure.
// The memory mirror always holds the events of this page session, so a switch loses nothing.
export class HistoryStore {
  constructor({ storage, namespace, limits, warn }) {
    this.storage = storage;
    this.namespace = namespace;
    this.limits = limits;
    this.warn = warn;
    this.primary = null;
    this.memory = new MemoryStore(limits);
    this.warned = false;
  }

  get kind() {
    return this.primary ? this.primary.kind : 'memory';
  }

  fallBack(err) {
    if (this.primary) this.primary.close();
    this.primary = null;
    if (!this.warned) {
      this.warned = true;
      this.warn('storage_fallback', `IndexedDB unavailable (${err?.name || err}); history kept in memory for this page`);
    }
  }

  async open() {
    let events = [];
    const idb = this.storage === 'indexeddb' ? globalThis.indexedDB : undefined;
    if (this.storage === 'indexeddb' && !idb) this.fallBack('no indexedDB');
    if (idb) {
      try {
        this.primary = new IndexedDbStore(idb, this.namespace, this.limits, this.warn);
        events = await this.primary.open();
      } catch (err) {
        this.fallBack(err);
        events = [];
      }
    }
    for (const e of events) this.memory.events.push(e);
    return events;
  }

  async add(event) {
    await this.memory.add(event);
    if (!this.primary) return;
    try {
      await this.primary.add(event);
    } catch (err) {
      this.fallBack(err);
    }
  }

  async all() {
    if (this.primary) {
      try {
        return await this.primary.all();
      } catch (err) {
        this.fallBack(err);
      }
    }
    return this.memory.all();
  }

  // Erases this namespace everywhere it may be stored: memory, and IndexedDB even when this page
  // fell back to memory or never opened it (consent not yet given): a privacy promise.
  async clear() {
    await this.memory.clear();
    if (this.primary) {
      await this.primary.clear();
      return;
    }
    if (this.storage === 'indexeddb') await eraseNamespace(this.namespace, this.limits, this.warn);
  }

  close() {
    this.primary?.close();
  }
}
