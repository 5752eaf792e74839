// Renders bench/out/results.json: the console table, the generated blocks of docs/BENCHMARKS.md and
// docs/bench-predict.svg. docs/BENCHMARKS.md is written by hand; only the text between its markers
//   <!-- bench:NAME:begin -->  ...  <!-- bench:NAME:end -->   (each on a line of its own)
// is generated. rewriteBlocks() replaces exactly that text and throws when a block has no marker
// pair, a marker has no block, or markers are unpaired, so prose outside the markers is never touched.
import { readFileSync } from 'node:fs';

export const BENCHMARKS_MD = new URL('../../docs/BENCHMARKS.md', import.meta.url);

const PEERS = [['ort', 'onnxruntime-web fp32'], ['ort-int8', 'onnxruntime-web int8'], ['tfjs', 'tfjs-wasm fp32']];
const CASE_LABEL = { '1k': '1k (synthetic)', '24k': '24k (Video Games, trained)', '100k': '100k (synthetic)', '1m': '1M (synthetic)' };

const ms = (x) => (x == null ? 'n/a' : x < 0.1 ? x.toFixed(4) : x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const cell = (s) => (s?.median == null ? (s?.error ? `failed: ${s.error.slice(0, 80)}` : 'n/a') : `${ms(s.median)} / ${ms(s.p95)}`);
const ratio = (peer, ours) => (peer?.median && ours?.median ? `${(peer.median / ours.median).toFixed(1)}×` : '');
const mb = (b) => (b == null ? 'n/a' : b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} KB`);
const sizeRatio = (a, b) => (a && b ? `${(a / b).toFixed(1)}×` : '');
// forecart's figures for a catalogue: the shipped build, or (marked †) the 512 MB build where the shipped one cannot load it.
export function ours(w) {
  if (w?.forecart?.error && w['forecart-512m'] && !w['forecart-512m'].error) return { ...w['forecart-512m'], variant: true };
  return w?.forecart;
}
const cellMean = (s) => (s?.median == null ? cell(s) : `${cell(s)} [${ms(s.mean)}]`);
const dag = (s, yes) => (yes && s?.median != null ? `† ${cell(s)}` : cell(s));

function mainTable(r) {
  const head = ['catalogue', 'measure (ms: median / p95)', 'forecart int8 (Node)', 'forecart (Chromium)'];
  for (const [, label] of PEERS) head.push(label, '×');
  const rows = [];
  for (const cs of r.cases) {
    const w = r.warm[cs.name] ?? {}, c = r.cold?.[cs.name] ?? {}, b = r.browser?.cases?.[cs.name];
    const f = ours(w) ?? {};
    const line = (measure, ours, browserCell, peerOf, fmt = cell) => {
      const row = [CASE_LABEL[cs.name] ?? cs.name, measure, `${f.variant && ours?.median != null ? '† ' : ''}${fmt(ours)}`, browserCell ?? ''];
      for (const [rt] of PEERS) {
        const p = peerOf(rt);
        row.push(fmt(p), ratio(p, ours));
      }
      rows.push(row);
    };
    line('predict top-20 (50-event history)', f.predict, b ? cell(b.predict) : '', (rt) => w[rt]?.predict ?? w[rt]);
    line('new event + predict (49→50 events)', f.recordPredict,
      b ? cell(b.recordPredict) : '', (rt) => w[rt]?.recordPredict ?? w[rt]);
    line('new event + predict, full window [mean]', f.recordPredictFull,
      b ? cellMean(b.recordPredictFull) : '', (rt) => w[rt]?.recordPredictFull ?? w[rt], cellMean);
    if (r.cold && Object.keys(r.cold).length) {
      line('cold: import + load + 1st predict', f.variant ? c['forecart-512m'] : c.forecart, b?.cold ? `${ms(b.cold.total)} (1 sample)` : '', (rt) => c[rt]);
    }
    if (w.forecart?.error) {
      rows.push([CASE_LABEL[cs.name] ?? cs.name, 'shipped build (256 MB max)', `does not load: ${w.forecart.error.replace(/^Error: /, '').replace(/ Build with.*$/, '').slice(0, 40)}${w['forecart-512m']?.heapBytes ? ` — out of WASM memory: the load needs ${mb(w['forecart-512m'].heapBytes)}` : ''}`, '', '', '', '', '', '', '']);
    }
    if (f.heapBytes) rows.push([CASE_LABEL[cs.name] ?? cs.name, 'forecart WASM memory after load', f.heapBytes <= 16777216 ? `${mb(f.heapBytes)} (initial size)` : `${mb(f.heapBytes)} (${(f.heapBytes / cs.sizes.fcm).toFixed(1)}× file)`, '', '', '', '', '', '', '']);
    const s = cs.sizes;
    const sizeRow = [CASE_LABEL[cs.name] ?? cs.name, 'model file as loaded', mb(s.fcm), ''];
    sizeRow.push(mb(s.onnx), sizeRatio(s.onnx, s.fcm), mb(s.onnxInt8), sizeRatio(s.onnxInt8, s.fcm), mb(s.tfjs), sizeRatio(s.tfjs, s.fcm));
    rows.push(sizeRow);
  }
  const by = r.bytes;
  rows.push(['—', 'runtime shipped, raw', mb(by.forecart.raw), '', mb(by.ort.raw), sizeRatio(by.ort.raw, by.forecart.raw),
    mb(by.ort.raw), sizeRatio(by.ort.raw, by.forecart.raw), mb(by.tfjs.raw), sizeRatio(by.tfjs.raw, by.forecart.raw)]);
  rows.push(['—', 'runtime shipped, gzip -9', mb(by.forecart.gzip), '', mb(by.ort.gzip), sizeRatio(by.ort.gzip, by.forecart.gzip),
    mb(by.ort.gzip), sizeRatio(by.ort.gzip, by.forecart.gzip), mb(by.tfjs.gzip), sizeRatio(by.tfjs.gzip, by.forecart.gzip)]);
  return [head, ...rows];
}

function md(rows) {
  const [head, ...body] = rows;
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
function plain(rows) {
  const w = rows[0].map((_, i) => Math.min(46, Math.max(...rows.map((r) => String(r[i] ?? '').length))));
  const fmt = (r) => r.map((c, i) => String(c ?? '').slice(0, w[i]).padEnd(w[i])).join(' | ');
  return [fmt(rows[0]), w.map((n) => '-'.repeat(n)).join('-+-'), ...rows.slice(1).map(fmt)].join('\n');
}

function fastestPeer(w, key) {
  let best = null;
  for (const [rt, label] of PEERS) {
    const s = w?.[rt]?.[key];
    if (s?.median && (!best || s.median < best.median)) best = { ...s, label };
  }
  return best;
}

function floors(r) {
  const out = [];
  for (const name of ['24k', '100k']) {
    const w = r.warm[name];
    if (!ours(w)?.predict) continue;
    const p = fastestPeer(w, 'predict');
    const f = ours(w).predict.median;
    out.push({ what: `predict @ ${name}: forecart ≤ 1/3 of the faster peer`, ours: f, theirs: p?.median, peer: p?.label,
      ratio: p ? f / p.median : null, limit: 1 / 3 });
    const q = fastestPeer(w, 'recordPredict');
    const g = ours(w).recordPredict.median;
    out.push({ what: `1 new event + predict @ ${name}: forecart ≤ 1/10 of the faster peer`, ours: g, theirs: q?.median, peer: q?.label,
      ratio: q ? g / q.median : null, limit: 1 / 10 });
  }
  out.push({ what: 'runtime shipped (gzip): forecart ≤ 1/10 of onnxruntime-web', ours: r.bytes.forecart.gzip, theirs: r.bytes.ort.gzip,
    peer: 'onnxruntime-web', ratio: r.bytes.forecart.gzip / r.bytes.ort.gzip, limit: 1 / 10, bytes: true });
  for (const x of out) x.met = x.ratio != null && x.ratio <= x.limit;
  return out;
}

function floorLines(r) {
  return floors(r).map((x) => `- ${x.met ? 'MET   ' : 'MISSED'} ${x.what}: ${x.bytes ? mb(x.ours) : `${ms(x.ours)} ms`} vs ${x.bytes ? mb(x.theirs) : `${ms(x.theirs)} ms`} (${x.peer}) = ${x.ratio == null ? 'n/a' : x.ratio.toFixed(3)} (floor ${x.limit.toFixed(3)})`);
}

function limitTable(r) {
  const bw = r.bandwidth;
  if (!bw) return null;
  const rows = [['catalogue', 'int8 table scanned (V×d)', 'SIMD read bandwidth at that size', 'scan limit', 'forecart predict (median)',
    'predict ÷ limit', 'scan alone (`_logits`, incl. copy-out)']];
  for (const cs of r.cases) {
    const bytes = (cs.items + 1) * r.config.dim;
    const probe = bw.read.reduce((best, x) => (Math.abs(x.bytes - bytes) < Math.abs(best.bytes - bytes) ? x : best), bw.read[0]);
    const limitMs = bytes / (probe.gbps * 1e9) * 1e3;
    const f = ours(r.warm[cs.name]);
    rows.push([CASE_LABEL[cs.name] ?? cs.name, mb(bytes), `${probe.gbps.toFixed(1)} GB/s`, `${ms(limitMs)} ms`, f?.predict ? `${ms(f.predict.median)} ms` : 'n/a',
      f?.predict ? `${(f.predict.median / limitMs).toFixed(1)}×` : '', f?.logitsOnly ? `${ms(f.logitsOnly.median)} ms` : 'n/a']);
  }
  return rows;
}

function checkTable(r) {
  if (!r.check) return null;
  const rows = [['runtimes compared (same history)', 'histories', 'same top-10 set', 'same top-10 order', 'mean overlap@10', 'min overlap@10',
    'max abs Δ probability on the first\'s top-10', 'max relative Δ']];
  for (const [pair, x] of Object.entries(r.check.pairs)) {
    rows.push([pair, x.n, `${x.sameTop10}/${x.n}`, `${x.sameOrder}/${x.n}`, x.meanOverlap.toFixed(2), x.minOverlap, x.maxAbsErr.toExponential(2), `${(100 * x.maxRelErr).toFixed(3)} %`]);
  }
  return rows;
}

function chart(r) {
  const W = 760, H = 470, L = 80, R = 210, T = 50, B = 60;
  const series = [
    { name: 'forecart int8 (Node)†', color: '#d62728', pts: r.cases.map((c) => [c.items, ours(r.warm[c.name])?.predict?.median]), width: 3 },
    { name: 'forecart int8 (Chromium)', color: '#d62728', pts: r.cases.map((c) => [c.items, r.browser?.cases?.[c.name]?.predict?.median]), dash: '2 4', hollow: true },
    { name: 'onnxruntime-web fp32', color: '#1f77b4', pts: r.cases.map((c) => [c.items, r.warm[c.name]?.ort?.predict?.median]) },
    { name: 'onnxruntime-web int8', color: '#17becf', pts: r.cases.map((c) => [c.items, r.warm[c.name]?.['ort-int8']?.predict?.median]), dash: '6 3' },
    { name: 'tfjs-wasm fp32', color: '#2ca02c', pts: r.cases.map((c) => [c.items, r.warm[c.name]?.tfjs?.predict?.median]) },
  ];
  if (r.bandwidth) {
    series.push({ name: 'int8 table read limit', color: '#777', dash: '3 3', pts: r.cases.map((c) => {
      const bytes = (c.items + 1) * r.config.dim;
      const probe = r.bandwidth.read.reduce((best, x) => (Math.abs(x.bytes - bytes) < Math.abs(best.bytes - bytes) ? x : best), r.bandwidth.read[0]);
      return [c.items, bytes / (probe.gbps * 1e9) * 1e3];
    }) });
  }
  for (const s of series) s.pts = s.pts.filter(([, y]) => y > 0);
  const ys = series.flatMap((s) => s.pts.map((p) => p[1]));
  const xs = r.cases.map((c) => c.items);
  const x0 = Math.floor(Math.log10(Math.min(...xs))), x1 = Math.ceil(Math.log10(Math.max(...xs)));
  const y0 = Math.floor(Math.log10(Math.min(...ys))), y1 = Math.ceil(Math.log10(Math.max(...ys)));
  const X = (x) => L + ((Math.log10(x) - x0) / Math.max(1, x1 - x0)) * (W - L - R);
  const Y = (y) => H - B - ((Math.log10(y) - y0) / Math.max(1, y1 - y0)) * (H - T - B);
  const o = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="22" font-size="15" font-weight="bold">forecart predict latency vs catalogue size (top-20, 50-event history)</text>`,
    `<text x="${L}" y="39" fill="#555">median, single thread, log–log; ${r.env.cpu}, ${r.env.date.slice(0, 10)}</text>`];
  for (let e = x0; e <= x1; e++) {
    const x = X(10 ** e);
    o.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${H - B}" stroke="#e5e5e5"/>`,
      `<text x="${x}" y="${H - B + 18}" text-anchor="middle">${e >= 6 ? `${10 ** (e - 6)}M` : e >= 3 ? `${10 ** (e - 3)}k` : 10 ** e}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = Y(10 ** e);
    const label = e >= 3 ? `${10 ** (e - 3)} s` : e >= 0 ? `${10 ** e} ms` : `${10 ** (e + 3)} µs`;
    o.push(`<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#e5e5e5"/>`, `<text x="${L - 8}" y="${y + 4}" text-anchor="end">${label}</text>`);
  }
  o.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#999"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 18}" text-anchor="middle">catalogue items</text>`,
    `<text transform="translate(20 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">predict latency</text>`);
  series.forEach((s, i) => {
    if (s.pts.length) {
      const d = s.pts.map(([x, y], j) => `${j ? 'L' : 'M'}${X(x).toFixed(1)} ${Y(y).toFixed(1)}`).join(' ');
      o.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
      for (const [x, y] of s.pts) o.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="4" fill="${s.hollow ? '#fff' : s.color}" stroke="${s.color}" stroke-width="2"/>`);
    }
    const ly = T + 10 + i * 22;
    o.push(`<line x1="${W - R + 14}" y1="${ly}" x2="${W - R + 40}" y2="${ly}" stroke="${s.color}" stroke-width="${s.width ?? 2}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`,
      `<circle cx="${W - R + 27}" cy="${ly}" r="3.5" fill="${s.hollow ? '#fff' : s.color}" stroke="${s.color}"/>`,
      `<text x="${W - R + 46}" y="${ly + 4}">${s.name}</text>`);
  });
  if (r.cases.some((c) => ours(r.warm[c.name])?.variant)) {
    o.push(`<text x="${L}" y="${H - 4}" fill="#555" font-size="11">† 1M: the shipped 256 MB build cannot load it; same sources linked with a 512 MB WASM memory maximum.</text>`);
  }
  o.push('</svg>');
  return o.join('\n');
}

