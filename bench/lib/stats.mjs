// Timing helpers: warm-up, then repeated runs until a time or count budget; median and p95.

export function summarize(samples) {
  const s = Float64Array.from(samples).sort();
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1], mean };
}

// fn(i) returns a Promise or nothing; setup(i) (optional, untimed) runs before each timed call.
// Times in milliseconds (performance.now()).
export async function measure(fn, { setup, warmup = 20, warmupMs = 300, minRuns = 30, maxRuns = 1000, budgetMs = 2500 } = {}) {
  if (globalThis.process?.env?.BENCH_QUICK) [warmup, warmupMs, minRuns, budgetMs] = [5, 50, 10, Math.min(budgetMs, 300)];
  const t0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - t0 < warmupMs; i++) {
    if (setup) await setup(i);
    await fn(i);
    if (i > 10 * warmup) break;
  }
  const samples = [];
  const start = performance.now();
  let spent = 0;
  for (let i = 0; samples.length < maxRuns && (samples.length < minRuns || spent < budgetMs); i++) {
    if (setup) await setup(i);
    const a = performance.now();
    const r = fn(i);
    if (r && typeof r.then === 'function') await r;
    const b = performance.now();
    samples.push(b - a);
    spent += b - a;
    if (performance.now() - start > 6 * budgetMs && samples.length >= 10) break; // slow setup: stop anyway
  }
  return summarize(samples);
}

export const fmtMs = (ms) => (ms == null || Number.isNaN(ms) ? 'n/a' : ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 100 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`);
export const fmtBytes = (b) => (b == null ? 'n/a' : b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} KB`);
