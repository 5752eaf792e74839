// A minimal storefront bundle: the packed `forecart` package, resolved and bundled by Vite. Nothing
// here points at forecart.wasm: the package's `new URL('../dist/forecart.wasm', import.meta.url)`
// must make the bundler emit it and the runtime find it. The worker entry (forecart/worker) is
// checked the same way and must give the same prediction.
import { Forecart, ForecartError } from 'forecart';
import { Forecart as WorkerForecart } from 'forecart/worker';

const out = document.getElementById('out');
const modelUrl = new URL('model.fcm', document.baseURI);
const codeOf = (err) => (err instanceof ForecartError || err?.name === 'ForecartError' ? err.code : String(err?.name || err));

async function main() {
  const fc = await Forecart.load(modelUrl, { storage: 'memory' });
  const ids = fc.catalogue();
  const events = [{ item: ids[0], action: fc.actions[0] }, { item: ids[1], action: fc.actions[0] }];
  for (const e of events) await fc.record(e);
  const prediction = fc.predict({ k: 5 });
  document.body.dataset.kernels = fc.info.kernels;
  document.body.dataset.items = JSON.stringify(prediction.items.map((x) => x.item));
  document.body.dataset.fromPopularity = String(prediction.fromPopularity);
  out.textContent = JSON.stringify(prediction, null, 2);
  document.body.dataset.state = 'ok';

  try {
    const wfc = await WorkerForecart.load(modelUrl, { storage: 'memory' });
    for (const e of events) await wfc.record(e);
    const wp = await wfc.predict({ k: 5 });
    document.body.dataset.workerItems = JSON.stringify(wp.items.map((x) => x.item));
    document.body.dataset.workerKernels = (await wfc.info).kernels;
    await wfc.dispose();
    document.body.dataset.worker = 'ok';
  } catch (err) {
    document.body.dataset.worker = `error:${codeOf(err)}:${err?.message}`;
  }
}

main().catch((err) => {
  document.body.dataset.error = `${codeOf(err)}: ${err?.message}`;
  out.textContent = `${err?.name}: ${err?.message}`;
  document.body.dataset.state = 'error';
});
