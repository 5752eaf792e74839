// Exports a parsed .fcm (lib/fcm.mjs) to an ONNX graph written with onnx-proto: the same forward
// pass as src/model/forward.cpp (embeddings item+action+time+position, pre-LN blocks with causal
// attention, GELU tanh, final LN, tied head), then softmax over items 1..N and TopK.
//
// Inputs:  items, actions, buckets: int64 [T] (T <= max_len, oldest first); k: int64 [1].
// Outputs: scores float [1,k] (probabilities), indices int64 [1,k] (0-based over items 1..N, so
//          vocab id = index + 1).
// The last block computes its query, projection and FFN for the newest token only (the only one
// the head reads); keys/values are computed for all T tokens. That is a full recompute, minus work
// whose result is never read.
//
// variant 'fp32': every weight fp32 (from the fp32 twin); the head is Gemm(h, item_emb^T) sharing the
//   one [V,d] table with the input Gather.
// variant 'int8': the item table is the int8 model's codes + per-row scales, stored once as int8
//   [d,V]; the head is DynamicQuantizeLinear(h) -> MatMulInteger -> Cast -> Mul(scales) (the pattern
//   onnxruntime's quantize_dynamic emits, which ORT fuses), the input embedding gathers int8 rows and
//   scales them. Other weights are the int8 file's values dequantized (fp32 in the graph).
import onnxpkg from 'onnx-proto';

import { tensorF32 } from './fcm.mjs';

const { onnx } = onnxpkg;
const FLOAT = 1, INT8 = 3, INT64 = 7;
const AT = onnx.AttributeProto.AttributeType;

class Graph {
  constructor() {
    this.nodes = [];
    this.inits = [];
    this.n = 0;
  }
  init(name, dataType, dims, typed) {
    const raw = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    this.inits.push(onnx.TensorProto.create({ name, dataType, dims, rawData: raw }));
    return name;
  }
  f32(name, dims, data) {
    return this.init(name, FLOAT, dims, data instanceof Float32Array ? data : new Float32Array(data));
  }
  i64(name, values) {
    return this.init(name, INT64, [values.length], new BigInt64Array(values.map(BigInt)));
  }
  op(opType, inputs, attrs = {}, nout = 1) {
    const id = `${opType.toLowerCase()}_${this.n++}`;
    const outputs = Array.from({ length: nout }, (_, i) => (nout === 1 ? id : `${id}_${i}`));
    const attribute = Object.entries(attrs).map(([name, v]) => {
      if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: AT.INTS, ints: v });
      if (typeof v === 'object' && v.float !== undefined) return onnx.AttributeProto.create({ name, type: AT.FLOAT, f: v.float });
      return onnx.AttributeProto.create({ name, type: AT.INT, i: v });
    });
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: id, attribute }));
    return nout === 1 ? outputs[0] : outputs;
  }
}

// W [out,in] row-major -> W^T [in,out] (MatMul wants [K,N]).
function transpose(W, rows, cols) {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = W[r * cols + c];
  return out;
}

