// Shared set-up for the JS tests: the native CLI, and small models trained on real fixtures.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const cli = join(root, 'build/native/forecart');
export const fixtures = join(root, 'tests/fixtures');

const dir = mkdtempSync(join(tmpdir(), 'forecart-js-'));
const cache = new Map();

function buyFirst() {
  const file = join(dir, 'buy-first.csv');
  writeFileSync(file, '662867,2244074,1575622,buy,1511657000\n');
  return file;
}

// Trains (once per process) a tiny int8 model on a verbatim JD.com excerpt: 4 action types, real times.
export function trainedModel(name = 'jd', extra = []) {
  const key = name + extra.join(' ');
  if (cache.has(key)) return cache.get(key);
  const out = join(dir, `${name}.fcm`);
  const data = {
    jd: ['--data', join(fixtures, 'jd_train_head60.csv.gz'), '--columns', 'user=user_id,item=sku_id,action=type,time=action_time',
      '--actions', '1=view,2=purchase,3=follow,4=comment'],
    taobao: ['--data', join(fixtures, 'taobao_users200.csv'), '--columns', 'user=0,item=1,category=2,action=3,time=4', '--no-header'],
    // The Taobao excerpt after one purchase line: "buy" is action 0, "pv" the most frequent.
    'taobao-buy-first': ['--data', buyFirst(), '--data', join(fixtures, 'taobao_users200.csv'),
      '--columns', 'user=0,item=1,category=2,action=3,time=4', '--no-header'],
  }[name];
  execFileSync(cli, ['train', ...data, '--out', out, '--dim', '16', '--layers', '2', '--heads', '2', '--max-len', '8',
    '--epochs', '3', '--threads', '1', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const bytes = new Uint8Array(readFileSync(out));
  cache.set(key, { path: out, bytes });
  return { path: out, bytes };
}

export function nativePredict(modelPath, history, k = 10) {
  const file = join(dir, `history-${Math.random().toString(36).slice(2)}.json`);
  execFileSync('sh', ['-c', `cat > ${file}`], { input: JSON.stringify(history) });
  const out = execFileSync(cli, ['predict', '--model', modelPath, '--history-json', file, '-k', String(k), '--logits']);
  return JSON.parse(out.toString());
}
