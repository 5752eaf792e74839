// The Node entry of the package against the native CLI and through its error paths.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { JS_ONLY_CODES } from '../../web/errors.js';
import { Forecart, ForecartError, simdSupported } from '../../web/node.js';
import { nativePredict, root, trainedModel } from './helpers.mjs';

const golden = new Uint8Array(readFileSync(join(root, 'tests/golden/golden_v1.fcm')));

async function rejectsWith(promiseOrFn, code) {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
  } catch (err) {
    assert.ok(err instanceof ForecartError, `expected ForecartError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected a ForecartError ${code}`);
}

test('importing the browser entry touches no window, document or indexedDB', async () => {
  const mod = await import('../../web/index.js');
  assert.equal(typeof mod.Forecart.load, 'function');
  assert.equal(globalThis.window, undefined);
  assert.equal(globalThis.document, undefined);
  assert.equal(globalThis.indexedDB, undefined);
  const worker = await import('../../web/worker-client.js');
  assert.equal(typeof worker.Forecart.load, 'function');
});

test('SIMD is detected and the SIMD kernels are in use', async () => {
  assert.equal(simdSupported(), true);
  const fc = await Forecart.load(golden);
  assert.equal(fc.info.kernels, 'wasmsimd');
  fc.dispose();
});

test('WASM predictions equal the native CLI: same top-10, logits within 1e-3', async () => {
  const { path, bytes } = trainedModel('jd');
  const fc = await Forecart.load(bytes);
  const catalogue = fc.catalogue();
  // A real shopper-like history: items from the catalogue, mixed actions, real times, one unknown id.
  const t0 = Date.now() - 2 * 86_400_000;
  const history = [
    { item: catalogue[3], action: 'view', time: t0 },
    { item: catalogue[7], action: 'view', time: t0 + 40_000 },
    { item: 'not-in-catalogue', action: 'view', time: t0 + 95_000 },
    { item: catalogue[7], action: 'purchase', time: t0 + 600_000 },
    { item: catalogue[11], action: 'view', time: t0 + 86_400_000 },
  ];
  for (const e of history) await fc.record(e);
  const js = fc.predict({ k: 10 });
  const native = nativePredict(path, history.map((e) => ({ ...e, time: e.time / 1000 })), 10);
  assert.deepEqual(js.items.map((x) => x.item), native.items.map((x) => x.item));
  js.items.forEach((x, i) => assert.ok(Math.abs(x.score - native.items[i].score) < 1e-5));
  const logits = fc._native._logits();
  assert.equal(logits.length, native.logits.length);
  let maxDiff = 0;
  for (let i = 0; i < logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(logits[i] - native.logits[i]));
  assert.ok(maxDiff < 1e-3, `max logit difference ${maxDiff}`);
  for (const [name, p] of Object.entries(native.actions)) assert.ok(Math.abs(js.actions[name] - p) < 1e-5);
  fc.dispose();
});

test('record() rejects garbage with a code and leaves the state alone', async () => {
  const fc = await Forecart.load(trainedModel('jd').bytes);
  const item = fc.catalogue()[0];
  await fc.record({ item, action: 'view' });
  const before = fc.predict({ k: 5 });
  const bad = [null, undefined, 42, 'sku', {}, { item: '' }, { item: null }, { item: {} }, { item: 'x'.repeat(257) },
    { item: 'é'.repeat(129) }, { item, action: 'teleport' }, { item, action: 7 }, { item, time: 'yesterday' },
    { item, time: -5 }, { item, time: NaN }];
  for (const e of bad) {
    assert.throws(() => fc.record(e), (err) => err instanceof ForecartError && ['invalid_event', 'unknown_action'].includes(err.code));
  }
  await fc.record({ item: 'x'.repeat(256) }); // the limit itself is fine (an unknown id)
  await fc.record({ item: 12345 }); // numbers are ids too
  const history = await fc.history.export();
  assert.equal(history.events.length, 3);
  assert.deepEqual(before.items.length, 5);
  fc.dispose();
});

