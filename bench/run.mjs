#!/usr/bin/env node
// `npm run bench`: forecart vs onnxruntime-web vs tfjs-wasm, on one machine in one run.
//
//  1. models: the Video Games model (23,715 items) trained with `forecart train` (int8 + its fp32
//     twin, same seed) unless bench/models/video.fcm exists; synthetic 1k/100k/1M catalogues with
//     random weights and the same config, written by `forecart synth --like video.fcm` (int8 + fp32
//     twin, same seed). Peers' models exported from the .fcm files (read by lib/fcm.mjs): ONNX
//     (onnx-proto; fp32 + int8 head) and TF.js weights. Agreement check of the top-10.
//  2. warm timings (one process per runtime and catalogue, single-threaded), cold starts (one
//     fresh process per sample), bytes shipped.
//  3. forecart in headless Chromium (24k and 100k).
//  4. one table with ratios, docs/BENCHMARKS.md, docs/bench-predict.svg.
//  5. a memory-bandwidth probe: the int8-table scan's physical limit.
//
// Options: --quick (fewer samples), --no-build (use dist/ as it is), --skip-browser, --skip-cold,
//          --sizes 1k,24k,100k,1m
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

import { parseFcm } from './lib/fcm.mjs';
import { exportOnnx } from './lib/onnx-export.mjs';
import { summarize } from './lib/stats.mjs';
import { saveTfjsWeights } from './lib/tfjs-weights.mjs';
import { renderReport } from './lib/report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = join(root, 'bench');
const modelsDir = join(benchDir, 'models');
const outDir = join(benchDir, 'out');
mkdirSync(modelsDir, { recursive: true });
mkdirSync(outDir, { recursive: true });

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const QUICK = flag('--quick');
const SIZES = opt('--sizes', '1k,24k,100k,1m').split(',');
const started = Date.now();
const log = (...a) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s]`, ...a);

// The training config of the Video model (stated in docs/BENCHMARKS.md). --no-evidence: the peers'
// exports compute the transformer and the catalogue scan, so the model is trained without the
// evidence terms (model/evidence.h) that they do not implement, and all of them rank alike.
const VIDEO_DATA = '/work/shared/data/amazon_video_games_sasrec/Video.txt.gz';
const TRAIN_ARGS = ['--epochs', '8', '--dim', '64', '--layers', '2', '--heads', '2', '--max-len', '50', '--threads', '2', '--seed', '1', '--no-evidence'];
const cli = join(root, 'build/native/forecart');

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}
function runNode(args, { timeoutMs = 600_000, env } = {}) {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20,
    env: { ...process.env, ...env } });
  return { ok: r.status === 0, status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const fileSize = (p) => statSync(p).size;

// ---------------------------------------------------------------------------------------------
// 0. Build what we measure.
if (!flag('--no-build')) {
  log('building the WASM module (scripts/build-wasm.sh)');
  try {
    const r = spawnSync('bash', ['scripts/build-wasm.sh'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr.split('\n').slice(-8).join('\n'));
    log(r.stderr.trim().split('\n').pop());
  } catch (err) {
    if (!existsSync(join(root, 'dist/forecart.wasm'))) throw err;
    log(`WARNING: build-wasm.sh failed, measuring the existing dist/ (${err.message})`);
  }
}
// The native CLI trains the Video model and writes the synthetic ones (`forecart synth`): rebuilt
// (incrementally) unless --no-build, so that the synthetic models follow the current .fcm writer.
if (!flag('--no-build') || !existsSync(cli)) {
  log('building the native CLI');
  sh('cmake', ['--preset', 'native'], { stdio: 'inherit' });
  sh('cmake', ['--build', '--preset', 'native', '--target', 'forecart'], { stdio: 'inherit' });
}

// ---------------------------------------------------------------------------------------------
// 1. Models.
const video = join(modelsDir, 'video.fcm'), videoFp32 = join(modelsDir, 'video-fp32.fcm');
let trainSeconds = null;
for (const [path, extra] of [[video, []], [videoFp32, ['--fp32']]]) {
  if (existsSync(path)) continue;
  log(`training ${path} (forecart train ${TRAIN_ARGS.join(' ')} ${extra.join(' ')})`);
  const t = Date.now();
  execFileSync(cli, ['train', '--data', VIDEO_DATA, '--out', path, ...TRAIN_ARGS, ...extra], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  trainSeconds = (trainSeconds ?? 0) + (Date.now() - t) / 1000;
}
const trainLog = JSON.parse(readFileSync(join(modelsDir, 'video.train.json'), 'utf8'));
const videoInt8 = parseFcm(new Uint8Array(readFileSync(video)));
const videoTwin = parseFcm(new Uint8Array(readFileSync(videoFp32)));
// Same training run? The int8 table must be the fp32 twin's table quantized (|diff| <= scale/2 per row).
const twin = (() => {
  const q = videoInt8.tensors.get('item_emb'), f = videoTwin.tensors.get('item_emb').f32;
  let worst = 0;
  for (let r = 0; r < q.rows; r++) for (let c = 0; c < q.cols; c++) {
    const i = r * q.cols + c;
    worst = Math.max(worst, Math.abs(q.scales[r] * q.codes[i] - f[i]) / Math.max(q.scales[r], 1e-30));
  }
  return { maxErrInScaleUnits: worst, same: worst <= 0.5 + 1e-3 };
})();
if (!twin.same) log(`WARNING: video-fp32.fcm is not the fp32 twin of video.fcm (max |diff| ${twin.maxErrInScaleUnits} scale units)`);
const baseConfig = { ...videoInt8.config, actions: videoInt8.actions };
delete baseConfig.quantized;

const CASES = [
  { name: '1k', items: 1000 }, { name: '24k', items: videoInt8.config.num_items, real: true },
  { name: '100k', items: 100_000 }, { name: '1m', items: 1_000_000 },
].filter((c) => SIZES.includes(c.name));
const srcStamp = Math.max(mtime(join(benchDir, 'lib/fcm.mjs')), mtime(join(benchDir, 'lib/onnx-export.mjs')), mtime(join(benchDir, 'lib/tfjs-weights.mjs')));
const SYNTH_SEED = '7';
// A synthetic model: random weights with the Video model's config and action names, `items` items
// (ids synth-1..synth-N). Written to a temporary file and moved onto `path` only when its bytes
// differ (same CLI, same bytes), so that an unchanged model keeps its mtime and its exports.
function synth(path, items, fp32) {
  const args = ['synth', '--like', video, '--items', String(items), '--seed', SYNTH_SEED, ...(fp32 ? ['--fp32'] : [])];
  const tmp = `${path}.new`;
  try {
    sh(cli, [...args, '--out', tmp]);
  } catch (err) {
    throw new Error(`forecart ${args.join(' ')} failed: ${(err.stderr || err.message).trim()}`);
  }
  if (existsSync(path) && readFileSync(path).equals(readFileSync(tmp))) rmSync(tmp);
  else {
    log(`  wrote ${path} (forecart ${args.join(' ')})`);
    renameSync(tmp, path);
  }
}

for (const cs of CASES) {
  const base = cs.real ? 'video' : `synth-${cs.name}`;
  cs.fcm = join(modelsDir, `${base}.fcm`);
  cs.fcmFp32 = join(modelsDir, `${base}-fp32.fcm`);
  cs.onnx = join(modelsDir, `${base}.onnx`);
  cs.onnxInt8 = join(modelsDir, `${base}-int8.onnx`);
  cs.tfjs = join(modelsDir, `${base}.tfjs.json`);
  if (!cs.real) {
    log(`synthetic ${cs.name} models (random weights, Video model config): forecart synth`);
    synth(cs.fcm, cs.items, false);
    synth(cs.fcmFp32, cs.items, true);
  }
  const fresh = (p) => mtime(p) > Math.max(mtime(cs.fcm), mtime(cs.fcmFp32), srcStamp);
  if (!fresh(cs.onnx) || !fresh(cs.onnxInt8) || !fresh(cs.tfjs)) {
    log(`exporting ${cs.name} to ONNX (fp32, int8) and TF.js weights`);
    const fp32 = cs.real ? videoTwin : parseFcm(new Uint8Array(readFileSync(cs.fcmFp32)));
    writeFileSync(cs.onnx, exportOnnx(fp32, { variant: 'fp32' }));
    saveTfjsWeights(fp32, cs.tfjs);
    const int8 = cs.real ? videoInt8 : parseFcm(new Uint8Array(readFileSync(cs.fcm)));
    writeFileSync(cs.onnxInt8, exportOnnx(int8, { variant: 'int8' }));
  }
  cs.sizes = {
    fcm: fileSize(cs.fcm), fcmFp32: fileSize(cs.fcmFp32), onnx: fileSize(cs.onnx), onnxInt8: fileSize(cs.onnxInt8),
    tfjs: fileSize(cs.tfjs) + fileSize(cs.tfjs.replace(/\.json$/, '.bin')),
  };
}

// Histories. Video: real shoppers from the data set (SASRec text has no times: events are given
// synthetic times a few minutes to hours apart). Synthetic catalogues: random items.
const userSeqs = (() => {
  const lines = gunzipSync(readFileSync(VIDEO_DATA)).toString('utf8').split('\n');
  const m = new Map();
  for (const l of lines) {
    const [u, i] = l.trim().split(/\s+/);
    if (!i) continue;
    if (!m.has(u)) m.set(u, []);
    m.get(u).push(i);
  }
  return [...m.values()];
})();
const nowS = Math.floor(Date.now() / 1000) - 3 * 86400;
function withTimes(items, seed) {
  let t = nowS, s = seed;
  return items.map((e) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    t += 20 + (s % 10800);
    return { ...e, action: baseConfig.actions[0], actionIndex: 0, time: t };
  });
}
const videoIndex = new Map(videoInt8.itemIds.map((id, i) => [id, i + 1]));
const videoHist = (seq, n, seed) => withTimes(seq.slice(-n).map((id) => ({ item: id, index: videoIndex.get(id) })), seed);
const longUsers = userSeqs.filter((s) => s.length >= 51);
for (const cs of CASES) {
  if (cs.real) {
    cs.history = videoHist(longUsers[0], 51, 1);
    cs.checkHistories = [...longUsers.slice(1, 17).map((s, i) => videoHist(s, 50, i + 2)),
      ...userSeqs.filter((s) => s.length >= 5 && s.length <= 20).slice(0, 8).map((s, i) => videoHist(s, s.length, i + 50))];
  } else {
    let s = 12345;
    const ev = [];
    for (let i = 0; i < 51; i++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const index = 1 + (s % cs.items);
      ev.push({ item: `synth-${index}`, index });
    }
    cs.history = withTimes(ev, 3);
  }
  cs.config = baseConfig;
  cs.caseFile = join(outDir, `case-${cs.name}.json`);
  writeFileSync(cs.caseFile, JSON.stringify(cs));
}

// ---------------------------------------------------------------------------------------------
// Agreement check (Video model).
let check = null;
const videoCase = CASES.find((c) => c.real);
if (videoCase) {
  log('agreement check: top-10 of forecart int8/fp32, onnxruntime-web fp32/int8, tfjs fp32 on real histories');
  const r = runNode([join(benchDir, 'check.mjs'), videoCase.caseFile, join(outDir, 'check.json')]);
  if (r.ok) check = JSON.parse(readFileSync(join(outDir, 'check.json'), 'utf8'));
  else log(`check failed: ${r.stderr.slice(-2000)}`);
}

// ---------------------------------------------------------------------------------------------
// Memory bandwidth (step 5).
log('memory-bandwidth probe');
let bandwidth = null;
try {
  const wasmProbe = join(outDir, 'bwprobe.wasm');
  sh('wat2wasm', [join(benchDir, 'bwprobe.wat'), '-o', wasmProbe]);
  const tableBytes = CASES.map((c) => (c.items + 1) * baseConfig.dim);
  const r = runNode([join(benchDir, 'bandwidth.mjs'), wasmProbe, join(outDir, 'bandwidth.json'), ...tableBytes.map(String)]);
  if (!r.ok) throw new Error(r.stderr.slice(-1000));
  bandwidth = JSON.parse(readFileSync(join(outDir, 'bandwidth.json'), 'utf8'));
} catch (err) {
  log(`bandwidth probe failed: ${err.message}`);
}

// ---------------------------------------------------------------------------------------------
// Warm timings.
const RUNTIMES = ['forecart', 'ort', 'ort-int8', 'tfjs'];
let warmRound = 0;
const VARIANT_DIR = join(outDir, 'wasm-512m');
let variantBuilt = null;
// The shipped sources linked with a 512 MB instead of 256 MB WASM memory maximum (only used where the
// shipped build cannot load a catalogue), built in bench/out/wasm-512m.
function buildVariant() {
  if (variantBuilt !== null) return variantBuilt;
  log('building the 512 MB-max-memory variant of forecart.wasm in bench/out/wasm-512m (same sources)');
  const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };
  const cfg = spawnSync('cmake', ['-S', root, '-B', VARIANT_DIR, '-G', 'Unix Makefiles',
    '-DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake', '-DCMAKE_BUILD_TYPE=Release',
    '-DFORECART_TESTS=OFF', '-DFORECART_WASM_MAX_MEMORY=536870912'], { cwd: root, encoding: 'utf8', env });
  const bld = cfg.status === 0 && spawnSync('cmake', ['--build', VARIANT_DIR, '--target', 'forecart_wasm', '-j', '2'], { cwd: root, encoding: 'utf8', env });
  variantBuilt = !!bld && bld.status === 0 && existsSync(join(VARIANT_DIR, 'dist/forecart.wasm'));
  if (!variantBuilt) log(`variant build failed: ${(cfg.stderr || '') + (bld?.stderr || '')}`.slice(-1500));
  return variantBuilt;
}
function measureWarm(rt, cs) {
  log(`warm: ${rt} @ ${cs.name}${ROUNDS > 1 ? ' (round ' + (warmRound + 1) + ')' : ''}`);
  const out = join(outDir, `warm-${rt}-${cs.name}.json`);
  const r = runNode([join(benchDir, 'measure.mjs'), rt, cs.caseFile, out], { env: QUICK ? { BENCH_QUICK: '1' } : {} });
  if (r.ok) return JSON.parse(readFileSync(out, 'utf8'));
  const msg = (r.stderr.match(/(RangeError|Error|Aborted)[^\n]*/g) || [r.signal || `exit ${r.status}`]).slice(-1)[0];
  log(`  failed: ${msg.slice(0, 300)}`);
  return { error: msg.slice(0, 300) };
}
// Two rounds (the second in reverse order); for each measure the round with the lower median is
// kept (with its own p95): the machine is shared, and a burst of someone else's work should not
// decide a figure. Both medians are kept in results.json (roundMedians).
// One round only when training under load already used most of the 20-minute budget of a first run.
const ROUNDS = QUICK || Date.now() - started > 11 * 60_000 ? 1 : 2;
if (!QUICK && ROUNDS === 1) log('more than 11 minutes spent already: one round of warm timings');
const warm = {};
const order = [];
for (const cs of CASES) for (const rt of RUNTIMES) order.push([cs, rt]);
function merge(a, b) {
  if (!a || a.error) return b;
  if (!b || b.error) return a;
  const out = { ...a, roundMedians: {} };
  for (const [k, v] of Object.entries(a)) {
    if (v && typeof v === 'object' && typeof v.median === 'number' && b[k]?.median != null) {
      out[k] = b[k].median < v.median ? b[k] : v;
      out.roundMedians[k] = [v.median, b[k].median];
    }
  }
  return out;
}
for (let round = 0; round < ROUNDS; round++) {
  warmRound = round;
  const seq = round % 2 ? [...order].reverse() : order;
  for (const [cs, rt] of seq) {
    warm[cs.name] ??= {};
    warm[cs.name][rt] = merge(warm[cs.name][rt], measureWarm(rt, cs));
    if (rt === 'forecart' && warm[cs.name].forecart.error && buildVariant()) {
      warm[cs.name]['forecart-512m'] = merge(warm[cs.name]['forecart-512m'], measureWarm('forecart-512m', cs));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Cold starts: import + load + first prediction, each sample in a fresh process.
const cold = {};
if (!flag('--skip-cold')) {
  for (const cs of CASES) {
    cold[cs.name] = {};
    const reps = QUICK ? 2 : cs.items >= 1e6 ? 3 : 5;
    for (const rt of Object.keys(warm[cs.name])) {
      if (warm[cs.name][rt]?.error) {
        cold[cs.name][rt] = { error: warm[cs.name][rt].error };
        continue;
      }
      log(`cold: ${rt} @ ${cs.name} x${reps}`);
      const samples = [];
      let last;
      for (let i = 0; i < reps; i++) {
        const r = runNode([join(benchDir, 'cold.mjs'), rt, cs.caseFile], { timeoutMs: 300_000 });
        if (!r.ok) {
          last = { error: (r.stderr.split('\n').filter(Boolean).pop() || `exit ${r.status}`).slice(0, 300) };
          break;
        }
        last = JSON.parse(r.stdout.trim().split('\n').pop());
        samples.push(last);
      }
      cold[cs.name][rt] = samples.length
        ? { ...summarize(samples.map((s) => s.total)), import: summarize(samples.map((s) => s.import)).median,
          load: summarize(samples.map((s) => s.load)).median, first: summarize(samples.map((s) => s.first)).median }
        : last;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Browser (forecart only): predict and event + predict in headless Chromium.
let browser = null;
if (!flag('--skip-browser')) {
  const cases = CASES.filter((c) => c.name === '24k' || c.name === '100k');
  log(`browser: forecart in headless Chromium @ ${cases.map((c) => c.name).join(', ')}`);
  const r = runNode([join(benchDir, 'browser.mjs'), join(outDir, 'browser.json'), ...cases.map((c) => c.caseFile)], { timeoutMs: 300_000 });
  if (r.ok) browser = JSON.parse(readFileSync(join(outDir, 'browser.json'), 'utf8'));
  else {
    log(`browser run failed: ${r.stderr.slice(-1500)}`);
    browser = { error: (r.stderr.split('\n').filter(Boolean).pop() || 'failed').slice(0, 300) };
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes shipped: what a page downloads to run each runtime (raw and gzip -9).
function shipped(files) {
  let raw = 0, gz = 0;
  const list = [];
  for (const f of files) {
    const b = readFileSync(join(root, f));
    const g = gzipSync(b, { level: 9 }).length;
    raw += b.length;
    gz += g;
    list.push({ file: f, raw: b.length, gzip: g });
  }
  return { raw, gzip: gz, files: list };
}
const bytes = {
  forecart: shipped(['dist/forecart.wasm', 'dist/forecart.mjs', 'web/index.js', 'web/core.js', 'web/loader.js', 'web/errors.js', 'web/history.js', 'web/simd.js']),
  ort: shipped(['node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm', 'node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs']),
  tfjs: shipped(['node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    'node_modules/@tensorflow/tfjs-core/dist/tf-core.fesm.min.js', 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.fesm.min.js']),
};

// ---------------------------------------------------------------------------------------------
// Machine and versions.
const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const pkgVersion = (p) => JSON.parse(readFileSync(join(root, 'node_modules', p, 'package.json'), 'utf8')).version;
const tryRun = (cmd, args) => { try { return sh(cmd, args, { env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } }).split('\n')[0].trim(); } catch { return 'n/a'; } };
const env = {
  cpu: (cpuinfo.match(/model name\s*:\s*(.*)/) || [, 'unknown'])[1],
  cores: cpus().length,
  cpuFlags: ['avx2', 'avx512f', 'avx512_vnni'].filter((f) => new RegExp(`\\b${f}\\b`).test(cpuinfo)),
  memGB: Math.round(totalmem() / 2 ** 30),
  loadavgEnd: loadavg().map((x) => x.toFixed(2)).join(' '),
  node: process.version,
  chromium: browser?.version ?? tryRun('/usr/bin/chromium', ['--version']),
  emscripten: tryRun('emcc', ['--version']),
  ort: pkgVersion('onnxruntime-web'),
  tfjsCore: pkgVersion('@tensorflow/tfjs-core'),
  tfjsWasm: pkgVersion('@tensorflow/tfjs-backend-wasm'),
  onnxProto: pkgVersion('onnx-proto'),
  playwright: pkgVersion('playwright-core'),
  kernels: warm[CASES[0].name]?.forecart?.kernels,
  date: new Date().toISOString(),
  rounds: ROUNDS,
  command: `npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}`,
  seconds: Math.round((Date.now() - started) / 1000),
};

const results = { env, cases: CASES.map(({ history, checkHistories, config, ...c }) => c), train: { args: TRAIN_ARGS, data: VIDEO_DATA,
  bestEpoch: trainLog.best_epoch, seconds: trainLog.seconds, trainedNow: trainSeconds, log: trainLog.epochs?.at(-1), twin },
check, warm, cold, browser, bytes, bandwidth, config: baseConfig };
writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 1));
const { table, markdown, svg } = renderReport(results);
console.log(table);
writeFileSync(join(root, 'docs/BENCHMARKS.md'), markdown);
writeFileSync(join(root, 'docs/bench-predict.svg'), svg);
log(`wrote docs/BENCHMARKS.md, docs/bench-predict.svg and bench/out/results.json (${env.seconds}s)`);
