// Agreement check on the trained Video model (spawned by bench/run.mjs):
//   node bench/check.mjs CASE_JSON OUT_JSON
// For each history in CASE_JSON.checkHistories, the top-10 of
//   forecart int8 (the shipped model), forecart fp32 (the fp32 twin loaded in forecart),
//   onnxruntime-web fp32, tfjs-wasm fp32 (both from the fp32 twin), onnxruntime-web int8 (from the int8 file),
// with overlap@10 and the largest probability difference on forecart int8's top-10 items.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Forecart } from '../web/node.js';
import { createOrt, createTfjs, encodeHistory } from './lib/peers.mjs';
import { loadTfjsWeights } from './lib/tfjs-weights.mjs';

const [caseFile, outFile] = process.argv.slice(2);
const cs = JSON.parse(readFileSync(caseFile, 'utf8'));
const N = cs.config.num_items;

// Full probability vectors [V] (index = vocab id; 0 unused) from each runtime.
async function forecartProbs(path) {
  const fc = await Forecart.load(new Uint8Array(readFileSync(path)), { storage: 'memory' });
  const ids = fc.catalogue();
  return {
    quantized: fc.info.quantized,
    async probs(hist) {
      await fc.history.clear();
      for (const e of hist) fc.record({ item: e.item, action: e.action, time: e.time * 1000 });
      const s = fc.scoreItems(ids);
      const p = new Float64Array(N + 1);
      s.forEach((x, i) => (p[i + 1] = x.score));
      return { p, top: fc.predict({ k: 10 }).items.map((x) => ids.indexOf(x.item) + 1) };
    },
  };
}
function peerProbs(peer) {
  return {
    async probs(hist) {
      const tok = encodeHistory(hist.map((e) => ({ index: e.index, action: e.actionIndex, time: e.time })), cs.config);
      const { ids, scores } = await peer.predict(tok, N); // TopK over the whole catalogue = the full distribution
      const p = new Float64Array(N + 1);
      ids.forEach((id, i) => (p[id] = scores[i]));
      return { p, top: Array.from(ids.slice(0, 10)) };
    },
  };
}

const runtimes = {
  'forecart-int8': await forecartProbs(cs.fcm),
  'forecart-fp32': await forecartProbs(cs.fcmFp32),
  'ort-fp32': peerProbs(await createOrt(new Uint8Array(readFileSync(cs.onnx)))),
  'tfjs-fp32': peerProbs(await createTfjs(loadTfjsWeights(cs.tfjs),
    fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)))),
  'ort-int8': peerProbs(await createOrt(new Uint8Array(readFileSync(cs.onnxInt8)))),
};
const pairs = [['forecart-fp32', 'ort-fp32'], ['forecart-fp32', 'tfjs-fp32'], ['ort-fp32', 'tfjs-fp32'],
  ['forecart-int8', 'ort-fp32'], ['forecart-int8', 'tfjs-fp32'], ['forecart-int8', 'forecart-fp32'], ['forecart-int8', 'ort-int8']];
const acc = Object.fromEntries(pairs.map(([a, b]) => [`${a} vs ${b}`, { sameTop10: 0, sameOrder: 0, overlapSum: 0, minOverlap: 10,
  maxAbsErr: 0, maxRelErr: 0, n: 0 }]));
for (const hist of cs.checkHistories) {
  const res = {};
  for (const [name, r] of Object.entries(runtimes)) res[name] = await r.probs(hist);
  for (const [a, b] of pairs) {
    const x = acc[`${a} vs ${b}`], A = res[a], B = res[b];
    const overlap = A.top.filter((id) => B.top.includes(id)).length;
    x.n++;
    x.overlapSum += overlap;
    x.minOverlap = Math.min(x.minOverlap, overlap);
    if (overlap === 10) x.sameTop10++;
    if (A.top.every((id, i) => id === B.top[i])) x.sameOrder++;
    for (const id of A.top) { // score error on a's top-10 items
      const e = Math.abs(A.p[id] - B.p[id]);
      x.maxAbsErr = Math.max(x.maxAbsErr, e);
      x.maxRelErr = Math.max(x.maxRelErr, e / Math.max(A.p[id], 1e-30));
    }
  }
}
for (const x of Object.values(acc)) x.meanOverlap = x.overlapSum / x.n;
writeFileSync(outFile, JSON.stringify({ histories: cs.checkHistories.length, pairs: acc }, null, 1));
