/**
 * Live introspection (python/py_contexts/live.py through PyProcess.completions, hover,
 * signature, documentation) against real CPython: what is listed, that nothing is evaluated
 * that should not be, the deadline, and never waiting on a busy context.
 */
import * as assert from 'node:assert/strict';
import { getPython, uniqueId } from './_setup';
import type { PyProcess } from '../../src/engine/types';

const HOSTILE = `
calls = []
class Thing:
    """A thing with traps."""
    cls_attr = 1
    def __init__(self):
        self.own = 'x'
    @property
    def prop(self):
        calls.append('prop')
        return 42
    def __getattr__(self, name):
        calls.append('getattr ' + name)
        return 0
    def method(self, a, b=2, *rest, sep=' ', **kw):
        """Does a thing.

        More detail here."""
thing = Thing()
class SlowDir:
    def __dir__(self):
        while True:
            pass
slow = SlowDir()
class SlowRepr:
    """Takes forever to print."""
    def __repr__(self):
        while True:
            pass
slow_repr = SlowRepr()
class LoudDict(dict):
    def __getitem__(self, k):
        calls.append('getitem')
        return 0
    def keys(self):
        calls.append('keys')
        return []
d = LoudDict(alpha=1, beta='two')
class Sneaky:
    def __getattribute__(self, name):
        calls.append('getattribute ' + name)
        return object.__getattribute__(self, name)
    def m(self, x):
        pass
sneaky = Sneaky()
d[3] = 'not a string key'
`;

