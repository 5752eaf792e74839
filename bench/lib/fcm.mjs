// Reads the .fcm model file in JS, following the numbered spec in src/format/fcm.h: parseFcm()
// reads a version-1 or version-2 file (fp32 or int8) into plain typed arrays for the peers'
// exporters (onnx-export.mjs, tfjs-weights.mjs). Version 2's tagged sections (spec item 10b) are
// listed but none is decoded: a section marked skippable (such as the model card) is skipped, and a
// file with a section not marked skippable is rejected, since such a section changes what the model
// computes and the exporters would not reproduce it. Little-endian throughout. The checksum (item 13) is returned
// but not verified here (`forecart inspect` verifies it). Nothing here writes .fcm files: the
// synthetic benchmark models are written by `forecart synth` (src/cli/cmd_synth.cpp), so the
// benchmark follows the C++ writer.

export const CONFIG_KEYS = {
  1: 'dim', 2: 'layers', 3: 'heads', 4: 'ffn_dim', 5: 'max_len', 6: 'num_items', 7: 'num_actions',
  8: 'time_buckets', 9: 'activation', 10: 'norm_eps_bits', 11: 'weight_format',
};
const DTYPE_F32 = 0, DTYPE_Q8ROW = 1;
export const FCM_VERSION = 2; // kFcmVersion: the newest version parseFcm reads
const SECTION_SKIPPABLE = 1, MAX_SECTIONS = 64, ALIGNMENT = 32;

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

const dec = new TextDecoder('utf-8', { fatal: true });

// Parses an .fcm file (version 1 or 2). Returns { version, headerSize, fileSize, checksum, config,
// actions, itemIds, categories, itemCategory, popularity, tensors: Map(name -> { dtype, rows, cols,
// f32?, scales?, codes? }), sections: [{ tag, flags, offset, nbytes }] } where f32 is the fp32 data
// (zero-copy view when aligned), int8 tensors carry scales + codes, and sections (empty for
// version 1) are the skipped ones.
export function parseFcm(bytes) {
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
  if (version < 1 || version > FCM_VERSION) throw new Error(`fcm: version ${version}, this parser reads 1 to ${FCM_VERSION}`);
  const headerSize = u32(); // 3.
  const fileSize = u64v(); // 4.
  if (fileSize !== bytes.byteLength) throw new Error(`fcm: declared size ${fileSize} != ${bytes.byteLength}`);
  const storedSum = dv.getBigUint64(bytes.byteLength - 8, true);
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
  // 10b. section table (version >= 2)
  const sections = [];
  if (version >= 2) {
    const ns = u32();
    if (ns > MAX_SECTIONS) throw new Error(`fcm: ${ns} sections, at most ${MAX_SECTIONS}`);
    for (let i = 0; i < ns; i++) {
      const tag = u32(), flags = u32(), offset = u64v(), nbytes = u64v();
      if (flags & ~SECTION_SKIPPABLE) throw new Error(`fcm: section tag ${tag} has unknown flags ${flags}`);
      if (sections.some((s) => s.tag === tag)) throw new Error(`fcm: section tag ${tag} appears twice`);
      if (offset % ALIGNMENT !== 0 || offset < headerSize || offset + nbytes > bytes.byteLength - 8)
        throw new Error(`fcm: section tag ${tag} is unaligned or outside the data section`);
      if (!(flags & SECTION_SKIPPABLE))
        throw new Error(`fcm: section tag ${tag} may not be skipped and bench/lib/fcm.mjs does not decode it: ` +
          'the exporters cannot reproduce this model');
      sections.push({ tag, flags, offset, nbytes });
    }
  }
  if (p > headerSize) throw new Error('fcm: header overruns its size');
  return { version, headerSize, fileSize, checksum: storedSum, config, actions, itemIds, categories, itemCategory, popularity,
    tensors, sections };
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
