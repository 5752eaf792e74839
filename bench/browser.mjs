// forecart in headless Chromium (spawned by bench/run.mjs): node bench/browser.mjs OUT_JSON CASE_JSON...
// A tiny static server on 127.0.0.1 serves the repository (web/, dist/, bench/); Debian's
// /usr/bin/chromium is driven by playwright-core with the flags of docs/TOOLCHAIN.md, a fresh
// --user-data-dir per case (so each case's first prediction is a cold start). The pages are
// cross-origin isolated (COOP/COEP) so that the timer resolution is 5 µs, not 100 µs.
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
const [outFile, ...caseFiles] = process.argv.slice(2);
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.fcm': 'application/octet-stream' };

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = normalize(join(root, path));
  const rel = relative(root, file);
  if (rel.startsWith('..') || !/^(web|dist|bench)\//.test(rel)) {
    res.writeHead(404).end();
    return;
  }
  let st;
  try {
    st = statSync(file);
  } catch {
    res.writeHead(404).end();
    return;
  }
  if (!st.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': MIME[extname(file)] || 'application/octet-stream', 'content-length': st.size, 'cache-control': 'no-store',
    // Cross-origin isolation: performance.now() then ticks in 5 µs steps instead of 100 µs.
    'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
const results = { cases: {} };
try {
  for (const f of caseFiles) {
    const cs = JSON.parse(readFileSync(f, 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'forecart-bench-chromium-'));
    const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
    try {
      results.version ??= `Chromium ${ctx.browser()?.version() ?? ''}`.trim();
      const page = await ctx.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${base}/bench/browser/page.html`);
      await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 });
      const modelUrl = '/' + relative(root, cs.fcm).split('\\').join('/');
      const r = await page.evaluate((c) => window.benchCase(c), { modelUrl, history: cs.history });
      if (errors.length) r.errors = errors;
      results.cases[cs.name] = r;
      results.userAgent ??= r.userAgent;
      console.error(`browser ${cs.name}: predict median ${r.predict.median.toFixed(3)} ms`);
    } finally {
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  server.close();
}
if (!results.version || results.version === 'Chromium') results.version = (results.userAgent.match(/Chrome\/[\d.]+/) || ['Chromium'])[0].replace('Chrome', 'Chromium');
writeFileSync(outFile, JSON.stringify(results, null, 1));
