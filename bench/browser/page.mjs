// In-browser part of the benchmark (loaded by bench/browser.mjs in headless Chromium): forecart's
// browser entry (web/index.js, served like any static file), the model fetched over HTTP,
// history in memory (the timed calls are the same as with IndexedDB: the store write is async).
import { measure } from '../lib/stats.mjs';

window.benchCase = async (cs) => {
  const t0 = performance.now();
  const { Forecart } = await import('../../web/index.js');
  const fc = await Forecart.load(cs.modelUrl, { storage: 'memory', maxEvents: 500 });
  const tLoad = performance.now();
  const hist = cs.history;
  const rec = (e) => fc.record({ item: e.item, action: e.action, time: e.time * 1000 });
  for (let i = 0; i < 50; i++) rec(hist[i]);
  let top = fc.predict({ k: 20 }).items.map((x) => x.item);
  const cold = { total: performance.now() - t0, importLoad: tLoad - t0, first: performance.now() - tLoad };
  const replay = async (n) => {
    await fc.history.clear();
    for (let i = 0; i < n; i++) rec(hist[i]);
  };
  const predict = await measure(() => fc.predict({ k: 20 }));
  const recordPredict = await measure(() => {
    rec(hist[49]);
    return fc.predict({ k: 20 });
  }, { setup: () => replay(49), budgetMs: 2000, maxRuns: 400 });
  await replay(50);
  let j = 0;
  const recordPredictFull = await measure(() => {
    rec(hist[j++ % 51]);
    return fc.predict({ k: 20 });
  });
  const info = fc.info;
  fc.dispose();
  return { cold, predict, recordPredict, recordPredictFull, top, kernels: info.kernels, userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated };
};
window.benchReady = true;
