import * as assert from 'node:assert/strict';
import { PythonError } from '../../src/core';
import * as os from 'node:os';
import { join } from 'node:path';
import { getPython, uniqueId, until } from './_setup';

describe('processes and environments', () => {
  it('keeps state between calls and isolates processes on the same context', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const a = py.process(uniqueId('a'));
    const b = py.process(uniqueId('b'));
    a.bind(ctx);
    b.bind(ctx);
    await a.exec('x = 1');
    await b.exec('x = 2');
    await a.exec('x += 10');
    assert.equal(await a.eval('x'), 11);
    assert.equal(await b.eval('x'), 2);
    await a.exec('def f(n):\n    return n * x');
    assert.equal(await a.call('__main__', 'f', [3]), 33);
    await assert.rejects(b.call('__main__', 'f', [3]), (e: unknown) => e instanceof PythonError && e.type === 'KeyError');
    assert.equal(await a.eval('__name__'), '__main__');
    await a.close();
    await b.close();
  });

  it('returns the same object for the same id while open', async () => {
    const py = await getPython();
    const id = uniqueId();
    const p = py.process(id);
    assert.equal(py.process(id), p);
    assert.ok(py.processes().includes(p));
    await p.close();
    assert.equal(p.closed, true);
    assert.ok(!py.processes().includes(p));
    const again = py.process(id);
    assert.notEqual(again, p);
    assert.equal(await again.run('"x" in dir()'), false, 'a reopened process starts fresh');
    await again.close();
  });

  it('binds, and explicit opts.context wins over the binding', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const c1 = py.context(1);
    const c2 = py.context(2);
    p.bind(c2);
    assert.equal(p.boundContext, c2);
    const where = 'import _py_contexts_native as n\nn.context_id()';
    assert.equal(await p.run(where), 'default:2');
    assert.equal(await p.run(where, { context: c1 }), 'default:1');
    // Each context has its own environment for the process.
    await p.exec('v = "on 2"');
    await p.exec('v = "on 1"', { context: c1 });
    assert.equal(await p.eval('v'), 'on 2');
    assert.equal(await p.eval('v', undefined, { context: c1 }), 'on 1');
    assert.deepEqual(p.contextsUsed.map((c) => c.id).sort(), ['default:1', 'default:2']);
    await p.close();
  });

  it('sticks an unbound process to its first routed context, and unbind forgets it', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('s = 5');
    const first = p.currentContext;
    assert.ok(first);
    assert.equal(p.boundContext, undefined);
    for (let i = 0; i < 5; i++) assert.equal(await p.eval('s'), 5);
    assert.equal(p.currentContext, first);
    p.unbind();
    await p.close();
  });

  it('rejects bad bind targets and calls on closed processes', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    assert.throws(() => p.bind({ id: 'default:1' } as never), /must be a Context of this Python/);
    await p.close();
    await assert.rejects(p.run('1'), /is closed/);
    assert.throws(() => p.bind(py.context(1)), /is closed/);
    assert.throws(() => py.process(''), TypeError);
  });

  it('frees environments on close and on reset', async () => {
    const py = await getPython();
    const ctx = py.context(2);
    const base = ctx.stats().environments;
    const p = py.process(uniqueId());
    p.bind(ctx);
    await p.exec('big = list(range(1000))');
    assert.equal(ctx.stats().environments, base + 1);
    await p.reset();
    assert.equal(ctx.stats().environments, base);
    await assert.rejects(p.eval('big'), /NameError/);
    assert.equal(ctx.stats().environments, base + 1);
    await p.close();
    assert.equal(ctx.stats().environments, base);
  });

  it('frees objects held in a closed environment (weakref dies)', async () => {
    const py = await getPython();
    const ctx = py.context(1);
    const owner = py.process(uniqueId());
    const watcher = py.process(uniqueId());
    owner.bind(ctx);
    watcher.bind(ctx);
    await owner.exec('class Big: pass\nobj = Big()\nobj.self = obj');
    await watcher.exec('import weakref, sys');
    // Hand the watcher a weak reference through a module-level slot.
    await owner.exec('import sys\nsys._pc_test_ref = __import__("weakref").ref(obj)');
    assert.equal(await watcher.eval('sys._pc_test_ref() is not None'), true);
    await owner.close();
    await watcher.exec('import gc; gc.collect()');
    assert.equal(await watcher.eval('sys._pc_test_ref() is None'), true);
    await watcher.exec('del sys._pc_test_ref');
    await watcher.close();
  });

  it('call() imports modules, resolves dotted names and passes kwargs', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    assert.equal(await p.call('math', 'sqrt', [16]), 4);
    assert.equal(await p.call('os.path', 'join', ['a', 'b']), 'a/b');
    assert.equal(await p.call('builtins', 'int', ['ff'], { base: 16 }), 255);
    assert.equal(await p.call('json', 'JSONEncoder.__name__'.split('.')[0]!, []).then(() => 'ok'), 'ok');
    await assert.rejects(p.call('no_such_module_xyz', 'f'), (e: unknown) => e instanceof PythonError && e.type === 'ModuleNotFoundError');
    await p.close();
  });

  it('eval() takes locals', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('k = 3');
    assert.equal(await p.eval('a * b + k', { a: 2, b: 5 }), 13);
    await assert.rejects(p.eval('1', [] as never), /locals must be a plain object/);
    await p.close();
  });

  it('run() returns the trailing expression, undefined without one, null for None', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    assert.equal(await p.run('a = 2\nb = 3\na * b'), 6);
    assert.equal(await p.run('c = 1'), undefined);
    assert.equal(await p.run('None'), null);
    assert.equal(await p.run('for i in range(3):\n    pass\ni'), 2);
    assert.equal(await p.exec('1 + 1'), undefined);
    await p.close();
  });

  it('lists variables per context, without creating environments', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const [c1, c2] = [py.context(1), py.context(2)];
    await p.exec('a = 1', { context: c1 });
    await p.exec('b = [1, 2, 3]', { context: c2 });
    assert.deepEqual((await p.variables([], {}, c1)).map((v) => v.name), ['a']);
    const onTwo = await p.variables([], {}, c2);
    assert.deepEqual(onTwo.map((v) => [v.name, v.type, v.repr, v.expandable]), [['b', 'list', '[1, 2, 3]', true]]);
    assert.deepEqual((await p.variables(['b'], {}, c2)).map((v) => v.repr), ['1', '2', '3']);
    const q = py.process(uniqueId());
    const envs = c1.stats().environments;
    assert.deepEqual(await q.variables([], {}, c1), []);
    assert.equal(c1.stats().environments, envs, 'no environment was created for q');
    await p.close();
    await q.close();
  });

  it('never creates an environment to read one, even where a run was abandoned before it ran', async () => {
    // The run is abandoned in the queue: the process has used the context as far as JS
    // knows, but its environment was never made. The tree's variables, saving state, the data
    // viewer and live completions must not make it then (it would outlive the process).
    const py = await getPython();
    const ctx = py.context(2);
    const blocker = py.process(uniqueId('blocker'));
    const p = py.process(uniqueId('abandoned'));
    const blocking = blocker.run('while True: pass', { context: ctx });
    assert.ok(await until(() => ctx.stats().busy), 'the blocker runs');
    const ac = new AbortController();
    const queued = p.run('x = 1', { context: ctx, signal: ac.signal });
    ac.abort();
    await assert.rejects(queued, (e: unknown) => e instanceof Error && e.name === 'AbortError');
    assert.deepEqual(p.contextsUsed, [ctx], 'JS counts the context as used');
    blocker.interrupt();
    await assert.rejects(blocking, /KeyboardInterrupt/);
    const envs = ctx.stats().environments;
    assert.deepEqual(await p.variables([], {}, ctx), []);
    assert.equal(await p.saveState(join(os.tmpdir(), `${uniqueId('state')}.pkl`), 1 << 20), undefined);
    assert.equal(await p.hover('x'), undefined);
    await assert.rejects(p.dataView({ cmd: 'open', path: ['x'], title: 'x' }, ctx), /has no environment/);
    assert.equal(ctx.stats().environments, envs, 'no environment was created for reading');
    // A run still makes it, as always.
    assert.equal(await p.run('x = 2\nx', { context: ctx }), 2);
    assert.equal(ctx.stats().environments, envs + 1);
    assert.deepEqual((await p.variables([], {}, ctx)).map((v) => v.name), ['x']);
    await Promise.all([p.close(), blocker.close()]);
    assert.equal(ctx.stats().environments, envs - 1, "both processes' environments are freed");
  });
});
