// The tfjs peer's model files: TensorFlow.js's weights-manifest format (model.json with
// weightsManifest [{ paths, weights: [{ name, shape, dtype }] }] and one fp32 .bin shard), exported
// from a parsed .fcm. loadTfjsWeights() reads them back the way tf.io.decodeWeights would (fp32
// views into the shard) and returns { config, tensors } for createTfjs().
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { paramLayout, tensorF32 } from './fcm.mjs';

export function saveTfjsWeights(model, jsonPath) {
  const binName = basename(jsonPath).replace(/\.json$/, '') + '.bin';
  const layout = paramLayout(model.config);
  let total = 0;
  for (const [, r, c] of layout) total += r * c;
  const all = new Float32Array(total);
  const weights = [];
  let o = 0;
  for (const [name, r, c] of layout) {
    all.set(tensorF32(model.tensors.get(name)), o);
    o += r * c;
    weights.push({ name, shape: r === 1 ? [c] : [r, c], dtype: 'float32' });
  }
  const { quantized, ...config } = model.config;
  writeFileSync(join(dirname(jsonPath), binName), new Uint8Array(all.buffer));
  writeFileSync(jsonPath, JSON.stringify({ format: 'forecart-bench-tfjs', config, itemCount: model.config.num_items,
    weightsManifest: [{ paths: [binName], weights }] }));
  return { json: jsonPath, bin: join(dirname(jsonPath), binName), bytes: all.byteLength };
}

export function loadTfjsWeights(jsonPath) {
  const j = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const buf = readFileSync(join(dirname(jsonPath), j.weightsManifest[0].paths[0]));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const tensors = new Map();
  let o = 0;
  for (const w of j.weightsManifest[0].weights) {
    const [rows, cols] = w.shape.length === 1 ? [1, w.shape[0]] : w.shape;
    tensors.set(w.name, { name: w.name, rows, cols, f32: new Float32Array(ab, o, rows * cols) });
    o += 4 * rows * cols;
  }
  return { config: j.config, tensors };
}
