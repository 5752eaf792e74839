// Shared set-up of the browser tests: the demo model, the demo server (scripts/serve.mjs as a child
// process on a free port), headless Debian Chromium through playwright-core, and page probes.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const resultsDir = join(root, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const NAMESPACE = 'forecart-demo';

// The models the tests serve, copied into a private folder so that a retraining of
// demo/models/taobao.fcm in the middle of a run cannot hand the page a half-written file.
// FORECART_TEST_MODEL (set by scripts/test-browser.sh on a fresh clone without the demo model) wins;
// otherwise the demo model; otherwise a small model trained here on the real Taobao fixture.
export function prepareModels() {
  const dir = mkdtempSync(join(tmpdir(), 'forecart-browser-models-'));
  let source = process.env.FORECART_TEST_MODEL;
  if (!source) {
    const demo = join(root, 'demo/models/taobao.fcm');
    if (existsSync(demo)) source = demo;
  }
  const target = join(dir, 'taobao.fcm');
  if (source) copyFileSync(source, target);
  else trainFixtureModel(target);
  const bytes = readFileSync(target);
  // The second catalogue (the UCI gift shop) with its product names, when committed.
  let uci = null;
  const uciModel = join(root, 'demo/models/uci.fcm');
  const uciNames = join(root, 'demo/models/uci.names.json');
  if (existsSync(uciModel) && existsSync(uciNames)) {
    copyFileSync(uciModel, join(dir, 'uci.fcm'));
    copyFileSync(uciNames, join(dir, 'uci.names.json'));
    uci = { path: join(dir, 'uci.fcm'), bytes: readFileSync(join(dir, 'uci.fcm')), names: JSON.parse(readFileSync(join(dir, 'uci.names.json'), 'utf8')) };
  }
  return { dir, path: target, bytes, uci, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function trainFixtureModel(out) {
  const cli = join(root, 'build/native/forecart');
  if (!existsSync(cli)) throw new Error('no demo model and no native CLI: run scripts/test-browser.sh (it builds what is needed)');
  execFileSync(cli, ['train', '--data', join(root, 'tests/fixtures/taobao_users200.csv'), '--no-header',
    '--columns', 'user=0,item=1,category=2,action=3,time=4', '--dim', '16', '--layers', '2', '--heads', '2',
    '--max-len', '20', '--epochs', '3', '--threads', '1', '--seed', '1', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
}

// Runs `node scripts/serve.mjs` exactly as `npm start` does, on a free port, serving `modelsDir`.
export async function startServer(modelsDir, extraEnv = {}) {
  const child = spawn(process.execPath, [join(root, 'scripts/serve.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: '0', FORECART_MODELS_DIR: modelsDir, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.mjs printed no URL: ${out}`)), 10000);
    const onData = (chunk) => {
      out += chunk;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/demo\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${out}`)));
  });
  return {
    url,
    origin: new URL(url).origin,
    output: () => out,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// A fresh profile (own IndexedDB, localStorage) for one test.
export function newContext(browser) {
  return browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
}

// A fresh context and page on the demo at `url`, watched (see watch), loaded and ready.
// onRequest, when given, sees every request of the context from the first one on.
export async function openDemo(browser, url, { onRequest } = {}) {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = watch(page);
  if (onRequest) context.on('request', onRequest);
  const response = await page.goto(url);
  await ready(page);
  return { context, page, errors, response };
}

// Collects console errors and uncaught page errors, plus every request of the context.
export function watch(page, { allowConsole = [] } = {}) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (allowConsole.some((re) => re.test(text))) return;
    errors.push(`console: ${text}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

export async function ready(page, extra = '') {
  await page.waitForSelector(`body[data-state="ready"][data-idle="true"]${extra}`, { timeout: 20000 });
}

export async function idle(page) {
  await page.waitForSelector('body[data-idle="true"]', { timeout: 20000 });
}

export const dataset = (page) => page.evaluate(() => ({ ...document.body.dataset }));

// What the page shows: the predicted items with scores, the action probabilities and the explanation.
export function shownPrediction(page) {
  return page.evaluate(() => ({
    items: [...document.querySelectorAll('#predictions li[data-item]')].map((li) => ({ item: li.dataset.item, score: Number(li.dataset.score) })),
    actions: Object.fromEntries([...document.querySelectorAll('#action-bars li')].map((li) => [li.dataset.action, Number(li.dataset.p)])),
    explainItem: document.querySelector('#explanation').dataset.item,
    explanation: [...document.querySelectorAll('#explanation li[data-item]')].map((li) => ({ item: li.dataset.item, action: li.dataset.action, impact: Number(li.dataset.impact) })),
    fromPopularity: document.body.dataset.fromPopularity === 'true',
  }));
}

// The demo's records in this origin's IndexedDB, read directly (not through the library). Does not
// create the database when it does not exist.
export function storedEvents(page, ns = NAMESPACE) {
  return page.evaluate(async (namespace) => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === 'forecart')) return { exists: false, events: [] };
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open('forecart');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    try {
      if (!db.objectStoreNames.contains('events')) return { exists: true, events: [] };
      const rows = await new Promise((resolve, reject) => {
        const req = db.transaction('events', 'readonly').objectStore('events').getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      return { exists: true, events: rows.filter((r) => r.ns === namespace).map(({ item, action, time }) => ({ item, action, time })) };
    } finally {
      db.close();
    }
  }, ns);
}

// Clicks the nth card (0-based) of the catalogue grid: opens the product and records a view.
export async function openGridItem(page, n) {
  const card = page.locator('#grid li button.card').nth(n);
  const item = await card.getAttribute('data-item');
  await card.click();
  await page.waitForSelector(`#product[data-item="${item}"]`);
  await idle(page);
  return item;
}

export async function doAction(page, action) {
  await page.click(`#product-actions button[data-action="${action}"]`);
  await idle(page);
}

export async function grantConsent(page) {
  await page.check('#consent');
  await page.waitForSelector('body[data-consent="granted"][data-idle="true"]');
}

export function ensureResultsDir() {
  mkdirSync(resultsDir, { recursive: true });
  return resultsDir;
}

// test-results/demo-metrics.json: numbers measured by the tests (merged, one object).
export function updateMetrics(values) {
  const file = join(ensureResultsDir(), 'demo-metrics.json');
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {}
  writeFileSync(file, `${JSON.stringify({ ...current, ...values, measuredAt: new Date().toISOString() }, null, 2)}\n`);
}
