/**
 * Issue 5: the short version of `npm run soak` (test/soak/). Same workloads, smaller:
 * 40 processes x 100 steps across two pools with random bind/unbind/close (also with
 * random interrupts and restarts), and 1,000 open/close cycles, checking results,
 * environments, threads, interpreters and RSS growth. Issue 9: once per pool mode this
 * interpreter offers ('owngil' on 3.12+ GIL builds: the matrix's 3.13).
 */
import * as assert from 'node:assert/strict';
import type { Context, PoolMode, Python } from '../../src/core';
import { ensurePool, interpreterCount, mixedLoad, openCloseCycles, settle, startInterrupter, threadCount } from '../soak/workload';
import { getPython } from './_setup';

const MODES: PoolMode[] = ['worker', 'owngil'];

for (const mode of MODES) {
  describe(`soak, short (issue 5), mode '${mode}'`, function () {
    this.timeout(120_000);
    let py: Python;
    let pools: [string, string];
    /** A worker context of the main interpreter that counts interpreters. */
    let probe: Context;
    let interpretersBefore: number | undefined;
    const interpreters = () => interpreterCount(py, probe, [...py.contexts(pools[0]), ...py.contexts(pools[1])]);

    before(async function () {
      py = await getPython();
      // A mode this interpreter does not offer shows as pending, not passed (54.modes checks its refusal).
      if (!py.capabilities().modes.includes(mode)) this.skip();
      pools = [`soak-${mode}-a`, `soak-${mode}-b`];
      probe = py.contexts('default')[0]!;
      for (const pool of pools) await ensurePool(py, pool, 2, mode);
      interpretersBefore = await interpreters();
      if (mode === 'owngil') assert.ok(interpretersBefore !== undefined && interpretersBefore >= 5, `interpreters: ${interpretersBefore}`);
    });

    it('40 processes x 100 steps across two pools with random bind/unbind/close: all results correct, environments back to 0', async () => {
      const seed = 20261128;
      const f = await mixedLoad(py, { processes: 40, callsPerProcess: 100, pools, seed, idPrefix: `soak-short-${mode}` });
      assert.deepEqual(f.wrong, [], `seed ${seed}`);
      assert.ok(f.calls > 3000, `only ${f.calls} calls`);
      assert.ok(f.binds > 0 && f.unbinds > 0 && f.closes > 0, JSON.stringify(f));
      assert.equal(f.environmentsAfter, 0);
      assert.equal(f.processesAfter, 0);
    });

    it('the same load while contexts are interrupted and restarted at random: every fulfilled result correct, no leaks', async () => {
      await startInterrupter(py, py.contexts(pools[0])[0]!);
      const threadsBefore = threadCount();
      const seed = 20261129;
      const f = await mixedLoad(py, { processes: 40, callsPerProcess: 100, pools, seed, idPrefix: `soak-chaos-${mode}`, chaosEveryMs: 2 });
      assert.deepEqual(f.wrong, [], `seed ${seed}`);
      assert.ok(f.interrupts > 0 && f.restarts > 0, JSON.stringify(f));
      assert.equal(f.environmentsAfter, 0);
      assert.equal(f.processesAfter, 0);
      // Restarted contexts' old threads end once their interrupted calls return; an own-GIL
      // context's sub-interpreter ends with its thread, and the new one takes its place.
      const threadsAfter = await settle(threadCount, threadsBefore, 3000);
      assert.ok(threadsAfter <= threadsBefore, `threads ${threadsBefore} -> ${threadsAfter}`);
      if (interpretersBefore !== undefined) {
        // Each restart ended a sub-interpreter and made one (own-GIL), or neither (worker).
        const after = await settle(async () => (await interpreters()) ?? 0, interpretersBefore, 3000);
        assert.equal(after, interpretersBefore, `interpreters ${interpretersBefore} -> ${after} over ${f.restarts} restarts`);
      }
      console.log(`      ${f.calls} calls, ${f.interrupts} interrupts, ${f.restarts} restarts, ${f.rejected} calls rejected by them`);
    });

    it('1,000 open/run/close cycles: environments back to 0, no thread or interpreter growth, bounded RSS', async () => {
      // Warm-up so one-time allocations (code caches, pools) are not counted as growth.
      await openCloseCycles(py, 100, pools[0], 100, `warm-${mode}`);
      // 256 KiB of ballast per environment: 1,000 leaked environments would add 250 MiB.
      const f = await openCloseCycles(py, 1000, pools[0], 100, `short-${mode}`, 256 * 1024);
      assert.equal(f.environmentsAfter, 0);
      assert.ok(f.threadsAfter <= f.threadsBefore, `threads ${f.threadsBefore} -> ${f.threadsAfter}`);
      if (interpretersBefore !== undefined) assert.equal(await interpreters(), interpretersBefore);
      const first = f.samples[0]![1];
      const last = f.samples[f.samples.length - 1]![1];
      // Allow noise (allocator caches, code objects); 100 leaked environments would already exceed it.
      assert.ok(last - first < 24, `RSS ${first.toFixed(1)} -> ${last.toFixed(1)} MiB`);
      console.log(`      RSS ${first.toFixed(1)} -> ${last.toFixed(1)} MiB, slope ${f.rssSlopeKiBPer1000.toFixed(0)} KiB/1,000 cycles, threads ${f.threadsBefore} -> ${f.threadsAfter}, interpreters ${interpretersBefore ?? 'n/a'}`);
    });
  });
}
