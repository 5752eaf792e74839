// Re-renders docs/BENCHMARKS.md and docs/bench-predict.svg from bench/out/results.json (no measuring):
//   node bench/render.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { renderReport } from './lib/report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const r = JSON.parse(readFileSync(`${root}bench/out/results.json`, 'utf8'));
const { table, markdown, svg } = renderReport(r);
console.log(table);
writeFileSync(`${root}docs/BENCHMARKS.md`, markdown);
writeFileSync(`${root}docs/bench-predict.svg`, svg);
