// The .fcm model file in JS, following the numbered spec in src/format/fcm.h (version 1):
// parseFcm() reads a file (fp32 or int8) into plain typed arrays for the peers' exporters, and
// writeFcm() writes one (used for the synthetic 1k/100k/1M catalogues). Little-endian throughout.
// Also xxh64() (seed 0), the file checksum (spec item 13).

const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;
const M64 = 0xffffffffffffffffn;
const u64 = (x) => BigInt.asUintN(64, x);
const rotl = (x, r) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & M64;
const round = (acc, input) => u64(rotl(u64(acc + u64(input * P2)), 31) * P1);
const merge = (acc, v) => u64(u64((acc ^ round(0n, v)) * P1) + P4);

// XXH64 with seed 0 of bytes (a Uint8Array). BigInt, about 1 s per 50 MB: only run on files we write.
export function xxh64(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.byteLength;
  let p = 0;
  let h;
  if (len >= 32) {
    let v1 = u64(P1 + P2), v2 = P2, v3 = 0n, v4 = u64(-P1);
    const limit = len - 32;
    while (p <= limit) {
      v1 = round(v1, dv.getBigUint64(p, true));
      v2 = round(v2, dv.getBigUint64(p + 8, true));
      v3 = round(v3, dv.getBigUint64(p + 16, true));
      v4 = round(v4, dv.getBigUint64(p + 24, true));
      p += 32;
    }
    h = u64(rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18));
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = P5;
  }
  h = u64(h + BigInt(len));
  while (p + 8 <= len) {
    h ^= round(0n, dv.getBigUint64(p, true));
    h = u64(u64(rotl(h, 27) * P1) + P4);
    p += 8;
  }
  if (p + 4 <= len) {
    h ^= u64(BigInt(dv.getUint32(p, true)) * P1);
    h = u64(u64(rotl(h, 23) * P2) + P3);
    p += 4;
  }
  while (p < len) {
    h ^= u64(BigInt(bytes[p]) * P5);
    h = u64(rotl(h, 11) * P1);
    p++;
  }
  h ^= h >> 33n;
  h = u64(h * P2);
  h ^= h >> 29n;
  h = u64(h * P3);
  h ^= h >> 32n;
  return h;
}

export const CONFIG_KEYS = {
  1: 'dim', 2: 'layers', 3: 'heads', 4: 'ffn_dim', 5: 'max_len', 6: 'num_items', 7: 'num_actions',
  8: 'time_buckets', 9: 'activation', 10: 'norm_eps_bits', 11: 'weight_format',
};
const DTYPE_F32 = 0, DTYPE_Q8ROW = 1;

// ParamLayout::build (src/model/config.cpp): names and [rows, cols], in file order.
export function paramLayout(c) {
  const d = c.dim, f = c.ffn_dim, V = c.num_items + 1;
  const t = [['item_emb', V, d], ['item_bias', 1, V], ['action_emb', c.num_actions, d], ['time_emb', c.time_buckets, d],
    ['pos_emb', c.max_len, d]];
  for (let l = 0; l < c.layers; l++) {
    const b = `blocks.${l}.`;
    t.push([b + 'ln1_g', 1, d], [b + 'ln1_b', 1, d], [b + 'qkv_w', 3 * d, d], [b + 'qkv_b', 1, 3 * d], [b + 'proj_w', d, d],
      [b + 'proj_b', 1, d], [b + 'ln2_g', 1, d], [b + 'ln2_b', 1, d], [b + 'fc1_w', f, d], [b + 'fc1_b', 1, f],
      [b + 'fc2_w', d, f], [b + 'fc2_b', 1, d]);
  }
  t.push(['lnf_g', 1, d], ['lnf_b', 1, d], ['action_w', c.num_actions, d], ['action_b', 1, c.num_actions]);
  return t;
}

