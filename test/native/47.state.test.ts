import * as assert from 'node:assert/strict';
import { PythonError } from '../../src/core';
import { DEFAULT_CONTEXTS, getPython, uniqueId } from './_setup';

/** Keys no other test uses, so tests never see each other's entries. */
const key = (name: string) => `${uniqueId('k')}-${name}`;

describe('shared state', () => {
  it('has the dict-like API in Python, with copies in and out', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    const k = key('api');
    const out = await p.run(`
from py_contexts import state
k = ${JSON.stringify(k)}
state[k] = {'a': [1, 2], 'b': None}
r = []
r.append(state[k])
r.append(k in state and 'nope-' + k not in state)
r.append(k in state.keys())
r.append(state.get('nope-' + k, 'dflt'))
r.append(state.setdefault(k, 'other'))
r.append(state.setdefault(k + '-new', 7))
state.update({k + '-u1': 1, k + '-u2': b'x'}, **{'kw-' + k: 2.5})
r.append([state[k + '-u1'], state[k + '-u2'], state['kw-' + k]])
del state[k]
r.append(k in state)
try:
    state[k]
except KeyError as e:
    r.append(e.args[0] == k)
r
`);
    assert.deepEqual(out, [{ a: [1, 2], b: null }, true, true, 'dflt', { a: [1, 2], b: null }, 7, [1, Buffer.from('x'), 2.5], false, true]);
    await p.close();
  });

  it('is one table for every context, every pool and JS', async () => {
    const py = await getPython();
    if (!py.poolStarted('statepool')) await py.startPool('statepool', 1);
    const k = key('everywhere');
    const p = py.process(uniqueId());
    await p.run(`from py_contexts import state\nstate[${JSON.stringify(k)}] = [1, 'two']`, { context: py.context(1) });
    assert.deepEqual(await p.run(`from py_contexts import state\nstate[${JSON.stringify(k)}]`, { context: py.context(2) }), [1, 'two']);
    const other = py.process(uniqueId());
    const ctx = py.contexts('statepool')[0]!;
    assert.deepEqual(await other.run(`from py_contexts import state\nstate[${JSON.stringify(k)}]`, { context: ctx }), [1, 'two']);
    assert.deepEqual(await py.state.get(k), [1, 'two']);
    await py.state.set(k, { fromJs: true });
    assert.deepEqual(await p.run(`state[${JSON.stringify(k)}]`, { context: py.context(2) }), { fromJs: true });
    assert.equal(await py.state.get(`missing-${k}`), undefined);
    assert.ok((await py.state.keys()).includes(k));
    assert.equal(await py.state.delete(k), true);
    assert.equal(await py.state.delete(k), false);
    await p.close();
    await other.close();
  });

  it('ends exact after concurrent incr from every context and JS', async () => {
    const py = await getPython();
    const k = key('count');
    const n = 20000;
    const procs = py.contexts().map(() => py.process(uniqueId()));
    const runs = procs.map((p, i) => p.run(`
from py_contexts import state
for _ in range(${n}):
    state.incr(${JSON.stringify(k)})
state.decr(${JSON.stringify(k)}, 3)
state.incr(${JSON.stringify(k)}, 3)
`, { context: py.context(i + 1) }));
    let js = 0;
    while (js < 500) {
      await py.state.incr(k, 2);
      js++;
    }
    await Promise.all(runs);
    assert.equal(await py.state.get(k), DEFAULT_CONTEXTS * n + 2 * js);
    for (const p of procs) await p.close();
  });

  it('survives a context restart', async () => {
    const py = await getPython();
    const k = key('restart');
    const p = py.process(uniqueId());
    await p.run(`from py_contexts import state\nstate[${JSON.stringify(k)}] = 'kept'`, { context: py.context(1) });
    await py.restartContext(py.context(1));
    assert.equal(await p.run(`from py_contexts import state\nstate[${JSON.stringify(k)}]`, { context: py.context(1) }), 'kept');
    await p.close();
  });

  it('never shares values by reference', async () => {
    const py = await getPython();
    const k = key('copy');
    const p = py.process(uniqueId());
    const out = await p.run(`
from py_contexts import state
a = [1, {'x': 1}]
state[${JSON.stringify(k)}] = a
a.append(2)
a[1]['x'] = 99
b = state[${JSON.stringify(k)}]
b.append(3)
[state[${JSON.stringify(k)}], b is state[${JSON.stringify(k)}]]
`);
    assert.deepEqual(out, [[1, { x: 1 }], false]);
    const fromJs = { list: [1] };
    await py.state.set(k, fromJs);
    fromJs.list.push(2);
    const got = (await py.state.get(k)) as { list: number[] };
    got.list.push(3);
    assert.deepEqual(await py.state.get(k), { list: [1] });
    await p.close();
  });

  it('refuses values that are not plain data with a TypeError naming the key', async () => {
    const py = await getPython();
    const k = key('bad');
    const p = py.process(uniqueId());
    const err = await p.run(`from py_contexts import state\nstate[${JSON.stringify(k)}] = object()`).catch((e: unknown) => e);
    assert.ok(err instanceof PythonError);
    assert.equal(err.type, 'TypeError');
    assert.match(err.message, new RegExp(`state\\['${k}'\\].*'object'`));
    const nested = await p.run(`state[${JSON.stringify(k)}] = {'ok': [1, lambda: 0]}`).catch((e: unknown) => e);
    assert.ok(nested instanceof PythonError);
    assert.match(nested.message, new RegExp(`state\\['${k}'\\].*'function'`));
    // update() is all or nothing.
    const upd = await p.run(`state.update({${JSON.stringify(k + '-ok')}: 1, ${JSON.stringify(k)}: object()})`).catch((e: unknown) => e);
    assert.ok(upd instanceof PythonError && upd.type === 'TypeError');
    assert.equal(await py.state.get(`${k}-ok`), undefined);
    await assert.rejects(py.state.set(k, () => 1), (e: Error) => e instanceof TypeError && e.message.includes(k));
    const notNum = await p.run(`state[${JSON.stringify(k)}] = 'text'\nstate.incr(${JSON.stringify(k)})`).catch((e: unknown) => e);
    assert.ok(notNum instanceof PythonError && notNum.type === 'TypeError' && notNum.message.includes(k));
    await p.close();
  });

  it('enforces the entry and size limits with clear errors', async () => {
    const py = await getPython();
    const before = py.state.limits();
    const p = py.process(uniqueId());
    const k = key('limit');
    try {
      py.state.limits({ maxEntries: before.entries + 2 });
      await p.run(`from py_contexts import state\nstate[${JSON.stringify(k + '1')}] = 1\nstate[${JSON.stringify(k + '2')}] = 2`);
      const full = await p.run(`state[${JSON.stringify(k + '3')}] = 3`).catch((e: unknown) => e);
      assert.ok(full instanceof PythonError);
      assert.equal(full.type, 'MemoryError');
      assert.match(full.message, /at most \d+ keys.*stateMaxEntries/);
      // Replacing an existing key is no new entry.
      await p.run(`state[${JSON.stringify(k + '1')}] = 'replaced'`);
      await assert.rejects(py.state.set(`${k}4`, 1), (e: Error) => e instanceof RangeError && /stateMaxEntries/.test(e.message));
      py.state.limits({ maxEntries: before.maxEntries, maxBytes: py.state.limits().bytes + 10000 });
      const big = await p.run(`state[${JSON.stringify(k + 'big')}] = b'x' * 20000`).catch((e: unknown) => e);
      assert.ok(big instanceof PythonError);
      assert.equal(big.type, 'MemoryError');
      assert.match(big.message, /over the limit of \d+ \(the stateMaxBytes limit\)/);
      assert.equal(await py.state.get(`${k}big`), undefined);
    } finally {
      py.state.limits({ maxEntries: before.maxEntries, maxBytes: before.maxBytes });
      await p.close();
    }
  });

  it('tells JS which key changed', async () => {
    const py = await getPython();
    const k = key('notify');
    const seen: (string | undefined)[] = [];
    const sub = py.state.onDidChange((e) => seen.push(e.key));
    const p = py.process(uniqueId());
    await p.run(`from py_contexts import state\nstate[${JSON.stringify(k)}] = 1`);
    for (let i = 0; i < 100 && !seen.includes(k); i++) await new Promise((r) => setTimeout(r, 10));
    sub.dispose();
    assert.ok(seen.includes(k), `saw ${JSON.stringify(seen)}`);
    await p.close();
  });
});