describe('live introspection', function () {
  this.timeout(60_000);
  let p: PyProcess;

  beforeEach(async () => {
    const py = await getPython();
    p = py.process(uniqueId('live'));
  });
  afterEach(async () => {
    await p.close();
  });

  it('answers nothing, without creating an environment, for a process that never ran', async () => {
    assert.equal(await p.completions('name', ''), undefined);
    assert.equal(await p.hover('x'), undefined);
    assert.equal(p.contextsUsed.length, 0);
  });

  it('lists attributes, names and keys with kinds and types', async () => {
    await p.exec(HOSTILE);
    const attrs = await p.completions('attr', 'thing');
    const by = new Map(attrs?.map((c) => [c.label, c]));
    assert.deepEqual(by.get('method'), { label: 'method', kind: 'method', detail: 'method' });
    assert.deepEqual(by.get('prop'), { label: 'prop', kind: 'property', detail: 'property (not evaluated)' });
    assert.deepEqual(by.get('own'), { label: 'own', kind: 'variable', detail: 'str' });
    assert.deepEqual(by.get('cls_attr'), { label: 'cls_attr', kind: 'variable', detail: 'int' });
    const names = await p.completions('name', '');
    assert.ok(names?.some((c) => c.label === 'thing' && c.detail === 'Thing'), JSON.stringify(names));
    assert.ok(names?.some((c) => c.label === 'Thing' && c.kind === 'class'));
    assert.ok(!names?.some((c) => c.label === '__builtins__' || c.label === 'display'), 'runtime names are hidden');
    const keys = await p.completions('key', 'd');
    assert.deepEqual(keys, [
      { label: 'alpha', kind: 'key', detail: 'int' },
      { label: 'beta', kind: 'key', detail: 'str' },
    ]);
    // Nothing of the user's ran: no property, no __getattr__, no overridden keys()/__getitem__.
    assert.deepEqual(await p.eval('calls'), []);
  });

  it('evaluates properties and __getattr__ only when asked to', async () => {
    await p.exec(HOSTILE);
    assert.equal(await p.hover('thing.prop').then((h) => h?.repr), '<property, not evaluated>');
    assert.equal(await p.hover('thing.missing'), undefined);
    assert.deepEqual(await p.eval('calls'), []);
    const h = await p.hover('thing.prop', { evaluateProperties: true });
    assert.deepEqual([h?.type, h?.repr], ['int', '42']);
    assert.deepEqual(await p.eval('calls'), ['prop']);
  });

  it('binds methods without running a class\'s own __getattribute__', async () => {
    await p.exec(HOSTILE);
    assert.equal((await p.signature('sneaky.m'))?.label, 'm(x)', 'bound: self is not a parameter');
    assert.equal((await p.hover('sneaky.m'))?.signature, '(x)');
    assert.deepEqual(await p.eval('calls'), []);
  });

  it('looks expressions up, never evaluates them', async () => {
    await p.exec(HOSTILE + '\nfrom types import SimpleNamespace\nns = SimpleNamespace(inner={"k": [1, 2]})\n');
    assert.equal((await p.hover("ns.inner['k']"))?.repr, '[1, 2]');
    assert.ok((await p.completions('attr', "ns.inner['k']"))?.some((c) => c.label === 'append'));
    for (const expr of ['calls.append(1)', 'thing.method()', '[x for x in calls]', 'd[calls]', 'import os']) {
      assert.deepEqual(await p.completions('attr', expr), [], expr);
    }
    assert.deepEqual(await p.eval('calls'), []);
  });

  it('describes a callable: hover, signature and its whole docstring', async () => {
    await p.exec(HOSTILE);
    const h = await p.hover('thing.method');
    assert.equal(h?.signature, "(a, b=2, *rest, sep=' ', **kw)");
    assert.equal(h?.doc, 'Does a thing.');
    const sig = await p.signature('thing.method');
    assert.equal(sig?.label, "method(a, b=2, *rest, sep=' ', **kw)");
    assert.deepEqual(sig?.parameters.map((x) => [x.label, x.kind]), [
      ['a', 'POSITIONAL_OR_KEYWORD'], ['b=2', 'POSITIONAL_OR_KEYWORD'], ['*rest', 'VAR_POSITIONAL'],
      ["sep=' '", 'KEYWORD_ONLY'], ['**kw', 'VAR_KEYWORD'],
    ]);
    const doc = await p.documentation('thing.method');
    assert.match(doc?.doc ?? '', /^Does a thing\.\n\nMore detail here\.$/);
    assert.equal(await p.signature('thing.own'), undefined, 'a str is not callable');
  });

  it('a __dir__ that never returns is interrupted at the deadline and the context stays usable', async () => {
    await p.exec(HOSTILE);
    assert.equal(await p.completions('attr', 'slow', { deadlineMs: 50 }), undefined);
    assert.equal(await p.eval('1 + 1'), 2);
  });

  it('a repr that never returns costs the hover its repr only', async () => {
    await p.exec(HOSTILE);
    assert.deepEqual(await p.hover('slow_repr'), { type: 'SlowRepr', repr: '<repr timed out>', doc: 'Takes forever to print.' });
    assert.equal(await p.eval('1 + 1'), 2);
    // The deadline is raised by the engine's own async_raise, not through ctypes.
    assert.equal(await p.eval("__import__('py_contexts.editor').editor._async_raise is __import__('_py_contexts_native').async_raise"), true);
  });

  it('answers nothing at once while the context is busy, and queues nothing behind it', async () => {
    await p.exec('x = 1');
    const ctx = p.currentContext;
    assert.ok(ctx);
    const callsBefore = ctx.stats().calls;
    let done = false;
    const run = p.exec('import time; time.sleep(1.5)').then(() => {
      done = true;
    });
    assert.equal(await p.completions('name', ''), undefined);
    assert.equal(await p.hover('x'), undefined);
    assert.equal(done, false, 'the answer came while the run was still going');
    await run;
    assert.equal(ctx.stats().calls, callsBefore + 1, 'only the run itself ran: nothing was queued behind it');
    assert.ok((await p.completions('name', ''))?.some((c) => c.label === 'x'));
  });

  it('pandas: a DataFrame\'s columns after df. and df[\'', async function () {
    try {
      await p.exec('import pandas as pd');
    } catch {
      this.skip(); // this interpreter has no pandas (the Debian 3.11 default has it)
    }
    await p.exec("df = pd.DataFrame({'price': [1.5], 'qty': [2], 'two words': ['a']})");
    const attrs = await p.completions('attr', 'df');
    const cols = attrs?.filter((c) => c.kind === 'field').map((c) => [c.label, c.detail]);
    assert.deepEqual(cols, [['price', 'column · float64'], ['qty', 'column · int64']]);
    assert.ok(attrs?.some((c) => c.label === 'groupby' && c.kind === 'method'));
    const keys = await p.completions('key', 'df');
    assert.deepEqual(keys?.map((c) => c.label), ['price', 'qty', 'two words']);
    assert.equal((await p.hover('df.price'))?.type, 'pandas.Series');
    assert.equal((await p.hover('df'))?.repr, '1 rows × 3 columns: price (float64), qty (int64), two words (object)');
    assert.ok((await p.completions('attr', "df['two words']"))?.some((c) => c.label === 'str'));
  });

  it('rejects bad arguments with a TypeError naming them', async () => {
    await assert.rejects(p.completions('bogus' as 'attr', 'x'), (e: Error) => e instanceof TypeError && /kind/.test(e.message));
    await assert.rejects(p.hover(3 as unknown as string), (e: Error) => e instanceof TypeError && /expr/.test(e.message));
    await assert.rejects(p.hover('x', { deadlineMs: -1 }), (e: Error) => e instanceof TypeError && /deadlineMs/.test(e.message));
  });
});
