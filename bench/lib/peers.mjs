// The two peers behind one small interface, plus the shared history encoding.
//   const p = await createPeer('ort' | 'ort-int8' | 'tfjs', { model, onnxBytes });
//   p.predict(tokens, k) -> Promise<{ ids: Int32Array (vocab ids), scores: Float32Array }>
// tokens = { items, actions, buckets } (Int32Array, oldest first, at most max_len).
// Both recompute the whole sequence on every call (neither has a key/value cache API).
import { tensorF32 } from './fcm.mjs';

// time_bucket() of src/model/config.cpp: 0 when a time is unknown (< 0) or for the first event,
// else 1 + floor(log2(1 + gap)), capped at buckets - 1. Times in unix seconds.
export function timeBucket(prev, time, buckets) {
  if (buckets <= 1 || prev < 0 || time < 0) return 0;
  let g = Math.max(0, time - prev) + 1;
  let b = 1;
  while (g > 1 && b + 1 < buckets) {
    g = Math.floor(g / 2);
    b++;
  }
  return b;
}

// events: [{ index (vocab id), action (index), time (seconds) }], oldest first -> the newest max_len tokens.
export function encodeHistory(events, config) {
  const n = Math.min(events.length, config.max_len), start = events.length - n;
  const items = new Int32Array(n), actions = new Int32Array(n), buckets = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const e = events[start + i];
    items[i] = e.index;
    actions[i] = e.action;
    buckets[i] = start + i === 0 ? 0 : timeBucket(events[start + i - 1].time, e.time, config.time_buckets);
  }
  return { items, actions, buckets };
}

const i64 = (a) => BigInt64Array.from(a, (v) => BigInt(v));

export async function createOrt(onnxBytes) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.logLevel = 'error';
  const session = await ort.InferenceSession.create(onnxBytes, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  const kCache = new Map();
  return {
    name: 'onnxruntime-web',
    version: ort.env.versions?.web ?? ort.env.versions?.common,
    async predict(tok, k) {
      const T = tok.items.length;
      if (!kCache.has(k)) kCache.set(k, new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), [1]));
      const out = await session.run({
        items: new ort.Tensor('int64', i64(tok.items), [T]),
        actions: new ort.Tensor('int64', i64(tok.actions), [T]),
        buckets: new ort.Tensor('int64', i64(tok.buckets), [T]),
        k: kCache.get(k),
      });
      const idx = out.indices.data, scores = out.scores.data;
      const ids = new Int32Array(idx.length);
      for (let i = 0; i < idx.length; i++) ids[i] = Number(idx[i]) + 1;
      return { ids, scores };
    },
    release: () => session.release(),
  };
}

export async function createTfjs(model, wasmDir) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmDir);
  wasm.setThreadsCount?.(1);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  const c = model.config;
  const d = c.dim, H = c.heads, hs = d / H, L = c.max_len, V = c.num_items + 1;
  const W = (name) => tensorF32(model.tensors.get(name));
  const t2 = (name, rows, cols) => tf.tensor2d(W(name), [rows, cols]);
  const t1 = (name) => tf.tensor1d(W(name));
  const transposeOut = (name, rows, cols) => tf.tidy(() => tf.transpose(t2(name, rows, cols))); // [in,out]
  const itemEmb = t2('item_emb', V, d), itemBias = t1('item_bias');
  const actionEmb = t2('action_emb', c.num_actions, d), timeEmb = t2('time_emb', c.time_buckets, d), posEmb = t2('pos_emb', L, d);
  const blocks = [];
  for (let l = 0; l < c.layers; l++) {
    const b = `blocks.${l}.`;
    blocks.push({
      ln1g: t1(b + 'ln1_g'), ln1b: t1(b + 'ln1_b'), qkvW: transposeOut(b + 'qkv_w', 3 * d, d), qkvB: t1(b + 'qkv_b'),
      projW: transposeOut(b + 'proj_w', d, d), projB: t1(b + 'proj_b'), ln2g: t1(b + 'ln2_g'), ln2b: t1(b + 'ln2_b'),
      fc1W: transposeOut(b + 'fc1_w', c.ffn_dim, d), fc1B: t1(b + 'fc1_b'), fc2W: transposeOut(b + 'fc2_w', d, c.ffn_dim),
      fc2B: t1(b + 'fc2_b'),
    });
  }
  const lnfG = t1('lnf_g'), lnfB = t1('lnf_b');
  const maskData = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) maskData[i * L + j] = -1e9;
  const mask = tf.tensor2d(maskData, [L, L]);
  const eps = c.norm_eps, scale = 1 / Math.sqrt(hs), kG = Math.sqrt(2 / Math.PI);

  const ln = (x, gg, bb) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gg), bb);
  };
  const gelu = (u) => tf.mul(tf.mul(u, 0.5), tf.add(tf.tanh(tf.mul(tf.add(u, tf.mul(tf.mul(tf.mul(u, u), u), 0.044715)), kG)), 1));
  const forward = (tok, k) => tf.tidy(() => {
    const T = tok.items.length;
    let x = tf.addN([tf.gather(itemEmb, tf.tensor1d(tok.items, 'int32')), tf.gather(actionEmb, tf.tensor1d(tok.actions, 'int32')),
      tf.gather(timeEmb, tf.tensor1d(tok.buckets, 'int32')), tf.slice(posEmb, [0, 0], [T, d])]);
    const maskT = tf.slice(mask, [0, 0], [T, T]);
    blocks.forEach((b, l) => {
      const last = l === blocks.length - 1;
      const qkv = tf.add(tf.matMul(ln(x, b.ln1g, b.ln1b), b.qkvW), b.qkvB); // [T,3d]
      const [q, kk, v] = tf.split(qkv, 3, 1);
      const heads = (t) => tf.transpose(tf.reshape(t, [T, H, hs]), [1, 0, 2]); // [H,T,hs]
      let qh = heads(q);
      if (last) qh = tf.slice(qh, [0, T - 1, 0], [H, 1, hs]);
      let s = tf.mul(tf.matMul(qh, heads(kk), false, true), scale);
      if (!last) s = tf.add(s, maskT);
      const o = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), heads(v)), [1, 0, 2]), [-1, d]);
      if (last) x = tf.slice(x, [T - 1, 0], [1, d]);
      x = tf.add(x, tf.add(tf.matMul(o, b.projW), b.projB));
      const hh = tf.add(tf.matMul(ln(x, b.ln2g, b.ln2b), b.fc1W), b.fc1B);
      x = tf.add(x, tf.add(tf.matMul(c.activation === 1 ? tf.relu(hh) : gelu(hh), b.fc2W), b.fc2B));
    });
    if (!blocks.length) x = tf.slice(x, [tok.items.length - 1, 0], [1, d]);
    const h = ln(x, lnfG, lnfB); // [1,d]
    const logits = tf.add(tf.matMul(h, itemEmb, false, true), itemBias); // [1,V]
    const probs = tf.softmax(tf.slice(logits, [0, 1], [1, V - 1]));
    const { values, indices } = tf.topk(probs, k);
    return [values, indices];
  });
  return {
    name: 'tfjs-wasm',
    version: tf.version_core,
    backend: tf.getBackend(),
    async predict(tok, k) {
      const [values, indices] = forward(tok, k);
      const scores = values.dataSync(), idx = indices.dataSync();
      values.dispose();
      indices.dispose();
      const ids = new Int32Array(idx.length);
      for (let i = 0; i < idx.length; i++) ids[i] = idx[i] + 1;
      return { ids, scores: Float32Array.from(scores) };
    },
    release() {
      tf.disposeVariables();
      tf.engine().reset();
    },
  };
}
