// Bundler check: the PACKED package (npm pack, whose prepack builds the wasm) installed offline into
// a fresh app, bundled by Vite, served as static files under the demo's strict CSP and run in
// headless Chromium. The .wasm must be emitted and found with no manual copying.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';

import { MIME, SECURITY_HEADERS } from '../../scripts/serve.mjs';
import { launchBrowser, prepareModels, root, watch } from '../browser/helpers.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work, models, server, origin, browser, build;

// A small static server for the built app: files under `dir` only, index.html for '/'.
function serveDir(dir) {
  const base = resolve(dir);
  return http.createServer(async (req, res) => {
    const pathname = new URL(req.url, 'http://127.0.0.1').pathname;
    const file = resolve(base, `.${decodeURIComponent(pathname === '/' ? '/index.html' : pathname)}`);
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' });
      return res.end('not found\n');
    }
    const bytes = await readFile(file);
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': MIME[extname(file)] || 'application/octet-stream', 'Content-Length': bytes.length });
    res.end(bytes);
  });
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'forecart-bundler-'));
  models = prepareModels();
  const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

  // 1. npm pack (prepack builds dist/forecart.{mjs,wasm}) into the temp folder.
  const packDir = join(work, 'pack');
  mkdirSync(packDir);
  execFileSync(npm, ['pack', '--pack-destination', packDir], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const tgz = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
  assert.ok(tgz, 'npm pack made no tarball');
  const listing = execFileSync('tar', ['tzf', join(packDir, tgz)]).toString().split('\n');
  for (const f of ['package/package.json', 'package/web/index.js', 'package/web/index.d.ts', 'package/dist/forecart.mjs', 'package/dist/forecart.wasm']) {
    assert.ok(listing.includes(f), `${f} is not in the tarball`);
  }

  // 2. A fresh app that depends on the tarball only, installed without the network.
  const app = join(work, 'app');
  mkdirSync(join(app, 'public'), { recursive: true });
  cpSync(join(root, 'tests/bundler/app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'forecart-bundler-check', private: true, type: 'module' }, null, 2)}\n`);
  copyFileSync(models.path, join(app, 'public/model.fcm'));
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', join(packDir, tgz)], { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'] });
  assert.ok(existsSync(join(app, 'node_modules/forecart/dist/forecart.wasm')));

  // 3. Vite from the repository's devDependencies, building the app folder (no config file).
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  const log = execFileSync(process.execPath, [vite, 'build', app, '--outDir', join(app, 'dist'), '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'],
  }).toString();
  const dist = join(app, 'dist');
  const files = readdirSync(join(dist, 'assets'));
  build = { dist, files, log };

  server = serveDir(dist);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
  models?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('Vite emits forecart.wasm from the packed package without any copying', () => {
  const wasm = build.files.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `assets: ${build.files.join(', ')}`);
  assert.equal(statSync(join(build.dist, 'assets', wasm[0])).size, statSync(join(root, 'dist/forecart.wasm')).size);
  console.log(`# vite assets: ${build.files.join(', ')}`);
});

test('the bundled app loads forecart.wasm (SIMD), predicts, and its Worker entry agrees', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Chromium asks for /favicon.ico by itself (the minimal app has none): that 404 is not the app's.
  const errors = watch(page, { allowConsole: [/status of 404/] });
  const notFound = [];
  page.on('response', (r) => r.status() === 404 && notFound.push(new URL(r.url()).pathname));
  const requests = [];
  context.on('request', (r) => requests.push(r));
  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-state="ok"], body[data-state="error"]', { timeout: 20000 });
  const ds = await page.evaluate(() => ({ ...document.body.dataset }));
  assert.equal(ds.state, 'ok', ds.error);
  assert.equal(ds.kernels, 'wasmsimd');
  assert.equal(JSON.parse(ds.items).length, 5);
  assert.equal(ds.fromPopularity, 'false');

  await page.waitForSelector('body[data-worker]', { timeout: 20000 });
  const worker = await page.evaluate(() => ({ ...document.body.dataset }));
  assert.equal(worker.worker, 'ok');
  assert.equal(worker.workerKernels, 'wasmsimd');
  assert.deepEqual(JSON.parse(worker.workerItems), JSON.parse(ds.items));

  const wasmRequests = requests.filter((r) => new URL(r.url()).pathname.endsWith('.wasm'));
  assert.ok(wasmRequests.length >= 1, 'no .wasm request');
  for (const r of wasmRequests) {
    const res = await r.response();
    assert.equal(res?.status(), 200, `${r.url()}: ${res?.status()}`);
    assert.equal(res.headers()['content-type'], 'application/wasm');
    assert.ok(build.files.includes(relative('/assets', new URL(r.url()).pathname)), r.url());
  }
  for (const r of requests) assert.equal(new URL(r.url()).origin, origin, `request to another origin: ${r.url()}`);
  assert.deepEqual(errors, []);
  assert.deepEqual(notFound.filter((p) => p !== '/favicon.ico'), []);
  await context.close();
});
