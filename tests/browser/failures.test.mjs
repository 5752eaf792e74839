// Failure modes of the demo: a missing or truncated model, no IndexedDB, a full disk. The page must
// report a ForecartError code or a warning, keep working, and never lose what is already stored.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  dataset, doAction, grantConsent, idle, launchBrowser, newContext, openGridItem, prepareModels, ready, shownPrediction,
  startServer, storedEvents, watch,
} from './helpers.mjs';

let models, server, browser;
// Chromium logs every failed subresource load as a console error; those are the point of these tests.
const HTTP_404 = /Failed to load resource: the server responded with a status of 404/;

before(async () => {
  models = prepareModels();
  // A model cut in half (as after an interrupted deploy), served like any model file.
  writeFileSync(join(models.dir, 'truncated.fcm'), models.bytes.subarray(0, Math.floor(models.bytes.length / 2)));
  server = await startServer(models.dir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  models?.cleanup();
});

// Records three events with a working page; returns them as stored.
async function seedHistory(context) {
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(server.url);
  await ready(page);
  await grantConsent(page);
  await openGridItem(page, 0);
  await doAction(page, 'cart');
  await openGridItem(page, 6);
  const { events } = await storedEvents(page);
  assert.equal(events.length, 3);
  assert.deepEqual(errors, []);
  const prediction = await shownPrediction(page);
  await page.close();
  return { events, prediction };
}

async function alertCodes(page) {
  return page.$$eval('#alerts .alert', (els) => els.map((e) => `${e.dataset.kind}:${e.dataset.code}`));
}

for (const [name, model, code] of [['a model URL that is a 404', 'missing.fcm', 'fetch_failed'], ['a truncated model', 'truncated.fcm', 'truncated']]) {
  test(`${name}: ForecartError ${code} on the page, which keeps working and keeps the history`, async () => {
    const context = await newContext(browser);
    const seeded = await seedHistory(context);
    const page = await context.newPage();
    const errors = watch(page, { allowConsole: [HTTP_404] });
    await page.goto(`${server.url}?model=${model}`);
    await page.waitForSelector('body[data-state="error"][data-idle="true"]');
    assert.deepEqual(await alertCodes(page), [`error:${code}`, 'error:model_not_loaded']);
    assert.match(await page.textContent('#alerts'), code === 'fetch_failed' ? /HTTP 404/ : /truncat/i);
    assert.equal((await dataset(page)).errors, `${code} model_not_loaded`);
    // The page stays usable: the settings are disabled, not broken, and the demo model loads on request.
    assert.equal(await page.isDisabled('#consent'), true);
    await page.click('#alerts button:has-text("Load the demo model")');
    await ready(page);
    assert.equal(await page.getAttribute('body', 'data-history-count'), '3');
    assert.deepEqual((await storedEvents(page)).events, seeded.events);
    assert.deepEqual((await shownPrediction(page)).items, seeded.prediction.items);
    await openGridItem(page, 2);
    assert.equal((await storedEvents(page)).events.length, 4);
    assert.deepEqual(errors, []);
    await context.close();
  });
}

for (const [name, script] of [
  ['IndexedDB missing (indexedDB undefined)', () => Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true })],
  ['IndexedDB open() throwing (storage disabled)', () => {
    IDBFactory.prototype.open = function open() {
      throw new DOMException('The user denied permission to access the database.', 'SecurityError');
    };
  }],
]) {
  test(`${name}: a storage_fallback warning, history in memory, stored events untouched`, async () => {
    const context = await newContext(browser);
    const seeded = await seedHistory(context);
    const page = await context.newPage();
    await page.addInitScript(script);
    const errors = watch(page);
    await page.goto(server.url);
    await ready(page);
    const ds = await dataset(page);
    assert.equal(ds.storage, 'memory');
    assert.equal(ds.consent, 'granted');
    assert.deepEqual(await alertCodes(page), ['warning:storage_fallback']);
    assert.match(await page.textContent('#history-summary'), /in memory for this page only/);
    // Recording and predicting still work, for this page.
    const popular = await shownPrediction(page);
    assert.equal(popular.fromPopularity, true);
    await openGridItem(page, 3);
    await doAction(page, 'fav');
    assert.equal(await page.getAttribute('body', 'data-history-count'), '2');
    assert.equal((await shownPrediction(page)).fromPopularity, false);
    assert.deepEqual(errors, []);
    await page.close();
    // A page with IndexedDB still finds exactly the events stored before.
    const check = await context.newPage();
    await check.goto(server.url);
    await ready(check);
    assert.deepEqual((await storedEvents(check)).events, seeded.events);
    await context.close();
  });
}

