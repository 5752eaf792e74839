// The npm package's own figures under Node (issue: WASM build and package):
//   bytes shipped: every .wasm/.js/.mjs file of the packed tarball, raw and gzip;
//   time from import + load to the first prediction, and record()+predict() latency,
//   for a 24k-item model (the Amazon Video Games model of the benchmark, trained if missing).
// Usage: node bench/node-figures.mjs [MODEL.fcm]     (median and p95 over many runs)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../', import.meta.url));
const cli = join(root, 'build/native/forecart');

function quantiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), n: s.length };
}
const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;

// 1. Bytes shipped.
const out = mkdtempSync(join(tmpdir(), 'forecart-figures-'));
execFileSync('npm', ['pack', '--pack-destination', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
execFileSync('tar', ['xzf', join(out, tgz), '-C', out]);
let raw = 0, gz = 0;
const rows = [];
const walk = (dir) => {
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) walk(p);
    else if (/\.(wasm|js|mjs)$/.test(f.name)) {
      const b = readFileSync(p);
      const g = gzipSync(b, { level: 9 }).length;
      raw += b.length;
      gz += g;
      rows.push(`  ${p.slice(out.length + 9).padEnd(22)} ${String(b.length).padStart(8)} B  ${String(g).padStart(7)} B gzip`);
    }
  }
};
walk(join(out, 'package'));
console.log('bytes shipped (every .wasm/.js/.mjs in the packed tarball):');
console.log(rows.join('\n'));
console.log(`  total                  ${String(raw).padStart(8)} B  ${String(gz).padStart(7)} B gzip\n`);

// 2. A 24k-item model.
let model = process.argv[2] || join(root, 'bench/models/video.fcm');
if (!existsSync(model)) {
  model = join(out, 'video.fcm');
  console.log('training a 24k-item model on Amazon Video Games (--epochs 3, stated config)...');
  execFileSync(cli, ['train', '--data', join(root, '../shared/data/amazon_video_games_sasrec/Video.txt.gz'),
    '--epochs', '3', '--out', model], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const bytes = new Uint8Array(readFileSync(model));

// 3. Cold start in fresh processes: import + load + first prediction.
const cold = [];
for (let i = 0; i < 15; i++) {
  const t = execFileSync('node', ['--input-type=module', '-e', `
    const t0 = performance.now();
    const { Forecart } = await import(${JSON.stringify(join(root, 'web/node.js'))});
    const { readFileSync } = await import('node:fs');
    const fc = await Forecart.load(new Uint8Array(readFileSync(${JSON.stringify(model)})));
    await fc.record({ item: fc.catalogue()[0] });
    fc.predict({ k: 20 });
    console.log(performance.now() - t0);
  `]).toString();
  cold.push(Number(t));
}

// 4. Warm latencies in this process.
const { Forecart } = await import(join(root, 'web/node.js'));
const fc = await Forecart.load(bytes);
const ids = fc.catalogue();
const t0 = Date.now() - 3_600_000;
for (let i = 0; i < 50; i++) await fc.record({ item: ids[(i * 7919) % ids.length], time: t0 + i * 30_000 });
const predict = [], recordPredict = [];
for (let i = 0; i < 300; i++) fc.predict({ k: 20 }); // warm-up
for (let i = 0; i < 2000; i++) {
  let s = performance.now();
  fc.predict({ k: 20 });
  predict.push(performance.now() - s);
  s = performance.now();
  void fc.record({ item: ids[(i * 104729) % ids.length] });
  fc.predict({ k: 20 });
  recordPredict.push(performance.now() - s);
}
const c = quantiles(cold), p = quantiles(predict), r = quantiles(recordPredict);
console.log(`model: ${model} (${fc.info.items} items, ${bytes.length} B, ${fc.info.quantized ? 'int8' : 'fp32'}, kernels ${fc.info.kernels})`);
console.log(`cold start (new process: import + load + record + first predict): median ${c.median.toFixed(1)} ms, p95 ${c.p95.toFixed(1)} ms (n=${c.n})`);
console.log(`predict top-20, 50-event history:       median ${us(p.median)}, p95 ${us(p.p95)} (n=${p.n})`);
console.log(`record + predict (window full: slides):  median ${us(r.median)}, p95 ${us(r.p95)} (n=${r.n})`);
console.log(`node ${process.version}, ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)[1]}`);
fc.dispose();
