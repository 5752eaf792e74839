// Memory-bandwidth probe (spawned by bench/run.mjs): node bench/bandwidth.mjs WASM_PATH OUT_JSON SIZES...
// - WASM SIMD read: bench/bwprobe.wat's sum() over a buffer of each size (the int8 table sizes of the
//   catalogues, so the figure includes the cache level a table of that size lives in), repeated.
// - WASM memory.copy and a JS TypedArray copy (Uint8Array.prototype.set) of 256 MiB: DRAM copy bandwidth,
//   counted as bytes copied per second (each byte is read once and written once).
import { readFileSync, writeFileSync } from 'node:fs';

import { summarize } from './lib/stats.mjs';

const [wasmPath, outFile, ...sizeArgs] = process.argv.slice(2);
const sizes = sizeArgs.map(Number);
const BIG = 256 * 1024 * 1024;
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath));
const { mem, sum, copy } = instance.exports;
const need = 2 * BIG + 4096;
mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
new Uint8Array(mem.buffer).fill(1);

function timeIt(fn, bytes, minMs = 400, minRuns = 5) {
  fn(); // warm
  const gbps = [];
  const t0 = performance.now();
  while (gbps.length < minRuns || performance.now() - t0 < minMs) {
    const a = performance.now();
    fn();
    const dt = performance.now() - a;
    gbps.push(bytes / dt / 1e6); // GB/s
    if (gbps.length > 5000) break;
  }
  const s = summarize(gbps);
  return { gbps: s.median, best: s.max, runs: s.n };
}

const out = { read: [], copy: {} };
for (const n of sizes) {
  const bytes = Math.max(64, Math.ceil(n / 64) * 64);
  // Several passes per timed call for tiny buffers (timer resolution).
  const reps = Math.max(1, Math.floor(4e6 / bytes));
  const r = timeIt(() => { for (let i = 0; i < reps; i++) sum(64, bytes); }, bytes * reps);
  out.read.push({ bytes, ...r });
}
out.copy.wasm = timeIt(() => copy(BIG + 128, 64, BIG), BIG, 1500);
const src = new Uint8Array(BIG).fill(3), dst = new Uint8Array(BIG);
out.copy.js = timeIt(() => dst.set(src), BIG, 1500);
const bigRead = timeIt(() => sum(64, BIG), BIG, 1500);
out.read.push({ bytes: BIG, ...bigRead });
writeFileSync(outFile, JSON.stringify(out, null, 1));
