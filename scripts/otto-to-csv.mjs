#!/usr/bin/env node
// Converts OTTO RecSys sessions (JSON Lines, plain or .gz) to the CSV the forecart readers guess columns from:
//   {"session":1,"events":[{"aid":2,"ts":1659304800025,"type":"clicks"}, ...]}  ->  session,aid,ts,type
// ts stays in milliseconds (the reader treats values > 1e11 as ms). Node built-ins only.
// Usage: node scripts/otto-to-csv.mjs IN.jsonl[.gz] OUT.csv
import { createReadStream, createWriteStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { once } from 'node:events';

function fail(msg) {
  process.stderr.write(`otto-to-csv: ${msg}\n`);
  process.exit(1);
}

const [input, output] = process.argv.slice(2);
if (!input || !output || process.argv.length !== 4) fail('usage: node scripts/otto-to-csv.mjs IN.jsonl[.gz] OUT.csv');

// Ids and times are integers and types a fixed vocabulary, so a value that is not one would corrupt the CSV.
const TYPES = new Set(['clicks', 'carts', 'orders']);
const isInt = (v) => Number.isSafeInteger(v) && v >= 0;

async function main() {
  let source = createReadStream(input);
  source.on('error', (e) => fail(`cannot read ${input}: ${e.message}`));
  if (input.endsWith('.gz')) {
    const gunzip = createGunzip();
    gunzip.on('error', (e) => fail(`cannot decompress ${input}: ${e.message}`));
    source = source.pipe(gunzip);
  }
  const out = createWriteStream(output);
  out.on('error', (e) => fail(`cannot write ${output}: ${e.message}`));
  const write = async (s) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('session,aid,ts,type\n');

  let lineNo = 0;
  let sessions = 0;
  let events = 0;
  for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
    ++lineNo;
    if (line.trim() === '') continue;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      fail(`${input}:${lineNo}: invalid JSON: ${e.message}`);
    }
    if (!rec || !isInt(rec.session) || !Array.isArray(rec.events)) {
      fail(`${input}:${lineNo}: expected {"session": int, "events": [...]}`);
    }
    let chunk = '';
    for (const ev of rec.events) {
      if (!ev || !isInt(ev.aid) || !isInt(ev.ts) || !TYPES.has(ev.type)) {
        fail(`${input}:${lineNo}: bad event ${JSON.stringify(ev)}`);
      }
      chunk += `${rec.session},${ev.aid},${ev.ts},${ev.type}\n`;
      ++events;
    }
    ++sessions;
    await write(chunk);
  }
  out.end();
  await once(out, 'finish');
  process.stderr.write(`otto-to-csv: ${sessions} sessions, ${events} events -> ${output}\n`);
}

main().catch((e) => fail(e.message));
