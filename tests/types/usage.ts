// Compiled with `tsc --noEmit -p tests/types`: index.d.ts must accept what the docs show and
// reject what they forbid (the @ts-expect-error lines fail the check if they ever compile).
import { Forecart, ForecartError, simdSupported, type Prediction } from 'forecart';
import { Forecart as WorkerForecart } from 'forecart/worker';

async function main(): Promise<void> {
  if (!simdSupported()) return;
  const ac = new AbortController();
  const fc = await Forecart.load('/models/store.fcm', {
    storage: 'indexeddb', maxEvents: 500, ttlDays: 30, namespace: 'shop-1', consent: 'required',
    signal: ac.signal, integrity: 'sha256-abc', onWarning: (w) => console.log(w.code, w.message),
  });
  await fc.grantConsent();
  const stored: boolean = await fc.record({ item: 'sku-123', action: 'view', time: new Date() });
  const p: Prediction = fc.predict({ k: 10, exclude: ['sku-1'], allow: new Set(['sku-2']), category: 'shoes', explain: true });
  const first = p.items[0];
  const impact: number | undefined = first?.explanation?.[0]?.impact;
  const cartProb: number | undefined = p.actions['cart'];
  const scores = fc.scoreItems(['sku-1', 42]);
  const s0: number | null = scores[0].score;
  const exported = await fc.history.export();
  const n: number = await fc.history.import(exported);
  await fc.history.clear();
  await fc.revokeConsent();
  console.log(stored, impact, cartProb, s0, n, fc.info.kernels);
  fc.dispose();
  // @ts-expect-error k must be a number
  fc.predict({ k: '10' });
  // @ts-expect-error an event needs an item
  void fc.record({ action: 'view' });
  // @ts-expect-error storage is 'indexeddb' or 'memory'
  void Forecart.load('/m.fcm', { storage: 'cookies' });

  const w = await WorkerForecart.load(new Uint8Array(8));
  const wp: Prediction = await w.predict({ k: 3 });
  console.log(wp.fromPopularity, (await w.info).items);
  await w.dispose();

  try {
    await Forecart.load(new ArrayBuffer(4));
  } catch (e) {
    if (e instanceof ForecartError) console.log(e.code.toUpperCase());
  }
}
void main();