// stored_int8() in src/format/fcm.h.
export function storedInt8(name) {
  return name === 'item_emb' || name === 'action_w' || /^blocks\.\d+\.(qkv_w|proj_w|fc1_w|fc2_w)$/.test(name);
}

const dec = new TextDecoder('utf-8', { fatal: true });

// Parses an .fcm file. Returns { version, config, actions, itemIds, categories, itemCategory,
// popularity, tensors: Map(name -> { dtype, rows, cols, f32? , scales?, codes? }) } where f32 is the
// fp32 data (zero-copy view when aligned) and int8 tensors carry scales + codes.
// verifyChecksum: also recompute the XXH64 (slow for big files).
export function parseFcm(bytes, { verifyChecksum = false } = {}) {
  if (!(bytes instanceof Uint8Array)) bytes = new Uint8Array(bytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const need = (n, what) => {
    if (p + n > bytes.byteLength) throw new Error(`fcm: truncated at ${what}`);
  };
  const u32 = () => { need(4, 'u32'); const v = dv.getUint32(p, true); p += 4; return v; };
  const u64v = () => { need(8, 'u64'); const v = dv.getBigUint64(p, true); p += 8; return Number(v); };
  const str = () => { const n = u32(); need(n, 'string'); const s = dec.decode(bytes.subarray(p, p + n)); p += n; return s; };
  // 1. magic
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'FCM1') throw new Error(`fcm: bad magic ${JSON.stringify(magic)}`);
  p = 4;
  const version = u32(); // 2.
  if (version !== 1) throw new Error(`fcm: version ${version}, this parser reads 1`);
  const headerSize = u32(); // 3.
  const fileSize = u64v(); // 4.
  if (fileSize !== bytes.byteLength) throw new Error(`fcm: declared size ${fileSize} != ${bytes.byteLength}`);
  const storedSum = dv.getBigUint64(bytes.byteLength - 8, true);
  if (verifyChecksum) {
    const sum = xxh64(bytes.subarray(0, bytes.byteLength - 8));
    if (sum !== storedSum) throw new Error('fcm: checksum mismatch');
  }
  // 5. config
  const config = {};
  const nkeys = u32();
  for (let i = 0; i < nkeys; i++) {
    const k = u32(), v = u32();
    if (!CONFIG_KEYS[k]) throw new Error(`fcm: unknown config key ${k}`);
    config[CONFIG_KEYS[k]] = v;
  }
  config.norm_eps = new Float32Array(new Uint32Array([config.norm_eps_bits]).buffer)[0];
  config.quantized = config.weight_format === DTYPE_Q8ROW;
  // 6. actions
  const na = u32();
  const actions = [];
  for (let i = 0; i < na; i++) actions.push(str());
  // 7. item ids
  const ni = u32();
  const itemIds = new Array(ni);
  for (let i = 0; i < ni; i++) itemIds[i] = str();
  // 8. categories
  const nc = u32();
  const categories = [];
  for (let i = 0; i < nc; i++) categories.push(str());
  let itemCategory = null;
  if (nc > 0) {
    need(4 * ni, 'categories');
    itemCategory = new Uint32Array(bytes.slice(p, p + 4 * ni).buffer);
    p += 4 * ni;
  }
  // 9. popularity
  need(4 * ni, 'popularity');
  const popularity = new Float32Array(bytes.slice(p, p + 4 * ni).buffer);
  p += 4 * ni;
  // 10. tensor table
  const nt = u32();
  const tensors = new Map();
  for (let i = 0; i < nt; i++) {
    const name = str();
    const dtype = u32();
    const ndim = u32();
    const shape = [];
    for (let j = 0; j < ndim; j++) shape.push(u64v());
    const offset = u64v(), nbytes = u64v();
    const rows = shape.length === 2 ? shape[0] : 1, cols = shape[shape.length - 1];
    if (offset + nbytes > bytes.byteLength - 8) throw new Error(`fcm: tensor ${name} out of bounds`);
    const abs = bytes.byteOffset + offset; // 32-byte aligned in the file; aligned in memory when bytes is
    const view = (o, n) => (abs % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset + o, n)
      : new Float32Array(bytes.slice(o, o + 4 * n).buffer));
    const t = { name, dtype, rows, cols, offset, nbytes };
    if (dtype === DTYPE_F32) {
      t.f32 = view(offset, rows * cols);
    } else if (dtype === DTYPE_Q8ROW) {
      t.scales = view(offset, rows);
      t.codes = new Int8Array(bytes.buffer, bytes.byteOffset + offset + 4 * rows, rows * cols);
    } else {
      throw new Error(`fcm: unknown dtype ${dtype} of ${name}`);
    }
    tensors.set(name, t);
  }
  if (p > headerSize) throw new Error('fcm: header overruns its size');
  return { version, headerSize, fileSize, checksum: storedSum, config, actions, itemIds, categories, itemCategory, popularity, tensors };
}

