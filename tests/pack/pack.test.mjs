// npm pack -> install into an empty folder -> import and predict: catches a broken `files` list
// or exports map. Also checks that the demo's data and model stay out of the package.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the packed package installs into an empty folder and predicts', () => {
  const out = mkdtempSync(join(tmpdir(), 'forecart-pack-'));
  const json = execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(json.toString());
  const files = info.files.map((f) => f.path).sort();
  for (const needed of ['dist/forecart.mjs', 'dist/forecart.wasm', 'web/index.js', 'web/node.js', 'web/worker-client.js',
    'web/worker-thread.js', 'web/index.d.ts', 'web/worker-client.d.ts', 'package.json', 'README.md', 'LICENSE']) {
    assert.ok(files.includes(needed), `${needed} missing from the tarball`);
  }
  for (const f of files) {
    assert.ok(!/^(demo|tests|src|bench|build|scripts)\//.test(f) && !f.endsWith('.fcm'), `${f} must not be shipped`);
  }
  const app = mkdtempSync(join(tmpdir(), 'forecart-app-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(out, readdirSync(out).find((f) => f.endsWith('.tgz')))],
    { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  copyFileSync(join(root, 'tests/golden/golden_v1.fcm'), join(app, 'model.fcm'));
  writeFileSync(join(app, 'main.js'), `
    import { Forecart } from 'forecart';
    import { readFileSync } from 'node:fs';
    const fc = await Forecart.load(new Uint8Array(readFileSync('model.fcm')));
    await fc.record({ item: 'sku-002', action: 'cart' });
    const p = fc.predict({ k: 3 });
    console.log(JSON.stringify({ n: p.items.length, kernels: fc.info.kernels, wasm: import.meta.resolve('forecart/forecart.wasm') }));
    fc.dispose();
  `);
  const result = JSON.parse(execFileSync('node', ['main.js'], { cwd: app }).toString());
  assert.equal(result.n, 3);
  assert.equal(result.kernels, 'wasmsimd');
  assert.match(result.wasm, /node_modules\/forecart\/dist\/forecart\.wasm$/);
});
