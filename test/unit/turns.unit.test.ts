import * as assert from 'node:assert/strict';
import { TurnBudget } from '../../src/services/turns';

/** A clock the test moves, and a "later" the test runs by hand, as the loop's check phase would. */
function harness(budgetMs: number) {
  let now = 0;
  const pending: (() => void)[] = [];
  const turns = new TurnBudget(budgetMs, () => now, (f) => pending.push(f));
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    turns,
    advance: (ms: number) => void (now += ms),
    /** Ends the current turn: runs what was scheduled for later, then lets promises settle. */
    nextTurn: async () => {
      const run = pending.splice(0);
      for (const f of run) f();
      await settle();
    },
    settle,
    scheduled: () => pending.length,
  };
}

describe('turns for bursts of commands (services/turns.ts)', () => {
  it('lets handlers in at once while the turn has budget, and the rest in later turns, in order', async () => {
    const h = harness(5);
    const entered: number[] = [];
    // Each handler costs 2 ms of the thread once it is in.
    const handler = async (k: number) => {
      await Promise.resolve(); // as after `await engine.python()`: every handler resumes in one checkpoint
      for (let w = h.turns.wait(); w; w = h.turns.wait()) await w;
      entered.push(k);
      h.advance(2);
    };
    const all = Promise.all([0, 1, 2, 3, 4, 5, 6].map(handler));
    await h.settle();
    assert.deepEqual(entered, [0, 1, 2], 'the first turn: 0, 2 and 4 ms are within 5 ms');
    assert.equal(h.turns.queued, 4);
    await h.nextTurn();
    assert.deepEqual(entered, [0, 1, 2, 3, 4, 5]);
    await h.nextTurn();
    assert.deepEqual(entered, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(h.turns.queued, 0);
    await all;
  });

  it('gives a new turn a whole budget, and schedules nothing while idle', async () => {
    const h = harness(5);
    assert.equal(h.turns.wait(), undefined);
    h.advance(10);
    assert.equal(h.scheduled(), 1, 'the turn ends from the next check phase');
    await h.nextTurn();
    assert.equal(h.scheduled(), 0, 'nothing ticks when no handler came');
    // The handler that used the last turn is gone; the next one goes straight in.
    assert.equal(h.turns.wait(), undefined);
  });

  it('never lets a handler wait forever behind a turn that is over budget', async () => {
    const h = harness(5);
    assert.equal(h.turns.wait(), undefined);
    h.advance(100); // one handler overran the budget by itself
    const w = h.turns.wait();
    assert.ok(w, 'the next one waits');
    let resolved = false;
    void w.then(() => (resolved = true));
    await h.settle();
    assert.equal(resolved, false);
    await h.nextTurn();
    assert.equal(resolved, true);
    assert.equal(h.turns.wait(), undefined, 'and goes on in the new turn');
  });
});