test('model errors map to codes: truncated, corrupted, foreign, newer, missing, integrity, abort', async () => {
  const { bytes } = trainedModel('jd');
  await rejectsWith(Forecart.load(bytes.slice(0, bytes.length - 100)), 'truncated');
  const flipped = bytes.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0x40;
  await rejectsWith(Forecart.load(flipped), 'checksum_mismatch');
  await rejectsWith(Forecart.load(new TextEncoder().encode('<!doctype html><p>Not found</p>')), 'bad_magic');
  const newer = bytes.slice();
  newer[4] = 99; // version field (little-endian uint32 after the magic)
  const err = await rejectsWith(Forecart.load(newer), 'unsupported_version');
  const fc = await Forecart.load(bytes);
  const readsUpTo = fc._module.FORMAT_VERSION; // kFcmVersion, exported by the bindings
  fc.dispose();
  assert.ok(Number.isInteger(readsUpTo) && readsUpTo >= 2, String(readsUpTo));
  assert.match(err.message, /version 99\b/);
  assert.match(err.message, new RegExp(`up to version ${readsUpTo}\\b`));
  await rejectsWith(Forecart.load('/nonexistent/model.fcm'), 'fetch_failed');
  await rejectsWith(Forecart.load(bytes, { integrity: 'sha256-AAAA' }), 'integrity_mismatch');
  const digest = Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('base64');
  const ok = await Forecart.load(bytes, { integrity: `sha256-${digest}` });
  ok.dispose();
  const ac = new AbortController();
  ac.abort();
  await rejectsWith(Forecart.load(bytes, { signal: ac.signal }), 'aborted');
  await rejectsWith(Forecart.load(12), 'invalid_argument');
});

test('consent: nothing is recorded before grantConsent; revokeConsent erases', async () => {
  const fc = await Forecart.load(trainedModel('jd').bytes, { consent: 'required' });
  const item = fc.catalogue()[2];
  assert.equal(await fc.record({ item }), false);
  assert.equal(fc.predict().fromPopularity, true);
  assert.deepEqual((await fc.history.export()).events, []);
  await fc.grantConsent();
  assert.equal(await fc.record({ item }), true);
  assert.equal(fc.predict().fromPopularity, false);
  assert.equal((await fc.history.export()).events.length, 1);
  await fc.revokeConsent();
  assert.equal(fc.predict().fromPopularity, true);
  assert.deepEqual((await fc.history.export()).events, []);
  assert.equal(await fc.record({ item }), false);
  fc.dispose();
});

test('history export/import reproduces predictions, also into a model with another vocabulary', async () => {
  const a = await Forecart.load(trainedModel('jd').bytes);
  const ids = a.catalogue();
  const t0 = Date.now() - 86_400_000; // within the default ttlDays (30): older events would be pruned
  for (let i = 0; i < 12; i++) await a.record({ item: ids[(i * 5) % ids.length], action: i % 4 ? 'view' : 'purchase', time: t0 + i * 60_000 });
  const exported = await a.history.export();
  assert.equal(exported.format, 'forecart-history');
  assert.equal(exported.events.length, 12);

  const b = await Forecart.load(trainedModel('jd').bytes);
  assert.equal(await b.history.import(JSON.parse(JSON.stringify(exported))), 12);
  assert.deepEqual(b.predict({ k: 10 }), a.predict({ k: 10 }));

  // A model with another vocabulary order (different seed, extra epochs) replays by id string.
  const other = await Forecart.load(trainedModel('jd', ['--seed', '9']).bytes);
  const direct = await Forecart.load(trainedModel('jd', ['--seed', '9']).bytes);
  await other.history.import(exported);
  for (const e of exported.events) await direct.record(e);
  assert.deepEqual(other.predict({ k: 10 }), direct.predict({ k: 10 }));

  // Invalid entries are skipped with a warning, valid ones kept.
  const warnings = [];
  const c = await Forecart.load(trainedModel('jd').bytes, { onWarning: (w) => warnings.push(w) });
  assert.equal(await c.history.import({ format: 'forecart-history', events: [{ item: ids[0] }, { item: null }, 'junk', { item: ids[1], action: 'fly' }] }), 1);
  assert.equal(warnings[0].code, 'import_skipped');
  await rejectsWith(c.history.import('nope'), 'invalid_argument');
  await rejectsWith(c.history.import({ format: 'other', events: [] }), 'invalid_argument');
  await c.history.clear();
  assert.equal((await c.history.export()).events.length, 0);
  for (const f of [a, b, other, direct, c]) f.dispose();
});

