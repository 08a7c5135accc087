/**
 * IPython syntax in cells: the TypeScript rewrite (table tests) and, end to end, the rewritten
 * cells run by a real Python against python/py_contexts/magics.py.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { statementStarts, transformMagics } from '../../src/surfaces/notebook/magics';
import { runPython } from './_python';

const M = "__import__('py_contexts.magics').magics";

describe('notebook magics: rewrite', () => {
  const table: [string, string, string][] = [
    ['shell command', '!ls -la', `${M}.system("ls -la", False, globals())`],
    ['indented shell command', 'if True:\n    !echo hi', `if True:\n    ${M}.system("echo hi", False, globals())`],
    ['captured shell command', 'files = !ls *.py', `files = ${M}.system("ls *.py", True, globals())`],
    ['line magic', '%timeit sum(range(10))', `${M}.line("timeit", "sum(range(10))", globals())`],
    ['assigned line magic', 't = %time f(1)', `t = ${M}.line("time", "f(1)", globals())`],
    ['quotes survive', `!echo "a 'b'"`, `${M}.system("echo \\"a 'b'\\"", False, globals())`],
    ['modulo on a continuation line', 'x = (10\n     % 3)', 'x = (10\n     % 3)'],
    ['inside a triple-quoted string', 's = """\n%not magic\n!nor this\n"""', 's = """\n%not magic\n!nor this\n"""'],
    ['after a backslash continuation', 'y = 7 \\\n  % 2', 'y = 7 \\\n  % 2'],
    ['inequality', 'a != b', 'a != b'],
    ['object help', 'np.linspace?', `${M}.inspect_object("np.linspace", False, globals())`],
    ['object source', '  f??', `  ${M}.inspect_object("f", True, globals())`],
    ['CRLF line endings', '%matplotlib inline\r\nx = 1\r\n', `${M}.line("matplotlib", "inline", globals())\r\nx = 1\r\n`],
  ];
  for (const [label, source, expected] of table) {
    it(label, () => assert.equal(transformMagics(source), expected));
  }

  it('turns a %%cell magic into one call on line 1, keeping the line count', () => {
    const out = transformMagics('%%time\nx = 1\ny = 2');
    assert.equal(out, `${M}.cell("time", "", "x = 1\\ny = 2", globals())\n\n`);
    assert.equal(out.split('\n').length, 3);
  });

  it('returns the very same string for plain Python', () => {
    const src = 'x = 1\nprint(x % 2)\n';
    assert.equal(transformMagics(src), src);
  });

  it('statementStarts marks lines inside brackets, strings and continuations', () => {
    assert.deepEqual(statementStarts("a = [\n1]\nb = '''\nx'''\nc = 1 \\\n+ 2\n# '\nd"), [true, false, true, false, true, false, true, true]);
  });
});

describe('notebook magics: in a real Python', function () {
  this.timeout(60_000);
  const root = path.resolve(__dirname, '../../..');

  function runCell(source: string, expr?: string): { stdout: string; probe: unknown; value: unknown } {
    const driver = path.join(root, 'test/fixtures/notebooks/display_driver.py');
    const res = runPython([driver, path.join(root, 'python')], {
      input: JSON.stringify({ code: transformMagics(source), expr: expr ?? null }),
    });
    if (res.status !== 0) throw new Error(res.stderr);
    // The driver prints its JSON last; what the cell printed comes before it.
    const at = res.stdout.lastIndexOf('{"displays"');
    const result = JSON.parse(res.stdout.slice(at)) as { probe: unknown; value: unknown };
    return { stdout: res.stdout.slice(0, at), ...result };
  }

  it('!cmd prints, x = !cmd captures lines and sets _exit_code', () => {
    const r = runCell("!echo one\nlines = !printf 'a\\nb\\n'\nprobe = [lines, _exit_code]");
    assert.equal(r.stdout, 'one\n');
    assert.deepEqual(r.probe, [['a', 'b'], 0]);
  });

  it('%time returns the value and reports times; %timeit reports loops', () => {
    const r = runCell('probe = %time 6 * 7\n%timeit -n 3 -r 2 -1 + 1');
    assert.equal(r.probe, 42);
    assert.match(r.stdout, /^CPU times: user .+, sys: .+, total: .+\nWall time: .+\n/);
    assert.match(r.stdout, /per loop \(mean ± std\. dev\. of 2 runs, 3 loops each\)\n$/);
  });

  it('%matplotlib inline is accepted; unknown magics raise UsageError with help', () => {
    assert.equal(runCell('%matplotlib inline\nprobe = 1').probe, 1);
    const bad = runCell("try:\n    %nosuchmagic\nexcept Exception as e:\n    probe = [type(e).__name__, str(e)]");
    const [name, message] = bad.probe as [string, string];
    assert.equal(name, 'UsageError');
    assert.match(message, /%nosuchmagic is not available.*Supported: %autoreload, %cd, %env, %load_ext, %matplotlib, %pip, %pwd, %time, %timeit, %view, %who/);
  });

  it('%cd moves (quotes and spaces allowed), %cd - goes back, %pwd and !cmd follow', () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'pyc-cd-')));
    mkdirSync(path.join(dir, 'with space'));
    const r = runCell([
      'import os',
      `%cd ${dir}`,
      'a = %pwd',
      '%cd -q with space',
      'b = os.getcwd()',
      'here = !pwd -P',
      '%cd -',
      "probe = [a, b, here, os.getcwd(), _dh[0] != _dh[1]]",
    ].join('\n'));
    assert.deepEqual(r.probe, [dir, path.join(dir, 'with space'), [path.join(dir, 'with space')], dir, true]);
    assert.equal(r.stdout, `${dir}\n${dir}\n`);
  });

  it('%cd is refused where the working directory is shared by the whole editor', () => {
    const cd = runCell([
      'import sys, types',
      "sys.modules['_py_contexts_native'] = types.SimpleNamespace(private_cwd=lambda: False)",
      'try:\n    %cd /tmp\nexcept Exception as e:\n    probe = [type(e).__name__, str(e)]',
    ].join('\n'));
    const [name, message] = cd.probe as [string, string];
    assert.equal(name, 'UsageError');
    assert.match(message, /working directory is shared by the whole editor/);
  });

  it('obj? prints the signature and docstring', () => {
    const r = runCell('def f(a, b=2):\n    "Adds."\n    return a + b\nf?');
    assert.match(r.stdout, /^Type: +function\nSignature: f\(a, b=2\)\nDocstring:\nAdds\.\n/);
  });

  it('%load_ext autoreload + %autoreload 2 reload an edited module before the next cell', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pyc-reload-'));
    const code = [
      'import os, sys, py_contexts.display as d',
      `sys.path.insert(0, ${JSON.stringify(dir)})`,
      `mod = os.path.join(${JSON.stringify(dir)}, 'mymod.py')`,
      "open(mod, 'w').write('VALUE = 1\\n')",
      'import mymod',
      '%load_ext autoreload',
      '%autoreload 2',
      "open(mod, 'w').write('VALUE = 2\\n')",
      'st = os.stat(mod); os.utime(mod, (st.st_atime, st.st_mtime + 10))',
      'd.before_cell()  # the next cell starts',
      'probe = mymod.VALUE',
    ].join('\n');
    assert.equal(runCell(code).probe, 2);
  });

  it('%%time, %%capture, %%writefile and %%bash cells', () => {
    assert.match(runCell('%%time\nx = 2 ** 10\nprint(x)').stdout, /^1024\nCPU times/);
    assert.equal(runCell("%%capture out\nprint('hidden')").stdout, '');
    const dir = mkdtempSync(path.join(tmpdir(), 'pyc-magic-'));
    const file = path.join(dir, 'hello.py');
    assert.equal(runCell(`%%writefile ${file}\nprint('hi')`).stdout, `Writing ${file}\n`);
    assert.equal(readFileSync(file, 'utf8'), "print('hi')\n");
    assert.equal(runCell('%%bash\necho from bash').stdout, 'from bash\n');
  });
});
