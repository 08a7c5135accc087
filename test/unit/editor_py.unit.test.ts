/**
 * python/py_contexts/editor.py in a real Python, without the engine: the variables listing
 * with its size and time limits. Each case runs
 * a small driver with `python -c`; the setup code builds the namespace.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { VariableInfo } from '../../src/engine/types';
import { python, runPython } from './_python';

const root = path.resolve(__dirname, '../../..');

const DRIVER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from py_contexts import editor
req = json.load(sys.stdin)
ns = {}
exec(req.get("setup", ""), ns)
out = getattr(editor, req["fn"])(*[ns if a == "$ns" else a for a in req["args"]])
print(json.dumps(out))
`;

function call(fn: string, args: unknown[], setup = ''): unknown {
  const res = runPython(['-c', DRIVER, path.join(root, 'python')], {
    input: JSON.stringify({ fn, args, setup }),
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`${python} failed (${res.status}):\n${res.stderr}`);
  return JSON.parse(res.stdout) as unknown;
}

// editor.variables() must return exactly the engine's VariableInfo shape.
type Var = VariableInfo;

describe('editor.py (in a real Python)', function () {
  this.timeout(60_000);

  describe('variables', () => {
    const SETUP = [
      'import os',
      'x = 41',
      'data = {"a": [1, 2, 3], (1, 2): "t", object(): 5}',
      'rows = list(range(500))',
      'class Thing:',
      '    def __init__(self):',
      '        self.size = 3',
      '        self.tags = {"k"}',
      '        self.__hidden__ = 1',
      't = Thing()',
      '_ = "last value"',
      '__secret__ = 1',
      'def display(*a): pass',
    ].join('\n');

    it('lists user variables in definition order, without modules, dunders and helpers', () => {
      const vars = call('variables', ['$ns', [], 100, 120, 200], SETUP) as Var[];
      assert.deepEqual(vars.map((v) => v.name), ['x', 'data', 'rows', 'Thing', 't']);
      const x = vars[0]!;
      assert.deepEqual(x, { name: 'x', type: 'int', repr: '41', expandable: false, path: ['x'] });
      assert.equal(vars[1]!.length, 3);
      assert.ok(vars[1]!.expandable);
      assert.ok(vars[4]!.expandable, 'an object with attributes expands');
      assert.equal(vars[3]!.expandable, false, 'classes do not expand');
    });

    it('expands dicts by key, lists by index and objects by attribute', () => {
      const d = call('variables', ['$ns', ['data'], 100, 120, 200], SETUP) as Var[];
      assert.deepEqual(d.map((v) => [v.name, v.path]), [
        ["'a'", ['data', "'a'"]],
        ['(1, 2)', ['data', '(1, 2)']],
        ['[2]', ['data', '#2']],
      ]);
      const inner = call('variables', ['$ns', ['data', "'a'"], 100, 120, 200], SETUP) as Var[];
      assert.deepEqual(inner.map((v) => `${v.name}=${v.repr}`), ['0=1', '1=2', '2=3']);
      assert.equal((call('variables', ['$ns', ['data', '#2'], 100, 120, 200], SETUP) as Var[]).length, 0);
      const byTuple = call('variables', ['$ns', ['data'], 100, 120, 200], SETUP) as Var[];
      assert.equal(byTuple[1]!.repr, "'t'");
      const attrs = call('variables', ['$ns', ['t'], 100, 120, 200], SETUP) as Var[];
      assert.deepEqual(attrs.map((v) => v.name), ['size', 'tags']);
      const set = call('variables', ['$ns', ['t', 'tags'], 100, 120, 200], SETUP) as Var[];
      assert.deepEqual(set.map((v) => [v.name, v.repr, v.path]), [['[0]', "'k'", ['t', 'tags', '#0']]]);
    });

    it('truncates to max_items with a final "… N more"', () => {
      const rows = call('variables', ['$ns', ['rows'], 10, 120, 200], SETUP) as Var[];
      assert.equal(rows.length, 11);
      assert.equal(rows[10]!.name, '… 490 more');
      assert.deepEqual(rows[10]!.path, []);
    });

    it('looks only at the shown items of a huge dict', () => {
      const big = call('variables', ['$ns', ['d'], 5, 120, 200], 'd = {str(i): i for i in range(1_000_000)}\nd[(1, 2)] = 0') as Var[];
      assert.deepEqual(big.map((v) => v.name), ["'0'", "'1'", "'2'", "'3'", "'4'", '… 999996 more']);
      const last = call('variables', ['$ns', ['d', '#1'], 5, 120, 200], 'd = {object(): 1, object(): [7]}') as Var[];
      assert.deepEqual(last.map((v) => v.repr), ['7']);
    });

    it('limits repr size', () => {
      const vars = call('variables', ['$ns', [], 100, 30, 200], 's = "x" * 10000\nbig = list(range(100000))') as Var[];
      for (const v of vars) assert.ok(v.repr.length <= 30, `${v.name}: ${v.repr.length} chars`);
      assert.equal(vars[0]!.length, 10000);
    });

    it('shows a __repr__ that loops forever as "repr timed out", and one that raises as failed', () => {
      const setup = [
        'class Loop:',
        '    def __repr__(self):',
        '        while True: pass',
        'class Swallow:',
        '    def __repr__(self):',
        '        while True:',
        '            try:',
        '                sum(range(1000))',
        '            except Exception:',
        '                pass',
        'class Boom:',
        '    def __repr__(self):',
        '        raise ValueError("no")',
        'a = Loop()',
        'b = Swallow()',
        'c = Boom()',
        'd = [Loop()]',
        'ok = 1',
      ].join('\n');
      const vars = call('variables', ['$ns', [], 100, 120, 100], setup) as Var[];
      const by = new Map(vars.map((v) => [v.name, v.repr]));
      assert.equal(by.get('a'), 'repr timed out');
      assert.equal(by.get('b'), 'repr timed out', 'an `except Exception` cannot swallow the deadline');
      assert.match(by.get('c') ?? '', /Boom instance|repr failed/);
      assert.equal(by.get('d'), 'repr timed out');
      assert.equal(by.get('ok'), '1', 'the listing goes on after a timeout');
    });
  });
});
