/**
 * The statement under the cursor (src/surfaces/runSelection/statements.ts), found without
 * Python: table cases, then every line of real files against Python's own `ast`.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitLines } from '../../src/surfaces/runSelection/selection';
import { statementAt, statementFinder } from '../../src/surfaces/runSelection/statements';

const at = (source: string, line: number): number[] => {
  const r = statementAt(splitLines(source), line);
  return [r.start, r.end, r.next];
};

const SOURCE = [
  'import os', //                 1
  '', //                          2
  '@decorator', //                3
  'def f(x):', //                 4
  '    y = [1,', //               5
  '         2]', //               6
  '    if x:', //                 7
  '        return 1', //          8
  '    else:', //                 9
  '        return 2', //          10
  '# comment', //                 11
  'for i in range(3): print(i)', // 12
  'z = (1 +', //                  13
  '  2)', //                      14
].join('\n');

describe('the statement under the cursor (statements.ts)', () => {
  const cases: [string, number, number[]][] = [
    ['a simple statement, then the next statement', 1, [1, 1, 3]],
    ['a blank line runs nothing and moves on', 2, [2, 1, 3]],
    ['a decorator line runs the decorated def', 3, [3, 10, 12]],
    ['the def line runs the whole def, decorators included', 4, [3, 10, 12]],
    ['a nested statement that starts on the line runs alone', 5, [5, 6, 7]],
    ['a continuation line runs the statement around it', 6, [5, 6, 7]],
    ['an if inside a def runs with its else', 7, [7, 10, 12]],
    ['an else: line runs its if', 9, [7, 10, 12]],
    ['a comment line runs nothing', 11, [11, 10, 12]],
    ['a one-line compound statement runs whole', 12, [12, 12, 13]],
    ['an open bracket runs to its close', 13, [13, 14, 14]],
    ['a line past the end is clamped to the last line', 99, [13, 14, 14]],
  ];
  for (const [name, line, want] of cases) {
    it(name, () => assert.deepEqual(at(SOURCE, line), want));
  }

  it('runs if/elif/else and try/except/else/finally whole from any clause line', () => {
    const src = 'if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\ntry:\n    f()\nexcept* E:\n    g()\nexcept:\n    pass\nelse:\n    h()\nfinally:\n    k()\ndone = 1';
    for (const line of [1, 3, 5]) assert.deepEqual(at(src, line), [1, 6, 7], `line ${line}`);
    for (const line of [7, 9, 11, 13, 15]) assert.deepEqual(at(src, line), [7, 16, 17], `line ${line}`);
    assert.deepEqual(at(src, 4), [4, 4, 6], 'a statement in a clause runs alone; the cursor skips the else: line');
  });

  it('keeps multi-line strings, with brackets, quotes, colons and # inside, in their statement', () => {
    const src = ['s = """', 'if x:', '  (not a bracket', "# it's not a comment", '"""', 'doc = f"""{', '  1 + (2', '  )}:"""', "t = 'a:\\", "b'", 'u = 1'].join('\n');
    assert.deepEqual(at(src, 1), [1, 5, 6]);
    assert.deepEqual(at(src, 2), [1, 5, 6], 'a line inside the string runs the statement around it');
    assert.deepEqual(at(src, 4), [4, 3, 6], 'a line that looks like a comment runs nothing, as a comment would');
    assert.deepEqual(at(src, 6), [6, 8, 9]);
    assert.deepEqual(at(src, 9), [9, 10, 11], 'a backslash continues a one-quote string');
  });

  it('reads f-strings with nested quotes and format specs, raw and byte strings', () => {
    const src = ['a = f"{d["k"]:>{w}}" + rb"\\"" + Rb\'x\'', 'b = f"{x}" if (', '  y) else 2', 'c = 3'].join('\n');
    assert.deepEqual(at(src, 1), [1, 1, 2]);
    assert.deepEqual(at(src, 2), [2, 3, 4]);
  });

  it('joins backslash continuations and brackets of every kind', () => {
    const src = 'x = 1 + \\\n    2\nd = {\n  "a": [1,\n  (2, 3)],\n}\ny = 0';
    assert.deepEqual(at(src, 1), [1, 2, 3]);
    assert.deepEqual(at(src, 5), [3, 6, 7]);
  });

  it('runs a match from its case lines, and a case body statement alone', () => {
    const src = 'match p:\n    case [x, y]:\n        print(x)\n    case _:\n        pass\nz = 0';
    assert.deepEqual(at(src, 1), [1, 5, 6]);
    assert.deepEqual(at(src, 2), [1, 5, 6], 'a case line runs its match');
    assert.deepEqual(at(src, 3), [3, 3, 5]);
  });

  it('stacks decorators with arguments over several lines', () => {
    const src = '@a\n@b(1,\n   2)\nclass C:\n    """doc"""\n\n    @property\n    def p(self):\n        return 1\n\nprint(C().p)';
    assert.deepEqual(at(src, 1), [1, 9, 11]);
    assert.deepEqual(at(src, 2), [1, 9, 11]);
    assert.deepEqual(at(src, 7), [7, 9, 11]);
  });

  it('treats `# %%` cell markers as comments between statements', () => {
    const src = '# %%\nx = 1\n# %% [markdown]\n# text\n# %%\ny = 2';
    assert.deepEqual(at(src, 1), [1, 0, 2]);
    assert.deepEqual(at(src, 2), [2, 2, 6]);
    assert.deepEqual(at(src, 3), [3, 2, 6]);
  });

  it('reads CRLF text with the same lines as LF', () => {
    const lf = SOURCE;
    const crlf = SOURCE.replace(/\n/g, '\r\n');
    for (let line = 1; line <= 14; line++) assert.deepEqual(at(crlf, line), at(lf, line), `line ${line}`);
  });

  it('counts lines as VS Code does, whatever unicode the text holds', () => {
    // U+2028 and U+0085 are line breaks for Python's str.splitlines() but not for VS Code or the tokenizer.
    const src = 'naïve = "a\u2028b\u0085c"  # ünïcödé\nπ = 3.14\nif π:\n    ok = "✓"\nlast = 1';
    assert.deepEqual(at(src, 1), [1, 1, 2]);
    assert.deepEqual(at(src, 2), [2, 2, 3]);
    assert.deepEqual(at(src, 3), [3, 4, 5]);
  });

  it('expands tabs as Python does', () => {
    const src = 'if a:\n\tx = 1\n        y = 2\nz = 3';
    assert.deepEqual(at(src, 1), [1, 3, 4]);
  });

  it('falls back to indentation when an open bracket runs to the end', () => {
    assert.deepEqual(at('def f():\n    a = 1\n    return a\nx = (\n', 1), [1, 3, 4]);
    assert.deepEqual(at('if x:\n    y\nelse:\n    z\nw = (', 1), [1, 4, 5]);
    assert.deepEqual(at('a = 1\nb = (\nc = 2\n', 3), [3, 3, 4]);
  });

  it('handles an empty file and a last empty line', () => {
    assert.deepEqual(at('', 1), [1, 0, 1]);
    assert.deepEqual(at('x = 1\n', 2), [2, 1, 2]);
  });

  describe('against Python\'s ast over real files', function () {
    this.timeout(120_000);
    const python = process.env['PY_CONTEXTS_PYTHON'] ?? 'python3';
    // The same rules over ast's statement spans (an `elif` is not a statement of its own).
    const ORACLE = `
import ast, json, sys
def spans(nodes, lines):
    for node in nodes:
        if isinstance(node, ast.stmt):
            start = min([node.lineno] + [d.lineno for d in getattr(node, 'decorator_list', ())])
            if not (isinstance(node, ast.If) and lines[node.lineno - 1].lstrip().startswith('elif')):
                yield start, node.end_lineno
        for field in ('body', 'orelse', 'finalbody', 'handlers', 'cases'):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from spans(children, lines)
def is_code(t):
    t = t.strip()
    return bool(t) and not t.startswith('#')
def next_code(lines, after):
    for i in range(after, len(lines)):
        if is_code(lines[i]):
            return i + 1
    return min(after + 1, max(len(lines), 1))
out = {}
for path in sys.argv[1:]:
    source = open(path, encoding='utf-8').read()
    lines = source.split('\\n')
    all_ = list(spans(ast.parse(source).body, lines))
    res = []
    for line in range(1, len(lines) + 1):
        starting = [s for s in all_ if s[0] == line]
        if starting:
            start, end = max(starting, key=lambda s: s[1] - s[0])
        else:
            around = [s for s in all_ if s[0] <= line <= s[1]]
            start, end = (line, line - 1) if not around or not is_code(lines[line - 1]) else min(around, key=lambda s: s[1] - s[0])
        last = max(end, line)
        later = [s[0] for s in all_ if s[0] > last]
        res.append([start, end, min(later) if later else next_code(lines, last)])
    out[path] = res
print(json.dumps(out))
`;
    const lib = spawnSync(python, ['-c', 'import os; print(os.path.dirname(os.__file__))'], { encoding: 'utf8' }).stdout.trim();
    const root = path.resolve(__dirname, '../../..');
    const files = [
      ...['argparse', 'dataclasses', 'textwrap', 'typing', 'json/decoder', 'asyncio/base_events', 'inspect', 'enum'].map((m) => path.join(lib, `${m}.py`)),
      ...fs.readdirSync(path.join(root, 'python/py_contexts')).filter((f) => f.endsWith('.py')).map((f) => path.join(root, 'python/py_contexts', f)),
    ].filter((f) => fs.existsSync(f));

    it(`agrees on every line of ${files.length} files`, () => {
      const res = spawnSync(python, ['-c', ORACLE, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      assert.equal(res.status, 0, res.stderr);
      const want = JSON.parse(res.stdout) as Record<string, number[][]>;
      let lines = 0;
      const wrong: string[] = [];
      for (const file of files) {
        const find = statementFinder(splitLines(fs.readFileSync(file, 'utf8')));
        (want[file] ?? []).forEach((w, i) => {
          lines++;
          const got = find(i + 1);
          const g = [got.start, got.end, got.next];
          if (g.join() !== w.join()) wrong.push(`${file}:${i + 1}: got ${g.join(',')}, ast ${w.join(',')}`);
        });
      }
      assert.ok(lines > 10_000, `only ${lines} lines compared`);
      assert.deepEqual(wrong.slice(0, 10), []);
    });
  });
});
