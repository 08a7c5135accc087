import * as assert from 'node:assert/strict';
import { DEFAULT_CONTEXTS, getPython, uniqueId } from './_setup';

describe('contexts and pools', () => {
  it('starts the default pool with the requested size and 1-based ids', async () => {
    const py = await getPython();
    assert.equal(py.numContexts(), DEFAULT_CONTEXTS);
    assert.equal(py.numContexts('default'), DEFAULT_CONTEXTS);
    assert.deepEqual(py.contexts('default').map((c) => c.id), Array.from({ length: DEFAULT_CONTEXTS }, (_, i) => `default:${i + 1}`));
    const c2 = py.context(2);
    assert.equal(c2.pool, 'default');
    assert.equal(c2.index, 2);
    assert.equal(py.context(1), py.contexts()[0]);
    assert.ok(py.contextsStarted());
    assert.ok(py.poolStarted('default'));
  });

  it('rejects out-of-range and non-integer context indexes', async () => {
    const py = await getPython();
    assert.throws(() => py.context(0), RangeError);
    assert.throws(() => py.context(DEFAULT_CONTEXTS + 1), new RegExp(`out of range: pool 'default' has contexts 1\\.\\.${DEFAULT_CONTEXTS}`));
    assert.throws(() => py.context(1.5), TypeError);
    assert.throws(() => py.getContext('nope'), /unknown pool 'nope'/);
  });

  it('starts a named pool and routes to it', async () => {
    const py = await getPython();
    if (!py.poolStarted('io')) {
      const ctxs = await py.startPool('io', 2);
      assert.deepEqual(ctxs.map((c) => c.id), ['io:1', 'io:2']);
    }
    assert.ok(py.poolStarted('io'));
    await assert.rejects(py.startPool('io', 1), /already started/);
    const ctx = py.getContext('io');
    assert.equal(ctx.pool, 'io');
    const p = py.process(uniqueId());
    assert.equal(await p.eval('__import__("_py_contexts_native").context_id()', undefined, { context: ctx }), ctx.id);
    await p.close();
  });

  it('each context is its own OS thread', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const ids = new Set<unknown>();
    for (const ctx of py.contexts()) ids.add(await p.eval('__import__("threading").get_native_id()', undefined, { context: ctx }));
    assert.equal(ids.size, py.numContexts());
    await p.close();
  });

  it('routes to the least busy context', async () => {
    const py = await getPython();
    const busy = py.process(uniqueId());
    const c1 = py.context(1);
    const running = busy.run('import time\nfor _ in range(40): time.sleep(0.005)', { context: c1 });
    // Any idle context but the busy one (ties rotate when there are several).
    for (let i = 0; i < 4; i++) assert.notEqual(py.getContext().id, 'default:1');
    await running;
    await busy.close();
  });

  it('counts calls, queue and environments in stats()', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const before = ctx.stats();
    const a = py.process(uniqueId());
    const b = py.process(uniqueId());
    const slow = a.run('import time; time.sleep(0.5)', { context: ctx });
    const queued = b.run('1', { context: ctx });
    for (let i = 0; i < 200 && !ctx.stats().busy; i++) await new Promise((r) => setTimeout(r, 5));
    const mid = ctx.stats();
    assert.equal(mid.busy, true);
    assert.equal(mid.queued, 1);
    assert.ok(mid.busyForMs >= 0);
    await Promise.all([slow, queued]);
    const after = ctx.stats();
    assert.equal(after.busy, false);
    assert.equal(after.queued, 0);
    assert.equal(after.calls - before.calls, 2);
    assert.equal(after.environments - before.environments, 2);
    await a.close();
    await b.close();
    assert.equal(ctx.stats().environments, before.environments);
  });

  it('interrupt() on an idle context is a no-op', async () => {
    const py = await getPython();
    const ctx = py.context(2);
    ctx.interrupt();
    const p = py.process(uniqueId());
    assert.equal(await p.run('2 + 2', { context: ctx }), 4);
    await p.close();
  });
});
