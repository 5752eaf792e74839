// Checks the generated blocks of docs/BENCHMARKS.md without running the benchmark (seconds, no build):
//   node bench/check-report-markers.mjs
// 1. the page's markers pair up and name exactly the blocks bench/lib/report.mjs generates;
// 2. rewriting every block with its own current text gives the page back byte for byte;
// 3. rendering a results.json-shaped fixture (figures of the committed run) and rewriting the page
//    changes only the text between markers, the blocks that the fixture pins exactly come out as
//    committed, and a second rewrite changes nothing;
// 4. a missing, duplicated, unpaired or unknown marker makes the rewrite throw.
// Exits 1 with the failed checks listed. Writes nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { BENCHMARKS_MD, readBlocks, renderBlocks, renderReport, rewriteBlocks } from './lib/report.mjs';

const page = readFileSync(BENCHMARKS_MD, 'utf8');

// A results.json of the shape bench/run.mjs writes, with the figures of the committed run where
// they are known exactly (machine, versions, training, bytes) and plausible ones elsewhere.
const st = (median, p95, mean = median) => ({ median, p95, mean });
const peerWarm = (p, rp, full) => ({ predict: st(...p), recordPredict: st(...rp), recordPredictFull: st(...full) });
const ours = (p, rp, full, extra) => ({ ...peerWarm(p, rp, full), kernels: 'wasmsimd', windowSeen: [26, 50], ...extra });
const fixture = {
  env: {
    cpu: 'Intel(R) Xeon(R) Processor', cores: 2, cpuFlags: ['avx2', 'avx512f', 'avx512_vnni'], memGB: 24,
    loadavgEnd: '1.65 1.77 2.83', node: 'v20.20.2', chromium: 'Chromium 156.0.8078.108', playwright: '1.65.1',
    emscripten: 'emcc (Emscripten gcc/clang-like replacement + linker emulating GNU ld) 3.1.6 ()', kernels: 'wasmsimd',
    ort: '1.30.0', tfjsCore: '4.22.0', tfjsWasm: '4.22.0', onnxProto: '8.0.1', date: '2026-11-25T14:22:53.964Z', rounds: 2,
    command: 'npm run bench', seconds: 278,
  },
  cases: [
    { name: '1k', items: 1000, sizes: { fcm: 214400, onnx: 695600, onnxInt8: 508100, tfjs: 681300 } },
    { name: '24k', items: 23715, sizes: { fcm: 2.14e6, onnx: 6.6e6, onnxInt8: 2.14e6, tfjs: 6.59e6 } },
    { name: '100k', items: 100000, sizes: { fcm: 8.72e6, onnx: 26.44e6, onnxInt8: 7.64e6, tfjs: 26.42e6 } },
    { name: '1m', items: 1000000, sizes: { fcm: 87.02e6, onnx: 260.44e6, onnxInt8: 72.44e6, tfjs: 260.42e6 } },
  ],
  warm: {
    '1k': { forecart: ours([0.0157, 0.0231], [0.0499, 0.0718], [0.0514, 0.175, 0.0767], { heapBytes: 16777216, logitsOnly: st(0.0056, 0.007), recordOnly: st(0.0259, 0.03) }),
      ort: peerWarm([0.418, 0.577], [0.411, 0.502], [0.403, 0.483, 0.419]), 'ort-int8': peerWarm([0.53, 1.73], [0.435, 0.526], [0.437, 0.517, 0.453]),
      tfjs: peerWarm([1.39, 1.95], [1.39, 1.91], [1.38, 1.89, 1.43]) },
    '24k': { forecart: ours([0.116, 0.179], [0.167, 0.221], [0.173, 0.313, 0.205], { heapBytes: 16777216, logitsOnly: st(0.0844, 0.09), recordOnly: st(0.0271, 0.03) }),
      ort: peerWarm([0.778, 1.0], [0.716, 0.835], [0.716, 0.832, 0.739]), 'ort-int8': peerWarm([0.865, 2.07], [0.824, 0.998], [0.809, 0.972, 0.836]),
      tfjs: peerWarm([3.01, 3.58], [3.01, 3.63], [3.01, 3.61, 3.05]) },
    '100k': { forecart: ours([0.469, 0.563], [0.541, 0.618], [0.531, 0.723, 0.573], { heapBytes: 34.93e6, logitsOnly: st(0.364, 0.4), recordOnly: st(0.0262, 0.03) }),
      ort: peerWarm([1.66, 1.79], [1.64, 1.72], [1.63, 1.71, 1.64]), 'ort-int8': peerWarm([1.94, 2.96], [1.7, 2.01], [1.67, 2.0, 1.75]),
      tfjs: peerWarm([15.4, 16.1], [13.0, 15.6], [9.58, 13.4, 9.88]) },
    '1m': { forecart: { error: 'Error: model file of 82 MiB needs about 356 MiB of memory to load; the maximum is 256 MiB' },
      'forecart-512m': ours([8.17, 8.93], [8.62, 9.33], [8.02, 9.15, 7.94], { heapBytes: 363.27e6, logitsOnly: st(6.57, 7), recordOnly: st(0.0259, 0.03) }),
      ort: peerWarm([27.6, 28.2], [27.7, 28.4], [27.7, 28.3, 27.7]), 'ort-int8': peerWarm([16.1, 18.5], [14.2, 15.7], [13.5, 14.6, 13.7]),
      tfjs: peerWarm([122, 128], [123, 128], [122, 127, 123]) },
  },
  cold: {
    '1k': { forecart: st(33.1, 36.7), ort: st(501, 522), 'ort-int8': st(519, 529), tfjs: st(136, 143) },
    '24k': { forecart: st(51.6, 55.1), ort: st(514, 533), 'ort-int8': st(543, 548), tfjs: st(147, 162) },
    '100k': { forecart: st(94.9, 114), ort: st(582, 584), 'ort-int8': st(558, 572), tfjs: st(184, 192) },
    '1m': { forecart: { error: 'refused' }, 'forecart-512m': st(1013, 1084), ort: st(1379, 1380), 'ort-int8': st(695, 696), tfjs: st(722, 727) },
  },
  browser: { cases: {
    '24k': { predict: st(0.16, 0.235), recordPredict: st(0.195, 0.265), recordPredictFull: st(0.205, 0.345, 0.236), cold: { total: 163 } },
    '100k': { predict: st(0.64, 0.735), recordPredict: st(0.695, 0.775), recordPredictFull: st(0.725, 0.995, 0.755), cold: { total: 212 } },
  } },
  bytes: {
    forecart: { raw: 217500, gzip: 72300, files: ['dist/forecart.wasm', 'dist/forecart.mjs', 'web/index.js', 'web/core.js', 'web/errors.js', 'web/history.js', 'web/simd.js'].map((file) => ({ file })) },
    ort: { raw: 14.31e6, gzip: 3.71e6, files: ['node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm', 'node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs'].map((file) => ({ file })) },
    tfjs: { raw: 824700, gzip: 247300, files: ['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      'node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.min.js', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.min.js'].map((file) => ({ file })) },
  },
  bandwidth: {
    read: [{ bytes: 64064, gbps: 95.1 }, { bytes: 1517824, gbps: 87.7 }, { bytes: 6400064, gbps: 29.9 }, { bytes: 64000064, gbps: 26.3 }, { bytes: 268435456, gbps: 10.4 }],
    copy: { wasm: { gbps: 12.8 }, js: { gbps: 11.6 } },
  },
  config: { dim: 64, layers: 2, heads: 2, ffn_dim: 256, max_len: 50, time_buckets: 20, num_actions: 1 },
  train: { args: ['--epochs', '8', '--dim', '64', '--layers', '2', '--heads', '2', '--max-len', '50', '--threads', '2', '--seed', '1'],
    bestEpoch: 8, seconds: 500, log: { 'valid_hr@10': 0.1012, 'valid_ndcg@10': 0.0524 }, twin: { maxErrInScaleUnits: 0.5, same: true } },
  check: { histories: 24, pairs: {
    'forecart-fp32 vs ort-fp32': { n: 24, sameTop10: 24, sameOrder: 24, meanOverlap: 10, minOverlap: 10, maxAbsErr: 1.68e-7, maxRelErr: 1e-5 },
    'forecart-int8 vs ort-int8': { n: 24, sameTop10: 24, sameOrder: 18, meanOverlap: 10, minOverlap: 10, maxAbsErr: 3.71e-4, maxRelErr: 0.02168 },
  } },
};
// Blocks whose committed text follows from the fixture exactly (the others hold rounded figures).
const EXACT = ['run', 'machine', 'models', 'bytes'];

