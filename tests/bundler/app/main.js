// A minimal storefront bundle: the packed `forecart` package, resolved and bundled by Vite. Nothing
// here points at forecart.wasm: the package's `new URL('../dist/forecart.wasm', import.meta.url)`
// must make the bundler emit it and the runtime find it.
import { Forecart, ForecartError } from 'forecart';

const out = document.getElementById('out');

async function main() {
  const fc = await Forecart.load(new URL('model.fcm', document.baseURI), { storage: 'memory' });
  const ids = fc.catalogue();
  await fc.record({ item: ids[0], action: fc.actions[0] });
  await fc.record({ item: ids[1], action: fc.actions[0] });
  const prediction = fc.predict({ k: 5 });
  document.body.dataset.kernels = fc.info.kernels;
  document.body.dataset.items = String(prediction.items.length);
  document.body.dataset.fromPopularity = String(prediction.fromPopularity);
  out.textContent = JSON.stringify(prediction, null, 2);
  document.body.dataset.state = 'ok';
}

main().catch((err) => {
  document.body.dataset.state = 'error';
  document.body.dataset.error = err instanceof ForecartError ? err.code : String(err?.name);
  out.textContent = `${err?.name}: ${err?.message}`;
});
