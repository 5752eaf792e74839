// predict({explain: true}).actionExplanation (Node entry): the window's events, newest first, each with
// the drop in every next-action probability when that event is left out; and the empty history's
// next-action probabilities, which are the marginal stored in the model file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

import { Forecart } from '../../web/node.js';
import { cli, trainedModel } from './helpers.mjs';

const key = (e) => `${e.item}|${e.action}|${e.time}`;

// A shopper-like history longer than the models' window (max_len 8), so that the window slides: items
// of the catalogue, every action type, real minute gaps and one id the model does not know.
function history(fc, n) {
  const catalogue = fc.catalogue();
  const t0 = Date.now() - 6 * 3_600_000;
  return Array.from({ length: n }, (_, i) => ({
    item: i === 5 ? 'not-in-catalogue' : catalogue[(i * 7) % catalogue.length],
    action: fc.actions[(i * 3) % fc.actions.length],
    time: t0 + i * 97_000,
  }));
}

for (const name of ['jd', 'taobao']) {
  test(`${name}: actionExplanation is newest first, one entry per window event, impacts summing to ~0`, async () => {
    const fc = await Forecart.load(trainedModel(name).bytes);
    const { actions } = fc;
    assert.ok(actions.length >= 2);
    const events = history(fc, 2 * fc.info.maxLen + 3);
    assert.equal(fc.predict({ k: 3 }).actionExplanation, undefined, 'only with explain: true');
    let slid = false;
    for (let n = 1; n <= events.length; n++) {
      await fc.record(events[n - 1]);
      const plain = fc.predict({ k: 3 });
      const r = fc.predict({ k: 3, explain: true });
      const W = fc._native._window(); // the events the model attends to now
      assert.ok(W >= 1 && W <= Math.min(n, fc.info.maxLen), `window ${W} after ${n} events`);
      if (W < n) slid = true;
      const ex = r.actionExplanation;
      assert.equal(ex.length, W, `one entry per window event after ${n} events`);
      // Newest first: exactly the last W recorded events, reversed.
      assert.deepEqual(ex.map(key), events.slice(n - W, n).reverse().map(key));
      for (let j = 1; j < ex.length; j++) assert.ok(ex[j - 1].time >= ex[j].time);
      // The items' explanations are over the same window.
      for (const item of r.items) assert.deepEqual(new Set(item.explanation.map(key)), new Set(ex.map(key)));
      // explain does not change the prediction.
      assert.deepEqual(r.actions, plain.actions);
      for (const e of ex) {
        assert.deepEqual(Object.keys(e.impact).sort(), [...actions].sort());
        let sum = 0;
        for (const a of actions) {
          const d = e.impact[a];
          assert.ok(Number.isFinite(d) && d >= -1 && d <= 1, `impact ${a} = ${d}`);
          // A drop is P(with) - P(without): at most the probability it starts from.
          assert.ok(d <= r.actions[a] + 1e-6, `${a}: drop ${d} > P ${r.actions[a]}`);
          sum += d;
        }
        // Both distributions sum to 1, so the drops sum to 0 (float32 probabilities).
        assert.ok(Math.abs(sum) < 1e-5, `impacts of ${key(e)} sum to ${sum} after ${n} events`);
      }
      // Leaving out the newest event of a window that has not slid is the history one event shorter
      // (with no event left: the empty history's probabilities).
      if (W === n) {
        const shorter = await Forecart.load(trainedModel(name).bytes);
        for (const e of events.slice(0, n - 1)) await shorter.record(e);
        const without = shorter.predict({ k: 1 }).actions;
        shorter.dispose();
        for (const a of actions) {
          const d = r.actions[a] - without[a];
          assert.ok(Math.abs(ex[0].impact[a] - d) < 1e-5, `${a}: newest event's impact ${ex[0].impact[a]}, recomputed ${d}`);
        }
      }
    }
    assert.ok(slid, 'the window slid at least once');
    fc.dispose();
  });
}

test('an empty history predicts the next-action marginal stored in the file (forecart inspect --json)', async () => {
  for (const name of ['jd', 'taobao']) {
    const { path, bytes } = trainedModel(name);
    const marginal = JSON.parse(execFileSync(cli, ['inspect', '--json', path]).toString()).action_head?.marginal;
    assert.ok(marginal, `${name}: inspect --json prints action_head.marginal`);
    const fc = await Forecart.load(bytes);
    const empty = fc.predict({ k: 1 });
    assert.equal(empty.fromPopularity, true);
    assert.deepEqual(Object.keys(empty.actions).sort(), Object.keys(marginal).sort());
    for (const [a, p] of Object.entries(marginal)) assert.ok(Math.abs(empty.actions[a] - p) < 1e-6, `${name} ${a}: ${empty.actions[a]} vs ${p}`);
    fc.dispose();
  }
});