function floorText(r, scanLimit) {
  const parts = [];
  for (const c of r.cases) {
    const f = ours(r.warm[c.name]);
    const pr = fastestPeer(r.warm[c.name], 'recordPredict');
    const lim = scanLimit(c);
    if (!f?.recordPredict || !pr || lim == null) continue;
    const target = pr.median / 10;
    parts.push(target <= lim
      ? `At ${c.name === '1m' ? '1M' : c.name}, 1/10 of the peer (${ms(target)} ms) is below the time to read the int8 table once at the measured bandwidth (${ms(lim)} ms): no exact int8 full scan can meet it on this machine.`
      : `At ${c.name === '1m' ? '1M' : c.name}, 1/10 of the peer (${ms(target)} ms) is ${(target / lim).toFixed(1)}× the table-read limit (${ms(lim)} ms): it needs a scan near ${lim < 0.1 ? 'cache' : 'memory'} bandwidth plus record, softmax, top-k and the JS result in the remaining ${ms(target - lim)} ms.`);
  }
  return parts.join(' ');
}

// The "Where forecart's time goes" table: measured parts of this run.
function timeSplitTable(r, scanLimit) {
  const rows = [['catalogue', 'predict', 'scan alone (`_logits`: `q8_gemv` + copy of V floats to JS)',
    'rest of predict (softmax, top-k, action head, result)', 'record() alone (public API, one token)', 'int8 scan limit (bandwidth)',
    '1/3 of the faster peer\'s predict', '1/10 of the faster peer\'s event + predict']];
  for (const c of r.cases) {
    const f = ours(r.warm[c.name]);
    if (!f?.predict) continue;
    const pp = fastestPeer(r.warm[c.name], 'predict'), pr = fastestPeer(r.warm[c.name], 'recordPredict');
    rows.push([CASE_LABEL[c.name] ?? c.name, ms(f.predict.median), f.logitsOnly ? ms(f.logitsOnly.median) : 'n/a',
      f.logitsOnly ? ms(f.predict.median - f.logitsOnly.median) : 'n/a', ms(f.recordOnly?.median), ms(scanLimit(c)),
      pp ? ms(pp.median / 3) : 'n/a', pr ? ms(pr.median / 10) : 'n/a']);
  }
  return rows;
}

