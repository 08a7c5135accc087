/**
 * run(code, { result: 'repr' }): the trailing value's repr text, made in Python and
 * bounded (python/py_contexts/result_repr.py). Run selection shows it inline; the value
 * itself never crosses to JS.
 */
import * as assert from 'node:assert/strict';
import type { DisplayData, ValueRepr } from '../../src/core';
import { getPython, uniqueId } from './_setup';

async function reprOf(code: string): Promise<ValueRepr | undefined> {
  const py = await getPython();
  const p = py.process(uniqueId());
  try {
    return (await p.run(code, { result: 'repr' })) as ValueRepr | undefined;
  } finally {
    await p.close();
  }
}

describe('run() with result: repr', () => {
  const exact: [string, string][] = [
    ['(1, 2)', '(1, 2)'],
    ['(1,)', '(1,)'],
    ['1.0', '1.0'],
    ['None', 'None'],
    ['True', 'True'],
    ['1+2j', '(1+2j)'],
    ['{"b": 1, "a": [1.5, (2,)]}', "{'b': 1, 'a': [1.5, (2,)]}"],
    // A set of small ints iterates in ascending order.
    ['{3, 1}', '{1, 3}'],
    ['frozenset()', 'frozenset()'],
    ['set()', 'set()'],
    ['"it\'s"', `"it's"`],
    ['b"a\\x00"', "b'a\\x00'"],
    // 3.12 changed OrderedDict's repr; either way it is the interpreter's own.
    ['import collections; collections.OrderedDict(a=1)', "OrderedDict([('a', 1)])|OrderedDict({'a': 1})"],
    ['a = [1]; a.append(a); a', '[1, [...]]'],
    ['2**100', '1267650600228229401496703205376'],
  ];
  for (const [code, want] of exact) {
    it(`is Python's own repr for ${code}`, async () => {
      const r = await reprOf(code);
      assert.ok(want.split('|').includes(r?.repr ?? ''), `${r?.repr} is not ${want}`);
      assert.equal(r?.truncated, false);
    });
  }

  it('has no value for a block without a trailing expression', async () => {
    assert.equal(await reprOf('x = 1'), undefined);
  });

  it('names the type and the length of containers', async () => {
    assert.deepEqual(await reprOf('[1, 2]'), { repr: '[1, 2]', type: 'list', truncated: false, length: 2 });
    assert.equal((await reprOf('None'))?.type, 'NoneType');
  });

  it('cuts a list of a million items after about 10,000 characters, quickly', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('big = list(range(10**6))');
    const t0 = performance.now();
    const r = (await p.run('big', { result: 'repr' })) as ValueRepr;
    const ms = performance.now() - t0;
    assert.equal(r.truncated, true);
    assert.equal(r.length, 1_000_000);
    assert.ok(r.repr.startsWith('[0, 1, 2, 3, '), r.repr.slice(0, 40));
    assert.ok(r.repr.endsWith(', ...]'), r.repr.slice(-40));
    assert.ok(r.repr.length <= 10_010, `repr is ${r.repr.length} characters`);
    // Generous for a shared 2-core machine; converting the list used to take seconds.
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`);
    // The value stays in Python as `_`.
    assert.equal(await p.eval('len(_)'), 1_000_000);
    await p.close();
  });

  it('closes the brackets of nested containers it cuts', async () => {
    const r = await reprOf('[[i] * 50 for i in range(1000)]');
    assert.ok(r?.truncated);
    assert.match(r?.repr ?? '', /, \.\.\.\]\]$/, 'both brackets closed');
    const dict = await reprOf('{i: list(range(3000)) for i in range(3)}');
    assert.match(dict?.repr ?? '', /^\{0: \[0, 1, 2, .*, \.\.\.\]\}$/);
  });

  it('keeps both ends of a 10 MB string', async () => {
    const r = await reprOf('"a" * 5_000_000 + "b" * 5_000_000');
    assert.equal(r?.truncated, true);
    assert.equal(r?.length, 10_000_000);
    assert.ok((r?.repr.length ?? 0) <= 10_000);
    assert.match(r?.repr ?? '', /^'aaaa.*\.\.\..*bbbb'$/);
  });

  it('describes an int too long to print instead of failing', async () => {
    const r = await reprOf('10**100000');
    assert.match(r?.repr ?? '', /^<int of about 100,00\d digits>$/);
  });

  it('reports a failing __repr__ in the text, not as an error of the run', async () => {
    const r = await reprOf('class Bad:\n    def __repr__(self): raise RuntimeError("boom")\nBad()');
    assert.equal(r?.repr, '<Bad object; repr() failed: RuntimeError: boom>');
  });

  it('sends the figures a run left open, flagged, before its result or error, only when asked', async function () {
    const py = await getPython();
    const p = py.process(uniqueId());
    try {
      if (!(await p.eval('__import__("importlib.util").util.find_spec("matplotlib") is not None'))) this.skip(); // the Debian 3.11 default has it
      const events: string[] = [];
      const onDisplay = (d: DisplayData): void => {
        const m = d.metadata['py_contexts'] as Record<string, unknown> | undefined;
        events.push(`${m?.['left_open'] === true ? 'left open' : 'shown'} ${typeof d.data['image/png']} ${String(m?.['figure'] ?? '')}`);
      };
      const code = 'import matplotlib.pyplot as plt\nplt.plot([1]); plt.show()\nplt.figure(); plt.plot([2])\nplt.figure(); plt.plot([3])\n7';
      const r = (await p.run(code, { result: 'repr', leftOpenFigures: true, onDisplay })) as ValueRepr;
      events.push(`result ${r.repr}`);
      assert.deepEqual(events.map((e) => e.replace(/fig-\d+/, 'fig')), ['shown string fig', 'left open string fig', 'left open string fig', 'result 7']);
      assert.deepEqual(await p.eval('plt.get_fignums()'), [], 'closed in pyplot');
      // Also when the run fails, before the error.
      events.length = 0;
      await assert.rejects(p.run('plt.figure(); plt.plot([4]); 1/0', { result: 'repr', leftOpenFigures: true, onDisplay }), /ZeroDivisionError/);
      assert.deepEqual(events.map((e) => e.replace(/fig-\d+/, 'fig')), ['left open string fig']);
      // Without the option they stay open, as before.
      events.length = 0;
      await p.run('plt.figure(); plt.plot([5])', { result: 'repr', onDisplay });
      assert.deepEqual(events, []);
      assert.equal(await p.eval('len(plt.get_fignums())'), 1);
      await assert.rejects(p.run('1', { leftOpenFigures: 'yes' as never }), /opts.leftOpenFigures must be a boolean/);
    } finally {
      await p.close();
    }
  });

  it('leaves the default (a JS value) and rich results alone', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    assert.deepEqual(await p.run('[1, 2]'), [1, 2]);
    await assert.rejects(p.run('1', { result: 'text' as never }), /opts.result must be 'value' or 'repr'/);
    await p.close();
  });
});

