import * as assert from 'node:assert/strict';
import { PythonError, TimeoutError } from '../../src/core';
import { getPython, uniqueId, until } from './_setup';

describe('interrupts and timeouts', () => {
  it('interrupts while True: pass, and the context still works', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const p = py.process(uniqueId());
    const looping = p.run('while True: pass', { context: ctx });
    await until(() => ctx.stats().busy);
    ctx.interrupt();
    const err = await looping.catch((e: unknown) => e);
    assert.ok(err instanceof PythonError);
    assert.equal(err.type, 'KeyboardInterrupt');
    assert.equal(await p.run('21 * 2', { context: ctx }), 42);
    await p.close();
  });

  it('interrupts a sleeping call promptly', async () => {
    const py = await getPython();
    const ctx = py.context(2);
    const p = py.process(uniqueId());
    const sleeping = p.run('import time\ntime.sleep(60)', { context: ctx });
    await until(() => ctx.stats().busy);
    ctx.interrupt();
    await assert.rejects(sleeping, /KeyboardInterrupt/);
    assert.equal(await p.run('"awake"', { context: ctx }), 'awake');
    await p.close();
  });

  it('never lets an interrupt leak into the next call', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const p = py.process(uniqueId());
    for (let i = 0; i < 30; i++) {
      const r = p.run('sum(range(2000))', { context: ctx });
      ctx.interrupt(); // may land during, or after the call: never in the next one
      await r.catch(() => undefined);
      assert.equal(await p.run('x = 0\nfor j in range(20000):\n    x += j\nx', { context: ctx }), 199990000);
    }
    await p.close();
  });

  it('rejects with TimeoutError and interrupts the code', async () => {
    const py = await getPython();
    const ctx = py.context(2);
    const p = py.process(uniqueId());
    const err = await p.run('while True: pass', { context: ctx, timeoutMs: 100 }).catch((e: unknown) => e);
    assert.ok(err instanceof TimeoutError);
    assert.equal(err.name, 'TimeoutError');
    assert.equal(await p.run('"next"', { context: ctx }), 'next');
    assert.equal(ctx.stats().busy, false);
    await p.close();
  });

  it('a queued call that times out never runs', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const p = py.process(uniqueId());
    const first = p.run('import time\ntime.sleep(0.3)', { context: ctx });
    const second = p.exec('ran = True', { context: ctx, timeoutMs: 50 });
    await assert.rejects(second, TimeoutError);
    await first;
    assert.equal(await p.run('"ran" in dir()', { context: ctx }), false);
    await p.close();
  });

  it('restarts a context: running and queued calls reject, new calls work, environments are dropped', async () => {
    const py = await getPython();
    const ctx = py.context(2);
    const p = py.process(uniqueId());
    p.bind(ctx);
    await p.exec('keep = 1');
    const running = p.run('while True: pass');
    const queued = p.run('1');
    await until(() => ctx.stats().busy);
    await py.restartContext(ctx);
    await assert.rejects(running, /restarted/);
    await assert.rejects(queued, /restarted/);
    assert.equal(await p.run('"keep" in dir()'), false);
    assert.equal(py.context(2), ctx, 'the Context object stays the same');
    await p.close();
  });
});

describe('per-process interrupt and AbortSignal', () => {
  it('proc.interrupt() hits only its own running call, not another process on the same context', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const other = py.process(uniqueId('other'));
    const mine = py.process(uniqueId('mine'));
    const running = other.run('import time\nt = 0\nfor i in range(30):\n    time.sleep(0.01)\n    t += 1\nt', { context: ctx });
    const queued = mine.run('"mine ran"', { context: ctx });
    await until(() => ctx.stats().busy);
    mine.interrupt(); // mine is queued, not running: nothing happens to `other`
    assert.equal(await running, 30);
    assert.equal(await queued, 'mine ran');
    const loop = mine.run('while True: pass', { context: ctx });
    await until(() => ctx.stats().busy);
    mine.interrupt();
    await assert.rejects(loop, /KeyboardInterrupt/);
    await other.close();
    await mine.close();
  });

  it('aborts queued and running calls through opts.signal', async () => {
    const py = await getPython();
    const ctx = py.context(2);
    const p = py.process(uniqueId());
    const ac = new AbortController();
    const running = p.run('while True: pass', { context: ctx, signal: ac.signal });
    const queued = p.exec('ran = True', { context: ctx, signal: ac.signal });
    await until(() => ctx.stats().busy);
    ac.abort();
    await assert.rejects(running, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    await assert.rejects(queued, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    assert.equal(await p.run('"ran" in dir()', { context: ctx }), false);
    await assert.rejects(p.run('1', { signal: ac.signal }), /aborted before it started/);
    await p.close();
  });
});
