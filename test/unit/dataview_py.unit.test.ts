/**
 * python/py_contexts/dataview.py in a real Python, without the engine: paging, sorting,
 * filtering and the summary, checked against pandas' and numpy's own answers. Each case runs a
 * small driver with `python -c`. Cases that need pandas are pending (not passed) in a Python
 * without it; PY_CONTEXTS_PYTHON=/usr/bin/python3 (Debian's, with python3-pandas) runs them all.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { python, runPython } from './_python';

const root = path.resolve(__dirname, '../../..');

/** Runs `code` with `dv` (the module) imported; the value of `out` is printed as JSON. */
function py(code: string): unknown {
  const driver = `import json, sys\nsys.path.insert(0, sys.argv[1])\nfrom py_contexts import dataview as dv\n${code}\nprint(json.dumps(out))\n`;
  const res = runPython(['-c', driver, path.join(root, 'python')], { timeout: 120_000 });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`${python} failed (${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as unknown;
}

const hasPandas = (() => {
  const res = runPython(['-c', 'import pandas, numpy']);
  return res.status === 0;
})();

const ROWS = "rows = [{'a': 3, 'b': 'x'}, {'a': 1, 'b': None}, {'a': 2, 'b': 'yy'}, {'a': 1, 'c': 5}]";

describe('dataview.py (in a real Python)', function () {
  this.timeout(120_000);

  it('tells viewable values from others, looking at types and a few items only', () => {
    const out = py(`
class Huge(list):
    def __getitem__(self, i):
        if i not in (0, -1): raise AssertionError('looked past the first and last item')
        return super().__getitem__(i)
out = [dv.viewable(v) for v in ([{'a': 1}], [(1, 2)], [[1], [2]], {'x': [1, 2], 'y': (3, 4)}, Huge([{'a': 1}] * 1000),
                                 [], [1, 2], 'text', {'x': 1}, {}, 42)]`);
    assert.deepEqual(out, [true, true, true, true, true, false, false, false, false, false, false]);
  });

  it('pages a list of dicts without pandas: columns in first-seen order, missing keys as None', () => {
    const out = py(`${ROWS}
env = {'rows': rows}
assert 'pandas' not in sys.modules
m = dv.request(env, 'open', [['rows'], 'rows'])
out = [m['kind'], m['shape'], [c['name'] for c in m['columns']], dv.request(env, 'rows', [m['id'], 1, 2]), 'pandas' in sys.modules]`);
    assert.deepEqual(out, ['list of dicts', [4, 3], ['a', 'b', 'c'], { start: 1, rows: [[1, 1, null, null], [2, 2, 'yy', null]], total: 4 }, false]);
  });

  it('sorts stably with missing values last in both directions, and filters, without pandas', () => {
    const out = py(`${ROWS}
env = {'rows': rows}
m = dv.request(env, 'open', [['rows'], 'rows'])
page = lambda: [r[0] for r in dv.request(env, 'rows', [m['id'], 0, 10])['rows']]
dv.request(env, 'query', [m['id'], {'column': 0, 'ascending': True}, []]); up = page()
dv.request(env, 'query', [m['id'], {'column': 0, 'ascending': False}, []]); down = page()
dv.request(env, 'query', [m['id'], {'column': 1, 'ascending': True}, []]); text = page()
q = dv.request(env, 'query', [m['id'], None, [{'column': 1, 'join': 'and', 'conditions': [{'type': 'contains', 'filter': 'Y'}]}]])
out = [up, down, text, q['rows'], page()]`);
    assert.deepEqual(out, [[1, 3, 2, 0], [0, 2, 1, 3], [0, 2, 1, 3], 1, [2]]);
  });

  it('refuses values it cannot show, naming what it can', () => {
    const out = py(`
try:
    dv.table_of(42)
    out = None
except TypeError as e:
    out = str(e)`);
    assert.match(String(out), /DataFrames, Series, 1-D\/2-D arrays.*not int/);
  });

  it('bounds cells: long text is cut, numpy scalars become numbers, NaN becomes None', () => {
    const out = py(`out = [dv.cell('x' * 600)[-3:], len(dv.cell('x' * 600)), dv.cell(float('nan')), dv.cell(None), dv.cell(True), dv.cell((1, 2))]`);
    assert.deepEqual(out, ['xx…', 500, null, null, true, '(1, 2)']);
  });

  describe('with pandas', () => {
    before(function () {
      if (!hasPandas) this.skip();
    });

    const FRAME = `import numpy as np, pandas as pd
rng = np.random.default_rng(5)
n = 20000
df = pd.DataFrame({'x': rng.integers(0, 50, n), 'y': rng.normal(size=n), 's': rng.choice(['alpha', 'beta', None], n)},
                  index=pd.RangeIndex(100, 100 + n, name='id'))
df.loc[df.index[::7], 'y'] = np.nan
env = {'df': df}
m = dv.request(env, 'open', [['df'], 'df'])
vid = m['id']
def firsts(k=50):
    return [r[0] for r in dv.request(env, 'rows', [vid, 0, k])['rows']]
`;

    it('sorts like pandas sort_values(kind="stable") on every column and in both directions', () => {
      const out = py(`${FRAME}
out = []
for j, name in enumerate(df.columns):
    for asc in (True, False):
        dv.request(env, 'query', [vid, {'column': j, 'ascending': asc}, []])
        want = df.sort_values(name, ascending=asc, kind='stable', na_position='last').index[:50].tolist()
        out.append(firsts() == want)`);
      assert.deepEqual(out, [true, true, true, true, true, true]);
    });

    it('filters like the same pandas expression, and sorts within the filter', () => {
      const out = py(`${FRAME}
q = dv.request(env, 'query', [vid, {'column': 1, 'ascending': False}, [
    {'column': 0, 'join': 'or', 'conditions': [{'type': 'lessThan', 'filter': 5}, {'type': 'inRange', 'filter': 40, 'filterTo': 42}]},
    {'column': 2, 'join': 'and', 'conditions': [{'type': 'startsWith', 'filter': 'AL'}]}]])
want = df[((df.x < 5) | df.x.between(40, 42)) & df.s.str.lower().str.startswith('al').fillna(False).astype(bool)]
sorted_ok = firsts() == want.sort_values('y', ascending=False, kind='stable').index[:50].tolist()
blank = dv.request(env, 'query', [vid, None, [{'column': 1, 'join': 'and', 'conditions': [{'type': 'blank'}]}]])['rows']
out = [q['rows'] == len(want), q['totalRows'], sorted_ok, blank == int(df.y.isna().sum())]`);
      assert.deepEqual(out, [true, 20000, true, true]);
    });

    it('pages any slice with the index label first, and missing floats as None', () => {
      const out = py(`${FRAME}
page = dv.request(env, 'rows', [vid, 7, 3])
r = df.iloc[7]
out = [page['start'], page['total'], page['rows'][0][0], page['rows'][0][1] == int(r.x), page['rows'][0][2], len(page['rows']),
       dv.request(env, 'rows', [vid, 19999, 100])['rows'][0][0], dv.request(env, 'rows', [vid, 30000, 10])['rows'], m['indexName']]`);
      assert.deepEqual(out, [7, 20000, 107, true, null, 3, 20099, [], 'id']);
    });

    it('summarises like pandas: count, missing, min, max, mean, a histogram like numpy, top values', () => {
      const out = py(`${FRAME}
x, y, s = dv.request(env, 'summary', [vid])
yv = df.y.dropna().to_numpy()
counts, edges = np.histogram(yv, bins=dv.HISTOGRAM_BINS)
out = [x['count'] == 20000, x['min'] == int(df.x.min()), bool(abs(x['mean'] - df.x.mean()) < 1e-9),
       y['missing'] == int(df.y.isna().sum()), y['histogram']['counts'] == counts.tolist(), bool(y['histogram']['min'] == edges[0]),
       s['missing'] == int(df.s.isna().sum()), s['unique'], [t[0] for t in s['top']] == df.s.value_counts().index[:2].tolist()]`);
      assert.deepEqual(out, [true, true, true, true, true, true, true, 2, true]);
    });

    it('views Series, 1-D and 2-D arrays, lists of tuples and dicts of lists through pandas without copying frames', () => {
      const out = py(`import numpy as np, pandas as pd
arr = np.arange(12.0).reshape(4, 3)
env = {'s': pd.Series([3, 1, 2], name='v'), 'a1': np.array([5, 4]), 'a2': arr, 't': [(1, 'a'), (2, 'b')], 'd': {'x': [1, 2], 'y': ['p', 'q']}}
out = []
for k in list(env):
    m = dv.request(env, 'open', [[k], k])
    out.append([m['kind'], m['shape'], [c['dtype'] for c in m['columns']], dv.request(env, 'rows', [m['id'], 0, 1])['rows'][0]])
view = dv.table_of(arr)
out.append(bool(np.shares_memory(view.frame.to_numpy(), arr)))`);
      assert.deepEqual(out, [
        ['Series', [3], ['int64'], [0, 3]],
        ['ndarray', [2], ['int64'], [0, 5]],
        ['ndarray', [4, 3], ['float64', 'float64', 'float64'], [0, 0, 1, 2]],
        ['list of tuples', [2, 2], ['int64', 'object'], [0, 1, 'a']],
        ['dict of lists', [2, 2], ['int64', 'object'], [0, 1, 'p']],
        true,
      ]);
    });

    it('keeps the old sort and filter when a query fails, and refresh reads the variable again', () => {
      const out = py(`${FRAME}
dv.request(env, 'query', [vid, {'column': 0, 'ascending': True}, []])
try:
    dv.request(env, 'query', [vid, {'column': 9, 'ascending': True}, []])
    err = None
except ValueError as e:
    err = str(e)
kept = dv.request(env, 'meta', [vid])['sort']
env['df'] = df.head(10)
after = dv.request(env, 'refresh', [vid])
closed = [dv.request(env, 'close', [vid]), dv.request(env, 'close', [vid])]
try:
    dv.request(env, 'rows', [vid, 0, 1])
    gone = None
except KeyError as e:
    gone = str(e)
out = [err, kept, after['rows'], after['sort'], closed, gone]`);
      assert.deepEqual(out, ['sort column 9 is out of range', { column: 0, ascending: true }, 10, { column: 0, ascending: true }, [true, false],
        "'no open data view 1 in this environment (it was closed or the environment was reset)'"]);
    });
  });
});