// The fp32 values of a parsed tensor (dequantized when int8: value = scale[r] * code[r][c]).
export function tensorF32(t) {
  if (t.f32) return t.f32;
  const out = new Float32Array(t.rows * t.cols);
  for (let r = 0; r < t.rows; r++) {
    const s = t.scales[r];
    for (let c = 0, o = r * t.cols; c < t.cols; c++) out[o + c] = Math.fround(s * t.codes[o + c]);
  }
  return out;
}

// nearbyint() under the default rounding mode: round half to even.
function nearbyint(v) {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

// quantize_row_q8_ref (src/quant/q8.cpp): per-row symmetric int8, scale = max|x| / 127.
export function quantizeRows(x, rows, cols) {
  const scales = new Float32Array(rows), codes = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let amax = 0;
    for (let c = 0; c < cols; c++) amax = Math.max(amax, Math.abs(x[o + c]));
    if (!(amax > 0) || !Number.isFinite(amax)) continue;
    const scale = Math.fround(amax / 127), inv = Math.fround(1 / scale);
    scales[r] = scale;
    for (let c = 0; c < cols; c++) codes[o + c] = Math.min(127, Math.max(-127, nearbyint(Math.fround(x[o + c] * inv))));
  }
  return { scales, codes };
}

const enc = new TextEncoder();
const align = (n, a = 32) => Math.ceil(n / a) * a;

