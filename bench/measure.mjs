// One runtime on one catalogue, warm, in its own Node process (spawned by bench/run.mjs):
//   node bench/measure.mjs RUNTIME CASE_JSON OUT_JSON
// RUNTIME: forecart | forecart-512m (bench/out/wasm-512m build) | ort | ort-int8 | tfjs. CASE_JSON: { name, fcm, fcmFp32, onnx, onnxInt8, tfjs, history }.
// Measures predict (top-20, 50-event history) and one new event + predict, single-threaded.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { loadTfjsWeights } from './lib/tfjs-weights.mjs';
import { createOrt, createTfjs, encodeHistory } from './lib/peers.mjs';
import { measure } from './lib/stats.mjs';

const [runtime, caseFile, outFile] = process.argv.slice(2);
const cs = JSON.parse(readFileSync(caseFile, 'utf8'));
const K = 20;
const hist = cs.history; // 51 events: [0..49] the 50-event history, [50] the new event
const tfjsWasmDir = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
const result = { runtime, case: cs.name };

if (runtime.startsWith('forecart')) {
  const Forecart = runtime === 'forecart' ? (await import('../web/node.js')).Forecart
    : (await import('./lib/forecart-variant.mjs')).variantForecart(fileURLToPath(new URL('out/wasm-512m/dist/', import.meta.url)));
  const fc = await Forecart.load(new Uint8Array(readFileSync(cs.fcm)), { storage: 'memory', maxEvents: 500 });
  result.kernels = fc.info.kernels;
  result.heapBytes = fc._module.HEAPU8.length; // WASM memory after load (grows to the load's peak)
  const rec = (e) => fc.record({ item: e.item, action: e.action, time: e.time * 1000 });
  const replay = async (n) => {
    await fc.history.clear();
    for (let i = 0; i < n; i++) rec(hist[i]);
  };
  await replay(50);
  result.window = fc._native._window();
  result.predict = await measure(() => fc.predict({ k: K }));
  result.top = fc.predict({ k: K }).items.map((x) => x.item);
  // Incremental: 49 events are in the window (state cached); the 50th is one new token.
  result.recordPredict = await measure(() => {
    rec(hist[49]);
    return fc.predict({ k: K });
  }, { setup: () => replay(49), budgetMs: 2000, maxRuns: 400 });
  // Window full (50 events), then a stream of new events: how forecart's Predictor slides its window
  // (src/model/predictor.h) decides the cost; the window sizes seen are recorded.
  await replay(50);
  let j = 0;
  const seen = new Set();
  result.recordPredictFull = await measure(() => {
    rec(hist[j++ % 51]);
    return fc.predict({ k: K });
  }, { setup: () => { seen.add(fc._native._window()); } });
  result.windowSeen = [Math.min(...seen), Math.max(...seen)];
  // Parts, for the profile: one record alone (incremental, full window).
  result.recordOnly = await measure(() => { rec(hist[50]); }, { setup: () => replay(49), budgetMs: 1000, maxRuns: 300 });
  result.recordOnlyFull = await measure(() => { rec(hist[j++ % 51]); });
  // Profile: the catalogue scan alone (q8 kernel over the int8 table + copy of the V logits to JS).
  await replay(50);
  result.logitsOnly = await measure(() => fc._native._logits());
  fc.dispose();
} else {
  const config = cs.config;
  const evs = hist.map((e) => ({ index: e.index, action: e.actionIndex, time: e.time }));
  let peer;
  if (runtime === 'ort') peer = await createOrt(new Uint8Array(readFileSync(cs.onnx)));
  else if (runtime === 'ort-int8') peer = await createOrt(new Uint8Array(readFileSync(cs.onnxInt8)));
  else if (runtime === 'tfjs') peer = await createTfjs(loadTfjsWeights(cs.tfjs), tfjsWasmDir);
  else throw new Error(`unknown runtime ${runtime}`);
  result.version = peer.version;
  const tok50 = encodeHistory(evs.slice(0, 50), config);
  result.predict = await measure(() => peer.predict(tok50, K));
  const top = await peer.predict(tok50, K);
  result.top = Array.from(top.ids);
  // One new event: the peer has no cached state, so it encodes the history again and recomputes it.
  const base = evs.slice(0, 49);
  result.recordPredict = await measure(() => {
    base.push(evs[49]);
    const p = peer.predict(encodeHistory(base, config), K);
    base.pop();
    return p;
  });
  const full = evs.slice(0, 50);
  result.recordPredictFull = await measure(() => {
    full.push(evs[50]);
    const p = peer.predict(encodeHistory(full, config), K);
    full.pop();
    return p;
  });
  peer.release?.();
}
writeFileSync(outFile, JSON.stringify(result, null, 1));