function machineTable(e) {
  const rows = [
    ['CPU', `${e.cpu} (${e.cores} cores visible${e.cpuFlags.length ? `, ${e.cpuFlags.join(', ')}` : ''}), ${e.memGB} GB RAM`],
    ['load average at the end of the run', `${e.loadavgEnd} (the machine is shared: other builds ran at the same time, so p95s are noisy)`],
    ['Node', e.node],
    ['Chromium', `${e.chromium} (Debian \`/usr/bin/chromium\`, headless, via playwright-core ${e.playwright})`],
    ['Emscripten', e.emscripten],
    ['forecart kernels', e.kernels ?? 'n/a'],
    ['onnxruntime-web', `${e.ort} (wasm EP, \`numThreads = 1\`, \`graphOptimizationLevel: 'all'\`)`],
    ['@tensorflow/tfjs-core + tfjs-backend-wasm', `${e.tfjsCore} + ${e.tfjsWasm} (\`setThreadsCount(1)\`, multithreading off, SIMD build)`],
    ['onnx-proto', `${e.onnxProto} (writes the ONNX graphs)`]];
  return ['| | |', '|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function modelLines(r) {
  const t = r.train, c = r.config;
  const items = (r.cases.find((x) => x.name === '24k')?.items ?? 23715).toLocaleString('en-US');
  return [
    `- 24k: ${items} items; \`forecart train --data Video.txt.gz ${t.args.join(' ')}\` (int8), again with \`--fp32\` for the fp32 twin; ` +
      `best epoch ${t.bestEpoch}; the int8 run took ${t.seconds?.toFixed(0)} s (video.train.json${t.trainedNow ? `; both runs ${t.trainedNow.toFixed(0)} s in this bench run` : ''})` +
      `${t.log ? `, valid HR@10 ${t.log['valid_hr@10'].toFixed(4)} / NDCG@10 ${t.log['valid_ndcg@10'].toFixed(4)}` : ''}.`,
    `- Twin check: the int8 item table is the fp32 twin's quantized (max |q·s − w| = ${t.twin.maxErrInScaleUnits.toFixed(3)} scale units, ≤ 0.5 expected): ${t.twin.same ? 'yes' : 'NO'}.`,
    `- 1k, 100k, 1M: d = ${c.dim}, ${c.layers} blocks, ${c.heads} heads, FFN ${c.ffn_dim}, max_len ${c.max_len}, ${c.time_buckets} time buckets, ${c.num_actions} action${c.num_actions === 1 ? '' : 's'}.`,
  ].join('\n');
}

// The generated blocks of docs/BENCHMARKS.md, by marker name, in page order.
export function renderBlocks(r) {
  const e = r.env;
  const bw = r.bandwidth;
  const scanLimit = (c) => {
    const bytes = (c.items + 1) * r.config.dim;
    const probe = bw?.read.reduce((best, x) => (Math.abs(x.bytes - bytes) < Math.abs(best.bytes - bytes) ? x : best), bw.read[0]);
    return probe ? bytes / (probe.gbps * 1e9) * 1e3 : null;
  };
  const lim = limitTable(r);
  const chk = checkTable(r);
  const rounds = e.rounds ?? 1;
  const windowSeen = r.cases.map((c) => ours(r.warm[c.name])?.windowSeen).filter(Boolean)[0]?.join('–') ?? 'n/a';
  const files = (list, strip) => list.map((f) => `\`${strip ? f.file.replace('node_modules/', '') : f.file}\``).join(' + ');
  return {
    run: `Last run: \`${e.command}\` (\`bench/run.mjs\`) on ${e.date}; it took ${e.seconds} s; warm measurements in ${rounds} round${rounds === 1 ? '' : 's'}.`,
    machine: machineTable(e),
    results: `${md(mainTable(r))}\n\nWindow sizes seen in forecart's full-window stream: ${windowSeen} events.`,
    floors: floorLines(r).join('\n'),
    models: modelLines(r),
    agreement: chk ? md(chk) : 'check failed (see the run log)',
    'scan-limit': [lim ? md(lim) : 'bandwidth probe failed',
      ...(bw ? [`DRAM copy bandwidth (256 MiB, bytes copied per second): WASM \`memory.copy\` ${bw.copy.wasm.gbps.toFixed(1)} GB/s, JS ` +
        `\`Uint8Array.set\` ${bw.copy.js.gbps.toFixed(1)} GB/s; SIMD read of 256 MiB ${bw.read.at(-1).gbps.toFixed(1)} GB/s.`] : [])].join('\n\n'),
    bytes: [`- forecart: ${files(r.bytes.forecart.files)}.`, `- onnxruntime-web (\`onnxruntime-web/wasm\`): ${files(r.bytes.ort.files, true)}.`,
      `- tfjs: ${files(r.bytes.tfjs.files, true)}.`].join('\n'),
    'time-split': md(timeSplitTable(r, scanLimit)),
    'floor-gap': floorText(r, scanLimit) || 'n/a',
  };
}

const MARKER = /^<!-- bench:([a-z0-9-]+):(begin|end) -->$/gm;

// The marker pairs of a page, in order: [{ name, from, to }] where page.slice(from, to) is the text
// between the end of the begin line and the start of the end line. Throws on unpaired markers.
function markerPairs(page) {
  const pairs = [];
  let open = null;
  for (const m of page.matchAll(MARKER)) {
    const [line, name, kind] = m;
    if (kind === 'begin') {
      if (open) throw new Error(`BENCHMARKS.md: ${line} inside block "${open.name}" (no end marker before it)`);
      if (pairs.some((p) => p.name === name)) throw new Error(`BENCHMARKS.md: block "${name}" appears twice`);
      open = { name, from: m.index + line.length };
    } else {
      if (!open || open.name !== name) throw new Error(`BENCHMARKS.md: ${line} without its begin marker`);
      pairs.push({ name, from: open.from, to: m.index });
      open = null;
    }
  }
  if (open) throw new Error(`BENCHMARKS.md: block "${open.name}" has no end marker`);
  return pairs;
}

// The current text of every block of a page (as rewriteBlocks writes it: a blank line on each side).
export function readBlocks(page) {
  const out = {};
  for (const { name, from, to } of markerPairs(page)) out[name] = page.slice(from, to).replace(/^\n\n/, '').replace(/\n\n$/, '');
  return out;
}

// Replaces the text between each pair of markers with blocks[name]; everything else stays byte for
// byte. Throws (naming the marker) when a block has no marker pair or a marker pair has no block.
export function rewriteBlocks(page, blocks) {
  const pairs = markerPairs(page);
  const names = new Set(pairs.map((p) => p.name));
  const missing = Object.keys(blocks).filter((n) => !names.has(n));
  if (missing.length) {
    throw new Error(`BENCHMARKS.md lacks the markers of ${missing.map((n) => `<!-- bench:${n}:begin/end -->`).join(', ')}: add them where the figures go`);
  }
  const unknown = pairs.filter((p) => !(p.name in blocks)).map((p) => p.name);
  if (unknown.length) throw new Error(`BENCHMARKS.md has markers that report.mjs does not generate: ${unknown.join(', ')}`);
  let out = '', at = 0;
  for (const { name, from, to } of pairs) {
    out += `${page.slice(at, from)}\n\n${blocks[name]}\n\n`;
    at = to;
  }
  return out + page.slice(at);
}

// Everything run.mjs and render.mjs write: markdown is `page` (default: the committed
// docs/BENCHMARKS.md) with its generated blocks rewritten.
export function renderReport(r, { page } = {}) {
  const rows = mainTable(r);
  const fl = floorLines(r);
  const lim = limitTable(r);
  const chk = checkTable(r);
  const bw = r.bandwidth;
  const table = [plain(rows), '', 'Floors:', ...fl,
    ...(lim ? ['', 'Physical limit of the int8 scan:', plain(lim)] : []),
    ...(bw ? [`DRAM copy bandwidth (256 MiB): WASM memory.copy ${bw.copy.wasm.gbps.toFixed(1)} GB/s, JS TypedArray.set ${bw.copy.js.gbps.toFixed(1)} GB/s`] : []),
    ...(chk ? ['', 'Agreement (Video model):', plain(chk)] : [])].join('\n');
  const blocks = renderBlocks(r);
  const markdown = rewriteBlocks(page ?? readFileSync(BENCHMARKS_MD, 'utf8'), blocks);
  return { table, blocks, markdown, svg: chart(r), floors: floors(r) };
}