test('quota exceeded while recording (IDBObjectStore.add throws QuotaExceededError): warning, page keeps working, nothing lost', async () => {
  const context = await newContext(browser);
  const seeded = await seedHistory(context);
  const page = await context.newPage();
  await page.addInitScript(() => {
    IDBObjectStore.prototype.add = function add() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  const errors = watch(page);
  await page.goto(server.url);
  await ready(page);
  assert.equal(await page.getAttribute('body', 'data-storage'), 'indexeddb');
  assert.deepEqual((await shownPrediction(page)).items, seeded.prediction.items); // the stored history was read
  const item = await openGridItem(page, 10);
  assert.deepEqual(await alertCodes(page), ['warning:storage_fallback']);
  assert.match(await page.textContent('#alerts'), /QuotaExceededError/);
  assert.equal(await page.getAttribute('body', 'data-storage'), 'memory');
  assert.equal(await page.getAttribute('body', 'data-history-count'), '4'); // 3 stored + 1 in memory
  await doAction(page, 'buy');
  const shown = await shownPrediction(page);
  assert.ok(shown.explanation.some((e) => e.item === item && e.action === 'buy'));
  assert.deepEqual((await storedEvents(page)).events, seeded.events);
  // Clearing after the fallback erases what IndexedDB held before the failure too (privacy):
  // the stored events are gone at once, with no warning that the erase failed.
  await page.click('#clear-history');
  await idle(page);
  assert.ok(!(await alertCodes(page)).includes('warning:clear_incomplete'));
  assert.equal(await page.getAttribute('body', 'data-history-count'), '0');
  assert.deepEqual((await storedEvents(page)).events, []);
  assert.deepEqual(errors, []);
  await page.close();
  await context.close();
});

// Chromium applies a DevTools quota override to an origin's IndexedDB when the database is created
// (an existing database keeps its quota), so this variant starts from a fresh profile.
test('quota exceeded for real (DevTools Storage.overrideQuotaForOrigin): warning, page keeps working', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = watch(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.origin, quotaSize: 1 });
  await page.goto(server.url);
  await ready(page);
  await grantConsent(page);
  const item = await openGridItem(page, 11);
  await doAction(page, 'cart');
  assert.deepEqual(await alertCodes(page), ['warning:storage_fallback']);
  assert.match(await page.textContent('#alerts'), /QuotaExceededError/);
  assert.equal(await page.getAttribute('body', 'data-storage'), 'memory');
  assert.equal(await page.getAttribute('body', 'data-history-count'), '2');
  const shown = await shownPrediction(page);
  assert.equal(shown.fromPopularity, false);
  assert.ok(shown.explanation.some((e) => e.item === item && e.action === 'cart'));
  assert.deepEqual((await storedEvents(page)).events, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('corrupted stored records: skipped with a warning, the valid history kept and the page working', async () => {
  const context = await newContext(browser);
  const seeded = await seedHistory(context);
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(server.url);
  await ready(page);
  // Damage the store behind the library's back: records of this namespace with broken fields.
  await page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('forecart');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction('events', 'readwrite');
    const store = tx.objectStore('events');
    store.add({ ns: 'forecart-demo', item: 42, action: null, time: 'yesterday' });
    store.add({ ns: 'forecart-demo', item: '', action: 'pv', time: Date.now() });
    store.add({ ns: 'forecart-demo' });
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  });
  await page.reload();
  await ready(page);
  assert.ok((await alertCodes(page)).includes('warning:corrupt_record'));
  assert.equal(await page.getAttribute('body', 'data-storage'), 'indexeddb');
  assert.deepEqual((await shownPrediction(page)).items, seeded.prediction.items); // the valid history was replayed
  assert.deepEqual((await storedEvents(page)).events, seeded.events); // corrupt records removed, valid ones kept
  await openGridItem(page, 3); // and the page keeps recording
  assert.equal((await storedEvents(page)).events.length, seeded.events.length + 1);
  assert.deepEqual(errors, []);
  await context.close();
});
