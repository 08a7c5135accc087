/**
 * Saving an environment and restoring it (issue 12, python/py_contexts/persist.py): the
 * round trip into a fresh interpreter in a child process, as after a window reload, and the
 * rules (size cap, names kept, bad arguments, a file that is not ours).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PythonError } from '../../src/core';
import { describeRun, runFixture } from './fixtures/child';
import { getPython, uniqueId } from './_setup';

// numpy and pandas where the interpreter has them (Debian's 3.11); the matrix's source-built
// 3.13 and 3.13t have neither, and run the same round trip without them.
const SCI_HEAD = `import numpy as np
import pandas as pd
`;
const SCI_VALUES = `df = pd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']})
arr = np.arange(10.0)
`;
const SCI_NAMES = ['np', 'pd', 'df', 'arr'];
const SCI_CHECK = `  'df_equal': bool(df.equals(pd.DataFrame({'a': [1, 2, 3], 'b': ['x', 'y', 'z']}))),
  'arr': arr.tolist(),
  'np_is_numpy': np is sys.modules['numpy'],
`;

const DOC = `import os.path as osp
import functools
import dataclasses
from math import sqrt

def area(r, scale=2):
    """Area of a circle."""
    return 3.14159 * r * r * scale

@functools.lru_cache(maxsize=None)
def decorated(x):
    return x + 1

class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def norm(self):
        return sqrt(self.x ** 2 + self.y ** 2)

@dataclasses.dataclass
class Pair:
    a: int
    b: str = 'b'

class Empty:
    """Only a docstring."""

pt = Point(3, 4)
pair = Pair(1)
nums = {'k': [1, 2.5, None], 't': (1, 'two')}
f = open(__file__ if '__file__' in globals() else '/dev/null')
gen = (i for i in range(3))
square = lambda v: v * v
alias = area
`;

describe('persisted state (save and restore)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pyc-persist-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('comes back in a fresh interpreter: values, imports by name, definitions from their source', async function () {
    this.timeout(180_000);
    const py = await getPython();
    const p = py.process(uniqueId());
    const sci = (await p.run("import importlib.util as u\nall(u.find_spec(m) for m in ('numpy', 'pandas'))")) === true;
    await p.reset();
    const doc = sci ? SCI_HEAD + DOC + SCI_VALUES : DOC;
    const filename = join(dir, 'analysis.py');
    await p.exec(doc, { filename, sourceText: doc });
    const file = join(dir, 'state.pystate');
    const saved = await p.saveState(file, 256 * 1024 * 1024);
    assert.ok(saved);
    assert.deepEqual(saved.notRestored.map((n) => n.name).sort(), ['alias', 'f', 'gen', 'square']);
    assert.match(saved.notRestored.find((n) => n.name === 'f')!.reason, /cannot be pickled \(TypeError: cannot pickle '(_io\.)?TextIOWrapper'/);
    for (const name of ['functools', 'Pair', 'Empty', 'pair', 'osp', 'sqrt', 'area', 'decorated', 'Point', 'pt', 'nums', ...(sci ? SCI_NAMES : [])]) {
      assert.ok(saved.saved.includes(name), name);
    }
    assert.equal(saved.bytes, statSync(file).size);
    await p.run('f.close()');
    await p.close();

    const check = `
import inspect, sys
{
${sci ? SCI_CHECK : ''}  'osp': osp.__name__,
  'area': area(1),
  'area_source': inspect.getsource(area),
  'area_file': area.__code__.co_filename,
  'area_doc': area.__doc__,
  'decorated': [decorated(1), decorated.cache_info().hits, inspect.getsource(decorated).splitlines()[0]],
  'norm': pt.norm(),
  'pt_class_is_Point': type(pt) is Point,
  'point_source': inspect.getsource(Point.norm),
  'nums': nums,
  'pair': [pair == Pair(1, 'b'), list(Pair.__dataclass_fields__), Empty.__doc__],
}`;
    const r = runFixture('persist-restore', [file, check], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, describeRun(r));
    const { restored, value } = r.result as {
      restored: { restored: string[]; notRestored: { name: string; reason: string }[] };
      value: Record<string, unknown>;
    };
    assert.deepEqual(restored.notRestored.map((n) => n.name).sort(), ['alias', 'f', 'gen', 'square']);
    const names = ['Empty', 'Pair', 'Point', 'area', 'dataclasses', 'decorated', 'functools', 'nums', 'osp', 'pair', 'pt', 'sqrt', ...(sci ? SCI_NAMES : [])];
    assert.deepEqual([...restored.restored].sort(), names.sort());
    if (sci) {
      assert.equal(value['df_equal'], true);
      assert.deepEqual(value['arr'], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(value['np_is_numpy'], true);
    }
    assert.equal(value['osp'], 'posixpath');
    assert.equal(value['area'], 3.14159 * 2);
    assert.equal(value['area_source'], 'def area(r, scale=2):\n    """Area of a circle."""\n    return 3.14159 * r * r * scale\n');
    assert.equal(value['area_file'], filename);
    assert.equal(value['area_doc'], 'Area of a circle.');
    assert.deepEqual(value['decorated'], [2, 0, '@functools.lru_cache(maxsize=None)']);
    assert.equal(value['norm'], 5);
    assert.equal(value['pt_class_is_Point'], true);
    assert.equal(value['point_source'], '    def norm(self):\n        return sqrt(self.x ** 2 + self.y ** 2)\n');
    assert.deepEqual(value['pair'], [true, ['a', 'b'], 'Only a docstring.']);
    assert.deepEqual(value['nums'], { k: [1, 2.5, null], t: [1, 'two'] });
  });

  it('skips and names values past the size cap, keeping the rest', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('small = list(range(10))\nbig = bytes(2_000_000)\nafter = "kept"');
    const file = join(dir, 'capped.pystate');
    const saved = await p.saveState(file, 1_000_000);
    assert.ok(saved);
    assert.deepEqual(saved.notRestored, [{ name: 'big', reason: 'over the size cap' }]);
    assert.deepEqual(saved.saved, ['small', 'after']);
    assert.ok(statSync(file).size < 1_000_000);
    const q = py.process(uniqueId());
    const r = await q.restoreState(file);
    assert.deepEqual(r, { restored: ['small', 'after'], notRestored: [{ name: 'big', reason: 'over the size cap' }] });
    assert.deepEqual(await q.run('[small, after]'), [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'kept']);
    await p.close();
    await q.close();
  });

  it('leaves names the environment already has, and saves nothing for a process without one', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    assert.equal(await p.saveState(join(dir, 'none.pystate'), 1000), undefined);
    await p.exec('x = 1\ny = 2');
    const file = join(dir, 'keep.pystate');
    await p.saveState(file, 1e6);
    const q = py.process(uniqueId());
    await q.exec('x = "mine"');
    const r = await q.restoreState(file);
    assert.deepEqual(r.restored, ['y']);
    assert.deepEqual(await q.run('[x, y]'), ['mine', 2]);
    await p.close();
    await q.close();
  });

  it('rejects bad arguments with a TypeError and a file that is not saved state with a PythonError', async () => {
    const py = await getPython();
    const p = py.process(uniqueId());
    await p.exec('x = 1');
    await assert.rejects(p.saveState('', 1), (e: unknown) => e instanceof TypeError && /path/.test(e.message));
    await assert.rejects(p.saveState(join(dir, 'a'), -1), (e: unknown) => e instanceof TypeError && /maxBytes/.test(e.message));
    await assert.rejects(p.restoreState(undefined as unknown as string), (e: unknown) => e instanceof TypeError && /path/.test(e.message));
    const bogus = join(dir, 'bogus.pystate');
    writeFileSync(bogus, 'not state');
    await assert.rejects(p.restoreState(bogus), (e: unknown) => e instanceof PythonError && e.type === 'ValueError' && /not a saved Py Contexts environment/.test(e.message));
    await assert.rejects(p.restoreState(join(dir, 'missing.pystate')), (e: unknown) => e instanceof PythonError && e.type === 'FileNotFoundError');
    assert.equal(readFileSync(bogus, 'utf8'), 'not state');
    await p.close();
  });
});