// Writes a version-1 .fcm: model = { config (dim, layers, heads, ffn_dim, max_len, num_items, num_actions,
// time_buckets, activation, norm_eps), actions, itemIds, popularity, tensors: Map(name -> Float32Array) }.
// int8: the stored_int8() tensors are written q8_row (quantized here exactly as the C++ writer does).
export function writeFcm(model, { int8 }) {
  const c = model.config;
  const layout = paramLayout(c);
  const strs = (list) => list.map((s) => enc.encode(s));
  const actions = strs(model.actions), ids = strs(model.itemIds);
  let head = 4 + 4 + 4 + 8 + 4 + 8 * 11 + 4 + actions.reduce((a, s) => a + 4 + s.length, 0) + 4 +
    ids.reduce((a, s) => a + 4 + s.length, 0) + 4 + 4 * c.num_items + 4;
  for (const [name] of layout) head += 4 + enc.encode(name).length + 4 + 4 + 16 + 8 + 8;
  const headerSize = align(head);
  const plan = [];
  let end = headerSize;
  for (const [name, rows, cols] of layout) {
    const q = int8 && storedInt8(name);
    const nbytes = q ? 4 * rows + rows * cols : 4 * rows * cols;
    const offset = align(end);
    plan.push({ name, rows, cols, q, offset, nbytes });
    end = offset + nbytes;
  }
  const fileSize = end + 8;
  const out = new Uint8Array(fileSize);
  const dv = new DataView(out.buffer);
  let p = 0;
  const w32 = (v) => { dv.setUint32(p, v >>> 0, true); p += 4; };
  const w64 = (v) => { dv.setBigUint64(p, BigInt(v), true); p += 8; };
  const wstr = (b) => { w32(b.length); out.set(b, p); p += b.length; };
  out.set(enc.encode('FCM1'), 0);
  p = 4;
  w32(1);
  w32(headerSize);
  w64(fileSize);
  const epsBits = new Uint32Array(new Float32Array([c.norm_eps]).buffer)[0];
  const values = [c.dim, c.layers, c.heads, c.ffn_dim, c.max_len, c.num_items, c.num_actions, c.time_buckets,
    c.activation, epsBits, int8 ? DTYPE_Q8ROW : DTYPE_F32];
  w32(11);
  values.forEach((v, i) => { w32(i + 1); w32(v); });
  w32(actions.length);
  actions.forEach(wstr);
  w32(ids.length);
  ids.forEach(wstr);
  w32(0); // no category table
  new Uint8Array(out.buffer, p, 4 * c.num_items).set(new Uint8Array(model.popularity.buffer, model.popularity.byteOffset, 4 * c.num_items));
  p += 4 * c.num_items;
  w32(plan.length);
  for (const t of plan) {
    wstr(enc.encode(t.name));
    w32(t.q ? DTYPE_Q8ROW : DTYPE_F32);
    w32(2);
    w64(t.rows);
    w64(t.cols);
    w64(t.offset);
    w64(t.nbytes);
  }
  if (p > headerSize) throw new Error('writeFcm: header size mismatch');
  for (const t of plan) {
    const x = model.tensors.get(t.name);
    if (!x || x.length !== t.rows * t.cols) throw new Error(`writeFcm: tensor ${t.name} missing or wrong size`);
    if (t.q) {
      const { scales, codes } = quantizeRows(x, t.rows, t.cols);
      new Float32Array(out.buffer, t.offset, t.rows).set(scales);
      new Int8Array(out.buffer, t.offset + 4 * t.rows, t.rows * t.cols).set(codes);
    } else {
      new Float32Array(out.buffer, t.offset, t.rows * t.cols).set(x);
    }
  }
  dv.setBigUint64(fileSize - 8, xxh64(out.subarray(0, fileSize - 8)), true);
  return out;
}

// A seeded normal generator (xorshift128+ uniform, Box-Muller).
export function normalRng(seed) {
  let s0 = (seed * 2654435761) >>> 0 || 1, s1 = 0x9e3779b9 ^ seed, s2 = 0x243f6a88, s3 = 0xb7e15162;
  const next = () => { // xoshiro128**
    const r = Math.imul(rotl32(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl32(s3, 11);
    return r;
  };
  let spare = null;
  return () => {
    if (spare !== null) { const v = spare; spare = null; return v; }
    const u = (next() + 1) / 4294967297, v = next() / 4294967296;
    const m = Math.sqrt(-2 * Math.log(u));
    spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  };
}
function rotl32(x, r) { return (x << r) | (x >>> (32 - r)); }

// A random model with the config of `base` but num_items items: ModelWeights::random's init
// (N(0, 0.02) for matrices/embeddings, LayerNorm gains 1, biases 0), item ids "s<n>", flat popularity.
export function randomModel(base, numItems, seed = 7) {
  const config = { ...base, num_items: numItems };
  const rnd = normalRng(seed);
  const tensors = new Map();
  for (const [name, rows, cols] of paramLayout(config)) {
    const x = new Float32Array(rows * cols);
    const gain = name.endsWith('_g'), bias = rows === 1;
    if (gain) x.fill(1);
    else if (!bias) for (let i = 0; i < x.length; i++) x[i] = 0.02 * rnd();
    tensors.set(name, x);
  }
  const itemIds = new Array(numItems);
  for (let i = 0; i < numItems; i++) itemIds[i] = 's' + (i + 1);
  const popularity = new Float32Array(numItems).fill(1 / numItems);
  return { config, actions: base.actions ?? ['view'], itemIds, popularity, tensors };
}