const failures = [];
const check = (what, fn) => {
  try {
    fn();
    console.log(`ok   ${what}`);
  } catch (err) {
    failures.push(what);
    console.log(`FAIL ${what}\n     ${String(err.message).split('\n').join('\n     ')}`);
  }
};
// The page with every block's text removed: what must never change.
const prose = (p) => p.replace(/(<!-- bench:([a-z0-9-]+):begin -->)[\s\S]*?(<!-- bench:\2:end -->)/g, '$1$3');

const current = readBlocks(page);
const generated = renderBlocks(fixture);

check('markers pair up and name exactly the generated blocks', () => {
  assert.deepEqual(Object.keys(current), Object.keys(generated));
});
check('rewriting every block with its own text is a no-op', () => {
  assert.equal(rewriteBlocks(page, current), page);
});
const rewritten = rewriteBlocks(page, generated);
check('a rewrite from results.json-shaped data leaves the prose byte for byte', () => {
  assert.equal(prose(rewritten), prose(page));
  assert.deepEqual(readBlocks(rewritten), generated);
});
check('a second rewrite with the same data changes nothing', () => {
  assert.equal(rewriteBlocks(rewritten, generated), rewritten);
});
for (const name of EXACT) {
  check(`block "${name}" renders as committed`, () => assert.equal(generated[name], current[name]));
}
check('renderReport() reads docs/BENCHMARKS.md and returns it rewritten (nothing written)', () => {
  const { markdown, svg, table } = renderReport(fixture);
  assert.equal(markdown, rewritten);
  assert.ok(svg.startsWith('<svg') && table.includes('Floors:'));
});
const throws = (what, mangle, pattern) => check(`throws on ${what}`, () => assert.throws(() => rewriteBlocks(mangle(page), generated), pattern));
throws('a missing block', (p) => p.replace(/<!-- bench:floors:begin -->[\s\S]*?<!-- bench:floors:end -->\n?/, ''), /lacks the markers of <!-- bench:floors/);
throws('a missing end marker', (p) => p.replace('<!-- bench:models:end -->', ''), /models/);
throws('a missing begin marker', (p) => p.replace('<!-- bench:models:begin -->', ''), /without its begin marker/);
throws('a duplicated block', (p) => `${p}\n<!-- bench:run:begin -->\n\nx\n\n<!-- bench:run:end -->\n`, /appears twice/);
throws('a marker the report does not generate', (p) => `${p}\n<!-- bench:nonesuch:begin -->\n<!-- bench:nonesuch:end -->\n`, /does not generate: nonesuch/);

if (failures.length) {
  console.log(`\n${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('\ndocs/BENCHMARKS.md: markers and generated blocks consistent');
