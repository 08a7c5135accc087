/**
 * Issue 5: the short version of `npm run soak` (test/soak/). Same workloads, smaller:
 * 40 processes x 100 steps across two pools with random bind/unbind/close (also with
 * random interrupts and restarts), and 1,000 open/close cycles, checking results,
 * environments, threads and RSS growth.
 */
import * as assert from 'node:assert/strict';
import type { Python } from '../../src/core';
import { ensurePool, mixedLoad, openCloseCycles, startInterrupter, threadCount } from '../soak/workload';
import { getPython } from './_setup';

describe('soak, short (issue 5)', function () {
  this.timeout(120_000);
  let py: Python;

  before(async () => {
    py = await getPython();
    await ensurePool(py, 'soakA', 2);
    await ensurePool(py, 'soakB', 2);
  });

  it('40 processes x 100 steps across two pools with random bind/unbind/close: all results correct, environments back to 0', async () => {
    const seed = 20261128;
    const f = await mixedLoad(py, { processes: 40, callsPerProcess: 100, pools: ['soakA', 'soakB'], seed, idPrefix: 'soak-short' });
    assert.deepEqual(f.wrong, [], `seed ${seed}`);
    assert.ok(f.calls > 3000, `only ${f.calls} calls`);
    assert.ok(f.binds > 0 && f.unbinds > 0 && f.closes > 0, JSON.stringify(f));
    assert.equal(f.environmentsAfter, 0);
    assert.equal(f.processesAfter, 0);
  });

  it('the same load while contexts are interrupted and restarted at random: every fulfilled result correct, no leaks', async () => {
    await startInterrupter(py, py.contexts('soakA')[0]!);
    const threadsBefore = threadCount();
    const seed = 20261129;
    const f = await mixedLoad(py, { processes: 40, callsPerProcess: 100, pools: ['soakA', 'soakB'], seed, idPrefix: 'soak-chaos', chaosEveryMs: 2 });
    assert.deepEqual(f.wrong, [], `seed ${seed}`);
    assert.ok(f.interrupts + f.restarts > 0, JSON.stringify(f));
    assert.equal(f.environmentsAfter, 0);
    assert.equal(f.processesAfter, 0);
    // Restarted contexts' old threads end once their interrupted calls return.
    for (let i = 0; i < 300 && threadCount() > threadsBefore; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(threadCount() <= threadsBefore, `threads ${threadsBefore} -> ${threadCount()}`);
    console.log(`      ${f.calls} calls, ${f.interrupts} interrupts, ${f.restarts} restarts, ${f.rejected} calls rejected by them`);
  });

  it('1,000 open/run/close cycles: environments back to 0, no thread growth, bounded RSS', async () => {
    // Warm-up so one-time allocations (code caches, pools) are not counted as growth.
    await openCloseCycles(py, 100, 'soakA', 100, 'warm');
    // 256 KiB of ballast per environment: 1,000 leaked environments would add 250 MiB.
    const f = await openCloseCycles(py, 1000, 'soakA', 100, 'short', 256 * 1024);
    assert.equal(f.environmentsAfter, 0);
    assert.ok(f.threadsAfter <= f.threadsBefore, `threads ${f.threadsBefore} -> ${f.threadsAfter}`);
    const first = f.samples[0]![1];
    const last = f.samples[f.samples.length - 1]![1];
    // Allow noise (allocator caches, code objects); 100 leaked environments would already exceed it.
    assert.ok(last - first < 24, `RSS ${first.toFixed(1)} -> ${last.toFixed(1)} MiB`);
    console.log(`      RSS ${first.toFixed(1)} -> ${last.toFixed(1)} MiB, slope ${f.rssSlopeKiBPer1000.toFixed(0)} KiB/1,000 cycles, threads ${f.threadsBefore} -> ${f.threadsAfter}`);
  });
});
