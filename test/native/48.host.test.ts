import * as assert from 'node:assert/strict';
import { PythonError, TimeoutError } from '../../src/core';
import { getPython, uniqueId, until } from './_setup';
import { describeRun, runFixture } from './fixtures/child';

/** A registration that is always undone, so names never leak between tests. */
async function withFunctions(fns: Record<string, (...a: never[]) => unknown>, body: () => Promise<void>): Promise<void> {
  const py = await getPython();
  const regs = Object.entries(fns).map(([name, fn]) => py.registerFunction(name, fn));
  try {
    await body();
  } finally {
    for (const r of regs) r.dispose();
  }
}

describe('calls from Python into the host', () => {
  it('calls a sync and an async JS function, by call() and by attribute, with kwargs last', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await withFunctions({
      add: ((a: number, b: number) => a + b) as never,
      later: (async (x: string) => {
        await new Promise((r) => setTimeout(r, 20));
        return { echoed: x, list: [1, 2] };
      }) as never,
      kw: ((...a: unknown[]) => a) as never,
    }, async () => {
      const out = await p.run(`
from py_contexts import host
[host.call('add', 2, 3), host.add(40, 2), host.later('hi'), host.kw(1, key='v')]
`);
      assert.deepEqual(out, [5, 42, { echoed: 'hi', list: [1, 2] }, [1, { key: 'v' }]]);
    });
    await p.close();
  });

  it('raises HostError with the JS message for a throw or a rejection, NameError for an unknown name', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await withFunctions({
      boom: (() => { throw new Error('it broke'); }) as never,
      reject: (async () => { throw new RangeError('rejected here'); }) as never,
    }, async () => {
      const out = await p.run(`
from py_contexts import host, HostError
r = []
for name in ('boom', 'reject', 'nobody_registered_this'):
    try:
        host.call(name)
    except HostError as e:
        r.append(['HostError', e.message, 'at ' in e.js_stack])
    except NameError as e:
        r.append(['NameError', str(e)])
r
`);
      assert.deepEqual(out, [
        ['HostError', 'it broke', true],
        ['HostError', 'rejected here', true],
        ['NameError', "no host function named 'nobody_registered_this' is registered"],
      ]);
    });
    await p.close();
  });

  it('lets other contexts run while one waits, and ends the wait with KeyboardInterrupt on interrupt', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const p = py.process(uniqueId());
    let answer: ((v: unknown) => void) | undefined;
    await withFunctions({
      hang: (() => new Promise((r) => { answer = r; })) as never,
    }, async () => {
      const waiting = p.run('from py_contexts import host\nhost.hang()', { context: ctx });
      await until(() => answer !== undefined);
      // Another context is not blocked by the waiting one.
      assert.equal(await py.process(uniqueId()).run('6 * 7', { context: py.context(2) }), 42);
      ctx.interrupt();
      const err = await waiting.catch((e: unknown) => e);
      assert.ok(err instanceof PythonError);
      assert.equal(err.type, 'KeyboardInterrupt');
      // The late answer is dropped safely, and the context works on.
      answer!('too late');
      assert.equal(await p.run('"next"', { context: ctx }), 'next');
    });
    await p.close();
  });

  it('ends the wait on timeoutMs, and bounds one call with call_timeout', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const p = py.process(uniqueId());
    await withFunctions({ never: (() => new Promise(() => undefined)) as never }, async () => {
      const err = await p.run('from py_contexts import host\nhost.never()', { context: ctx, timeoutMs: 150 }).catch((e: unknown) => e);
      assert.ok(err instanceof TimeoutError);
      const out = await p.run(`
try:
    host.call_timeout(0.1, 'never')
except TimeoutError as e:
    r = str(e)
r`, { context: ctx });
      assert.match(out as string, /no answer within 0.1 s/);
    });
    await p.close();
  });

  it('works from threads that Python code started', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await withFunctions({ twice: ((x: number) => x * 2) as never }, async () => {
      const out = await p.run(`
import threading
from py_contexts import host
results = [None] * 4
def work(i):
    results[i] = host.twice(i + 1)
threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
results`);
      assert.deepEqual(out, [2, 4, 6, 8]);
    });
    await p.close();
  });

  it('lets a host function call back into Python on another context and the same process', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const other = py.process(uniqueId());
    await withFunctions({
      // The same process, on the context that is not waiting.
      sameProcess: (async () => p.run('x * 10', { context: py.context(2) })) as never,
      otherProcess: (async (n: number) => other.run(`${n} + 1`, { context: py.context(2) })) as never,
    }, async () => {
      await p.run('x = 4', { context: py.context(2) });
      const out = await p.run('from py_contexts import host\n[host.sameProcess(), host.otherProcess(41)]', { context: py.context(1) });
      assert.deepEqual(out, [40, 42]);
    });
    await p.close();
    await other.close();
  });

  it('refuses at once a callback into the very context that waits, as a HostError, never a hang', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await withFunctions({
      reenter: (async () => p.run('1 + 1', { context: py.context(1) })) as never,
    }, async () => {
      const out = await p.run(`
from py_contexts import host, HostError
try:
    host.reenter()
except HostError as e:
    r = e.message
r`, { context: py.context(1), timeoutMs: 10000 });
      assert.match(out as string, /context default:1 is waiting in host\.call\(\).*refused/);
    });
    await p.close();
  });

  it('refuses names that are taken and functions that are not functions', async () => {
    const py = await getPython();
    const reg = py.registerFunction('taken', (() => 1) as never);
    try {
      assert.throws(() => py.registerFunction('taken', (() => 2) as never), /already registered/);
      assert.throws(() => py.registerFunction('bad name!', (() => 2) as never), TypeError);
      assert.throws(() => py.registerFunction('notfn', 3 as never), TypeError);
    } finally {
      reg.dispose();
    }
    const again = py.registerFunction('taken', (() => 3) as never);
    again.dispose();
  });
});

describe('host calls at shutdown', () => {
  for (const mode of ['shutdown', 'process.exit']) {
    it(`${mode}: Python waiting in host.call() on a context and on its threads does not hold the engine up`, () => {
      const r = runFixture('host-call-shutdown', [mode]);
      assert.equal(r.signal, null, describeRun(r));
      assert.equal(r.status, 0, describeRun(r));
      assert.equal(r.result?.['asked'], 3, describeRun(r));
      if (mode === 'shutdown') assert.match(String(r.result?.['onContext']), /shut down/, describeRun(r));
      assert.doesNotMatch(r.stderr, /Fatal Python error|Segmentation|Aborted/);
    });
  }
});
