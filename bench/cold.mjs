// Cold start in a fresh Node process (spawned once per sample by bench/run.mjs):
//   node bench/cold.mjs RUNTIME CASE_JSON
// Times import of the runtime + load of the model from disk (+ WASM compile/instantiate) + the first
// top-20 prediction for the 50-event history, and prints one JSON line. Process start-up is excluded.
const t0 = performance.now();
const runtime = process.argv[2];
const { readFileSync } = await import('node:fs');
const cs = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const hist = cs.history.slice(0, 50);
const K = 20;
let tImport, tLoad, top;
if (runtime.startsWith('forecart')) {
  const { fileURLToPath } = await import('node:url');
  const Forecart = runtime === 'forecart' ? (await import('../web/node.js')).Forecart
    : (await import('./lib/forecart-variant.mjs')).variantForecart(fileURLToPath(new URL('out/wasm-512m/dist/', import.meta.url)));
  tImport = performance.now();
  const fc = await Forecart.load(cs.fcm, { storage: 'memory' });
  tLoad = performance.now();
  for (const e of hist) fc.record({ item: e.item, action: e.action, time: e.time * 1000 });
  top = fc.predict({ k: K }).items.map((x) => x.item);
} else if (runtime === 'ort' || runtime === 'ort-int8') {
  const ort = await import('onnxruntime-web');
  tImport = performance.now();
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(readFileSync(runtime === 'ort' ? cs.onnx : cs.onnxInt8),
    { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  tLoad = performance.now();
  const { encodeHistory } = await import('./lib/peers.mjs');
  const tok = encodeHistory(hist.map((e) => ({ index: e.index, action: e.actionIndex, time: e.time })), cs.config);
  const i64 = (a) => new ort.Tensor('int64', BigInt64Array.from(a, BigInt), [a.length]);
  const out = await session.run({ items: i64(tok.items), actions: i64(tok.actions), buckets: i64(tok.buckets),
    k: new ort.Tensor('int64', BigInt64Array.of(BigInt(K)), [1]) });
  top = Array.from(out.indices.data, (x) => Number(x) + 1);
} else if (runtime === 'tfjs') {
  const { createTfjs, encodeHistory } = await import('./lib/peers.mjs');
  const { loadTfjsWeights } = await import('./lib/tfjs-weights.mjs');
  const { fileURLToPath } = await import('node:url');
  // createTfjs imports tfjs-core + backend and initialises the wasm backend; it is timed as "load"
  // together with the weights (the split import/load is not comparable for tfjs).
  tImport = performance.now();
  const peer = await createTfjs(loadTfjsWeights(cs.tfjs),
    fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
  tLoad = performance.now();
  const tok = encodeHistory(hist.map((e) => ({ index: e.index, action: e.actionIndex, time: e.time })), cs.config);
  top = Array.from((await peer.predict(tok, K)).ids);
}
const t1 = performance.now();
process.stdout.write(JSON.stringify({ runtime, total: t1 - t0, import: tImport - t0, load: tLoad - tImport, first: t1 - tLoad,
  top: top.slice(0, 5) }) + '\n');