test('predict filters, categories, explain and scoreItems', async () => {
  const fc = await Forecart.load(trainedModel('taobao').bytes);
  const ids = fc.catalogue();
  await fc.record({ item: ids[0], action: 'pv' });
  await fc.record({ item: ids[1], action: 'pv' });
  const all = fc.predict({ k: 20 });
  assert.equal(all.items.length, 20);
  for (let i = 1; i < all.items.length; i++) assert.ok(all.items[i - 1].score >= all.items[i].score);
  const sum = Object.values(all.actions).reduce((s, p) => s + p, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5);
  const ex = fc.predict({ k: 3, exclude: [all.items[0].item] });
  assert.equal(ex.items[0].item, all.items[1].item);
  const allow = fc.predict({ k: 5, allow: [ids[5], ids[9], 'unknown'] });
  assert.deepEqual(new Set(allow.items.map((x) => x.item)), new Set([ids[5], ids[9]]));
  assert.deepEqual(fc.predict({ allow: ['unknown'] }).items, []);
  const cat = all.items[0].category;
  assert.ok(cat);
  for (const x of fc.predict({ k: 50, category: cat }).items) assert.equal(x.category, cat);
  assert.throws(() => fc.predict({ category: 'no-such-category' }), (e) => e.code === 'unknown_category');
  assert.throws(() => fc.predict({ k: 0 }), (e) => e.code === 'invalid_argument');
  const explained = fc.predict({ k: 2, explain: true });
  for (const x of explained.items) {
    assert.equal(x.explanation.length, 2);
    assert.ok(x.explanation[0].impact >= x.explanation[1].impact);
    assert.ok([ids[0], ids[1]].includes(x.explanation[0].item));
  }
  const scored = fc.scoreItems([all.items[0].item, 'unknown']);
  assert.equal(scored[0].score, all.items[0].score);
  assert.equal(scored[1].score, null);
  fc.dispose();
  assert.throws(() => fc.predict(), (e) => e.code === 'disposed');
  assert.throws(() => fc.record({ item: 'a' }), (e) => e.code === 'disposed');
  fc.dispose(); // idempotent
});

test('maxEvents and ttlDays bound the stored history', async () => {
  const fc = await Forecart.load(trainedModel('jd').bytes, { maxEvents: 5, ttlDays: 1 });
  const ids = fc.catalogue();
  const now = Date.now();
  await fc.record({ item: ids[0], time: now - 3 * 86_400_000 }); // older than ttlDays: not kept
  for (let i = 0; i < 8; i++) await fc.record({ item: ids[i + 1], time: now - 1000 + i });
  const events = (await fc.history.export()).events;
  assert.equal(events.length, 5);
  assert.deepEqual(events.map((e) => e.item), ids.slice(4, 9));
  fc.dispose();
});

test('no live Embind objects or handles after dispose, also after failed loads', async () => {
  const first = await Forecart.load(golden);
  const mod = first._module;
  first.dispose();
  mod.flushPendingDeletes();
  const handles = mod.count_emval_handles();
  assert.equal(mod._liveInstances(), 0);
  for (let i = 0; i < 5; i++) {
    const fc = await Forecart.load(trainedModel('jd').bytes);
    await fc.record({ item: fc.catalogue()[i] });
    fc.predict({ k: 5, explain: true, exclude: [fc.catalogue()[0]] });
    fc.scoreItems(fc.catalogue().slice(0, 3));
    fc.dispose();
    await rejectsWith(Forecart.load(golden.slice(0, 100)), 'truncated');
  }
  mod.flushPendingDeletes();
  assert.equal(mod._liveInstances(), 0);
  assert.equal(mod.count_emval_handles(), handles);
});