export function exportOnnx(model, { variant = 'fp32' } = {}) {
  const c = model.config;
  const d = c.dim, H = c.heads, hs = d / H, f = c.ffn_dim, L = c.max_len, V = c.num_items + 1;
  const T = (name) => model.tensors.get(name);
  const W = (name) => tensorF32(T(name));
  const g = new Graph();
  const eps = { float: c.norm_eps };

  // Shapes and constants.
  const len = g.op('Shape', ['items']); // [1] = T
  const zero1 = g.i64('c_zero1', [0]);
  const zero2 = g.i64('c_zero2', [0, 0]);
  const axes0 = g.i64('c_axes0', [0]);
  const axes01 = g.i64('c_axes01', [0, 1]);
  const axes1 = g.i64('c_axes1', [1]);
  const one1 = g.i64('c_one1', [1]);
  const minus1 = g.i64('c_minus1', [-1]);
  const big = g.i64('c_big', [2 ** 53]);
  const shpTHhs = g.i64('c_shape_thhs', [-1, H, hs]);
  const shpTd = g.i64('c_shape_td', [-1, d]);
  const lenlen = g.op('Concat', [len, len], { axis: 0 });
  // Causal additive mask [L,L] (0 on and below the diagonal), sliced to [T,T].
  const mask = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) mask[i * L + j] = -1e9;
  const maskT = g.op('Slice', [g.f32('mask', [L, L], mask), zero2, lenlen, axes01]);
  const scale = g.f32('att_scale', [], [1 / Math.sqrt(hs)]);

  // Embeddings.
  let itemRows;
  let head; // (hN [1,d]) -> logits [1,V]
  if (variant === 'int8') {
    const t = T('item_emb');
    if (!t.codes) throw new Error('int8 export needs the int8 model');
    const codesT = new Int8Array(V * d);
    for (let r = 0; r < V; r++) for (let k = 0; k < d; k++) codesT[k * V + r] = t.codes[r * d + k];
    g.init('item_codes_t', INT8, [d, V], codesT);
    g.f32('item_scales', [V], t.scales);
    const rowsT = g.op('Gather', ['item_codes_t', 'items'], { axis: 1 }); // [d,T] int8
    const rows = g.op('Cast', [g.op('Transpose', [rowsT], { perm: [1, 0] })], { to: FLOAT });
    const sc = g.op('Unsqueeze', [g.op('Gather', ['item_scales', 'items'], { axis: 0 }), axes1]); // [T,1]
    itemRows = g.op('Mul', [rows, sc]);
    head = (h) => {
      const [hq, hscale, hzp] = g.op('DynamicQuantizeLinear', [h], {}, 3);
      const acc = g.op('MatMulInteger', [hq, 'item_codes_t', hzp]); // [1,V] int32
      const s = g.op('Mul', [hscale, 'item_scales']); // [V]
      return g.op('Add', [g.op('Mul', [g.op('Cast', [acc], { to: FLOAT }), s]), g.f32('item_bias', [V], W('item_bias'))]);
    };
  } else {
    g.f32('item_emb', [V, d], W('item_emb'));
    itemRows = g.op('Gather', ['item_emb', 'items'], { axis: 0 });
    head = (h) => g.op('Gemm', [h, 'item_emb', g.f32('item_bias', [V], W('item_bias'))], { transB: 1 });
  }
  const act = g.op('Gather', [g.f32('action_emb', [c.num_actions, d], W('action_emb')), 'actions'], { axis: 0 });
  const tb = g.op('Gather', [g.f32('time_emb', [c.time_buckets, d], W('time_emb')), 'buckets'], { axis: 0 });
  const pos = g.op('Slice', [g.f32('pos_emb', [L, d], W('pos_emb')), zero1, len, axes0]);
  let x = g.op('Add', [g.op('Add', [itemRows, act]), g.op('Add', [tb, pos])]);

  const linear = (inp, name, out, inn) => {
    const w = g.f32(`${name}_w_t`, [inn, out], transpose(W(`${name}_w`), out, inn));
    return g.op('Add', [g.op('MatMul', [inp, w]), g.f32(`${name}_b`, [out], W(`${name}_b`))]);
  };
  const ln = (inp, gname, bname) => g.op('LayerNormalization', [inp, g.f32(gname, [d], W(gname)), g.f32(bname, [d], W(bname))],
    { axis: -1, epsilon: eps });
  const gelu = (u) => { // 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3)))
    const u3 = g.op('Mul', [g.op('Mul', [u, u]), u]);
    const inner = g.op('Mul', [g.op('Add', [u, g.op('Mul', [u3, g.f32(`gelu_c_${g.n}`, [], [0.044715])])]),
      g.f32(`gelu_k_${g.n}`, [], [Math.sqrt(2 / Math.PI)])]);
    const t = g.op('Add', [g.op('Tanh', [inner]), g.f32(`gelu_one_${g.n}`, [], [1])]);
    return g.op('Mul', [g.op('Mul', [u, t]), g.f32(`gelu_half_${g.n}`, [], [0.5])]);
  };
  const ffn = (inp, b) => {
    const hh = linear(inp, `${b}fc1`, f, d);
    return linear(c.activation === 1 ? g.op('Relu', [hh]) : gelu(hh), `${b}fc2`, d, f);
  };

  for (let l = 0; l < c.layers; l++) {
    const b = `blocks.${l}.`;
    const last = l === c.layers - 1;
    const xn = ln(x, b + 'ln1_g', b + 'ln1_b');
    const qkv = linear(xn, `${b}qkv`, 3 * d, d); // [T,3d]
    const [q, k, v] = g.op('Split', [qkv], { axis: 1 }, 3);
    const heads = (t, perm) => g.op('Transpose', [g.op('Reshape', [t, shpTHhs])], { perm });
    const kh = heads(k, [1, 2, 0]); // [H,hs,T]
    const vh = heads(v, [1, 0, 2]); // [H,T,hs]
    let qh = heads(q, [1, 0, 2]); // [H,T,hs]
    if (last) qh = g.op('Slice', [qh, minus1, big, axes1]); // newest query only: [H,1,hs]
    let s = g.op('Mul', [g.op('MatMul', [qh, kh]), scale]);
    if (!last) s = g.op('Add', [s, maskT]); // the newest token attends to every token: no mask
    const att = g.op('Softmax', [s], { axis: -1 });
    const o = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [att, vh])], { perm: [1, 0, 2] }), shpTd]);
    if (last) x = g.op('Slice', [x, minus1, big, axes0]); // [1,d]
    x = g.op('Add', [x, linear(o, `${b}proj`, d, d)]);
    x = g.op('Add', [x, ffn(ln(x, b + 'ln2_g', b + 'ln2_b'), b)]);
  }
  if (c.layers === 0) x = g.op('Slice', [x, minus1, big, axes0]);
  const hN = ln(x, 'lnf_g', 'lnf_b'); // [1,d]
  const logits = head(hN); // [1,V]
  const items = g.op('Slice', [logits, one1, big, axes1]); // ids 1..N
  const probs = g.op('Softmax', [items], { axis: -1 });
  g.nodes.push(onnx.NodeProto.create({ opType: 'TopK', input: [probs, 'k'], output: ['scores', 'indices'], name: 'topk',
    attribute: [onnx.AttributeProto.create({ name: 'axis', type: AT.INT, i: -1 })] }));

  const vi = (name, elemType, dims) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType,
    shape: { dim: dims.map((x) => (typeof x === 'string' ? { dimParam: x } : { dimValue: x })) } } } });
  const graph = onnx.GraphProto.create({
    name: `forecart_${variant}`,
    node: g.nodes,
    initializer: g.inits,
    input: [vi('items', INT64, ['T']), vi('actions', INT64, ['T']), vi('buckets', INT64, ['T']), vi('k', INT64, [1])],
    output: [vi('scores', FLOAT, [1, 'k']), vi('indices', INT64, [1, 'k'])],
  });
  const m = onnx.ModelProto.create({ irVersion: 8, producerName: 'forecart-bench', graph, opsetImport: [{ domain: '', version: 17 }] });
  return onnx.ModelProto.encode(m).finish();
}