test('a model too large for the WASM memory maximum is refused with limit_exceeded, not an abort', async () => {
  // A real header with a huge (fake) size: the guard runs before anything is parsed or allocated.
  const huge = new Uint8Array(70 * 1024 * 1024);
  huge.set(golden.subarray(0, 64));
  const err = await rejectsWith(Forecart.load(huge), 'limit_exceeded');
  assert.match(err.message, /needs about \d+ MiB of memory to load; the maximum is 256 MiB/);
  const fc = await Forecart.load(golden); // the module is still usable
  fc.predict();
  fc.dispose();
});

test('a model served with the wrong MIME type loads with a warning; an HTML page instead of a model is bad_magic', async () => {
  const { createServer } = await import('node:http');
  const { bytes } = trainedModel('jd');
  const server = createServer((req, res) => {
    if (req.url === '/model-as-html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(Buffer.from(bytes));
    } else if (req.url === '/spa-fallback') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><div id="app"></div>');
    } else {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>404</h1>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const warnings = [];
    const fc = await Forecart.load(`${base}/model-as-html`, { onWarning: (w) => warnings.push(w.code) });
    assert.deepEqual(warnings, ['model_mime']);
    assert.equal(fc.predict({ k: 3 }).items.length, 3);
    fc.dispose();
    await rejectsWith(Forecart.load(`${base}/spa-fallback`, { onWarning: () => {} }), 'bad_magic');
    const err = await rejectsWith(Forecart.load(`${base}/missing.fcm`), 'fetch_failed');
    assert.match(err.message, /404/);
  } finally {
    server.close();
  }
});

test('error codes: the C++ status names (from the module) and the JS-only codes are exactly ForecartErrorCode of index.d.ts', async () => {
  const fc = await Forecart.load(golden);
  const native = fc._module._statusCodes();
  const maxId = fc._module.MAX_ITEM_ID_BYTES;
  fc.dispose();
  assert.equal(native[0], 'ok');
  assert.ok(native.includes('invalid_argument') && native.includes('internal'), native.join());
  assert.equal(new Set(native).size, native.length, 'status names are distinct');
  for (const c of JS_ONLY_CODES) assert.ok(!native.includes(c), `${c} is both a C++ status and a JS-only code`);
  const dts = readFileSync(join(root, 'web/index.d.ts'), 'utf8');
  const union = /export type ForecartErrorCode =([^;]*);/.exec(dts)[1];
  const declared = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).sort();
  const expected = [...native.filter((c) => c !== 'ok'), ...JS_ONLY_CODES].sort();
  assert.deepEqual(declared, expected);
  assert.equal(maxId, 256); // kMaxItemIdBytes, documented in docs/API.md
});

test('record() refuses an item id over the module\'s MAX_ITEM_ID_BYTES and accepts one at it', async () => {
  const fc = await Forecart.load(golden);
  const max = fc._module.MAX_ITEM_ID_BYTES;
  await fc.record({ item: 'é'.repeat(max / 2) }); // 2 bytes each: exactly max bytes
  await rejectsWith(() => fc.record({ item: 'é'.repeat(max / 2) + 'x' }), 'invalid_event');
  fc.dispose();
});

test('record({ item }) without an action records the model\'s most frequent action (info.defaultAction)', async () => {
  const fc = await Forecart.load(trainedModel('taobao-buy-first').bytes);
  assert.equal(fc.actions[0], 'buy'); // the first action of the log...
  assert.equal(fc.info.defaultAction, 'pv'); // ...but pv is the most frequent
  await fc.record({ item: fc.catalogue()[0] });
  assert.equal((await fc.history.export()).events[0].action, 'pv');
  fc.dispose();
  const old = await Forecart.load(golden); // written before the default was stored: action 0
  assert.equal(old.info.defaultAction, old.actions[0]);
  old.dispose();
});
