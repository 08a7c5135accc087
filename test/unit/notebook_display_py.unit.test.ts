/**
 * python/py_contexts/display.py, tested without the engine: a real Python (Debian's, with
 * numpy, pandas and matplotlib from apt) runs each snippet through
 * test/fixtures/notebooks/display_driver.py, which stubs the addon's `emit_display`.
 * A missing library makes these tests fail, never skip: rich outputs are a promise.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { python, runPython } from './_python';

const root = path.resolve(__dirname, '../../..');
const driver = path.join(root, 'test/fixtures/notebooks/display_driver.py');

interface Bundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}
interface DriverResult {
  displays: Bundle[];
  value: Bundle | null;
  probe: unknown;
  stderr: string;
}

function run(code: string, expr?: string, opts: { pythonArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): DriverResult {
  const res = runPython([...(opts.pythonArgs ?? []), driver, path.join(root, 'python')], {
    input: JSON.stringify({ code, expr: expr ?? null }),
    env: { ...process.env, MPLBACKEND: '', ...opts.env },
    timeout: 60_000,
  });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`${python} failed (${res.status}):\n${res.stderr}`);
  const parsed = JSON.parse(res.stdout) as Omit<DriverResult, 'stderr'>;
  return { ...parsed, stderr: res.stderr };
}

function str(v: unknown): string {
  assert.equal(typeof v, 'string', `expected a string, got ${JSON.stringify(v)}`);
  return v as string;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

describe('display.py (in a real Python)', function () {
  this.timeout(60_000);

  describe('mime_bundle()', () => {
    it('always has text/plain, and only that for plain values', () => {
      const r = run('', '41 + 1');
      assert.deepEqual(r.value, { data: { 'text/plain': '42' }, metadata: {} });
    });

    it('pretty-prints small containers like IPython', () => {
      const r = run('', "{'key': list(range(40))}");
      const text = str(r.value?.data['text/plain']);
      assert.ok(text.startsWith("{'key': [0,\n"), text);
    });

    it('turns a pandas DataFrame into text/html', () => {
      const r = run("import pandas as pd\ndf = pd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})", 'df');
      assert.match(str(r.value?.data['text/html']), /<table[\s\S]*<td>x<\/td>/);
      assert.match(str(r.value?.data['text/plain']), /a\s+b/);
    });

    it('calls every _repr_*_ method and encodes binary images as base64', () => {
      const code = [
        'class R:',
        "    def _repr_html_(self): return '<b>h</b>'",
        "    def _repr_markdown_(self): return '# m'",
        "    def _repr_svg_(self): return '<svg/>'",
        "    def _repr_png_(self): return (b'\\x89PNG-bytes', {'width': 3})",
        "    def _repr_jpeg_(self): return b'\\xff\\xd8jpeg'",
        "    def _repr_json_(self): return {'a': [1, 2]}",
        "    def __repr__(self): return 'R()'",
      ].join('\n');
      const r = run(code, 'R()');
      const data = r.value?.data ?? {};
      assert.equal(data['text/html'], '<b>h</b>');
      assert.equal(data['text/markdown'], '# m');
      assert.equal(data['image/svg+xml'], '<svg/>');
      assert.equal(Buffer.from(str(data['image/png']), 'base64').toString('latin1'), '\x89PNG-bytes');
      assert.equal(Buffer.from(str(data['image/jpeg']), 'base64').subarray(0, 2).toString('hex'), 'ffd8');
      assert.deepEqual(data['application/json'], { a: [1, 2] });
      assert.equal(data['text/plain'], 'R()');
      assert.deepEqual(r.value?.metadata, { 'image/png': { width: 3 } });
    });

    it('honours _repr_mimebundle_ (also its (data, metadata) form) before the other methods', () => {
      const code = [
        'class M:',
        '    def _repr_mimebundle_(self, include=None, exclude=None):',
        "        return ({'text/html': '<i>bundle</i>', 'application/vnd.custom+json': {'k': 1}}, {'text/html': {'isolated': True}})",
        "    def _repr_html_(self): return 'not used'",
        "    def _repr_markdown_(self): return 'md'",
      ].join('\n');
      const r = run(code, 'M()');
      assert.equal(r.value?.data['text/html'], '<i>bundle</i>');
      assert.deepEqual(r.value?.data['application/vnd.custom+json'], { k: 1 });
      assert.equal(r.value?.data['text/markdown'], 'md');
      assert.deepEqual(r.value?.metadata, { 'text/html': { isolated: true } });
    });

    it('skips failing or unusable representations and survives a failing __repr__', () => {
      const code = [
        'class Bad:',
        '    def _repr_html_(self): raise ValueError("no html")',
        '    def _repr_json_(self): return {1: object()}',
        '    def _repr_png_(self): return 12',
        '    def __repr__(self): raise RuntimeError("boom")',
      ].join('\n');
      const r = run(code, 'Bad()');
      assert.deepEqual(Object.keys(r.value?.data ?? {}), ['text/plain']);
      assert.match(str(r.value?.data['text/plain']), /^<Bad object at 0x[0-9a-f]+ \(repr failed: RuntimeError: boom\)>$/);
    });

    it('does not call instance methods on a class', () => {
      const r = run("class C:\n    def _repr_html_(self): return '<p>instance</p>'", 'C');
      assert.deepEqual(r.value, { data: { 'text/plain': "<class '__main__.C'>" }, metadata: {} });
    });

    it('truncates a huge repr with a note', () => {
      const r = run('', "'x' * 1_000_000");
      const text = str(r.value?.data['text/plain']);
      assert.ok(text.length < 250_000, `length ${text.length}`);
      assert.match(text, /more characters not shown\]$/);
    });
  });

  describe('IPython formatters (Debian python3-ipython)', () => {
    const showsItself = readFileSync(path.join(root, 'test/fixtures/notebooks/ipython_objects.py'), 'utf8');

    it('are asked only for a value that needs them, which then shows itself or prints pretty', () => {
      const code = `${showsItself}\nimport sys\nprobe = ['IPython' in sys.modules]\ndisplay(Pretty(), 42)\nprobe.append('IPython' in sys.modules)`;
      const r = run(code, 'ShowsItself()');
      const probe = r.probe as boolean[];
      assert.deepEqual(probe, [false, true], 'imported for _repr_pretty_, not before');
      assert.deepEqual(r.displays[0]?.data, { 'text/plain': 'pretty text', 'text/html': '<b>pretty</b>' });
      assert.deepEqual(r.displays[1]?.data, { 'text/plain': '42' });
      // The trailing ShowsItself() displayed itself and leaves no value of its own.
      assert.deepEqual(r.displays[2]?.data, { 'text/html': '<p>shown by itself</p>', 'text/plain': '<IPython.core.display.HTML object>' });
      assert.deepEqual(r.value, { data: {}, metadata: {} });
      assert.equal(r.displays.length, 3);
    });

    it("use a running shell's display formatter, with the formatters registered on it", () => {
      const code = [
        'from traitlets.config import Config',
        'from IPython.core.interactiveshell import InteractiveShell',
        'config = Config()',
        "config.HistoryManager.hist_file = ':memory:'",
        'shell = InteractiveShell.instance(config=config)',
        'class Point:',
        '    def __repr__(self): return "Point()"',
        "shell.display_formatter.formatters['text/html'].for_type(Point, lambda p: '<i>a registered formatter</i>')",
        'display(Point())',
        "probe = shell.display_formatter.formatters['text/html'].lookup(Point()) is not None",
      ].join('\n');
      const r = run(code, 'Point()', { env: { IPYTHONDIR: path.join(os.tmpdir(), 'py-contexts-ipythondir') } });
      assert.equal(r.probe, true);
      assert.deepEqual(r.displays[0]?.data, { 'text/plain': 'Point()', 'text/html': '<i>a registered formatter</i>' });
      assert.deepEqual(r.value?.data, { 'text/plain': 'Point()', 'text/html': '<i>a registered formatter</i>' });
    });

    it('are replaced by ours without IPython: _ipython_display_ still shows the object, _repr_pretty_ falls back to repr', () => {
      // -S keeps site-packages (and so the real IPython) off sys.path.
      const r = run(`${showsItself}\ndisplay(Pretty())`, 'ShowsItself()', { pythonArgs: ['-S'] });
      assert.equal(r.displays[0]?.data['text/html'], '<b>pretty</b>');
      assert.equal(r.displays[0]?.data['text/plain'], 'Pretty()');
      assert.equal(r.displays[1]?.data['text/html'], '<p>shown by itself</p>');
      assert.deepEqual(r.value, { data: {}, metadata: {} });
    });
  });

  describe('display()', () => {
    it('emits one bundle per object, in order, with include/exclude/metadata/raw', () => {
      const code = [
        'class H:',
        "    def _repr_html_(self): return '<b>1</b>'",
        "display(H(), 'two')",
        "display(H(), exclude=['text/html'])",
        "display(H(), include=['text/html'], metadata={'note': 1})",
        "display({'text/markdown': '*raw*'}, raw=True)",
        "probe = repr(display('x', display_id=True))",
      ].join('\n');
      const r = run(code);
      assert.deepEqual(r.displays.map((b) => Object.keys(b.data).sort()), [
        ['text/html', 'text/plain'],
        ['text/plain'],
        ['text/plain'],
        ['text/html'],
        ['text/markdown', 'text/plain'],
        ['text/plain'],
      ]);
      assert.equal(r.displays[1]?.data['text/plain'], "'two'");
      assert.deepEqual(r.displays[3]?.metadata, { note: 1 });
      assert.match(str(r.probe), /^<DisplayHandle/);
    });

    it('wraps HTML, Markdown, SVG, JSON and Image like IPython.display', () => {
      const code = [
        'from py_contexts.display import HTML, Markdown, SVG, JSON, Image',
        'import base64',
        "png = base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==')",
        "display(HTML('<p>h</p>'), Markdown('**m**'), SVG('<svg></svg>'), JSON({'a': 1}, expanded=True), Image(data=png, width=20))",
      ].join('\n');
      const r = run(code);
      const [html, md, svg, json, image] = r.displays;
      assert.equal(html?.data['text/html'], '<p>h</p>');
      assert.equal(md?.data['text/markdown'], '**m**');
      assert.equal(svg?.data['image/svg+xml'], '<svg></svg>');
      assert.deepEqual(json?.data['application/json'], { a: 1 });
      assert.deepEqual(json?.metadata, { 'application/json': { expanded: true, root: 'root' } });
      assert.ok(Buffer.from(str(image?.data['image/png']), 'base64').subarray(0, 4).equals(PNG_MAGIC));
      assert.deepEqual(image?.metadata, { 'image/png': { width: 20 } });
    });

    it('sends clear_output() and update_display() as control bundles', () => {
      const code = [
        "h = display('a', display_id=True)",
        "h.update('b')",
        "clear_output = __import__('py_contexts.display').display.clear_output",
        'clear_output(wait=True)',
        "display('c', display_id='fixed')",
        'probe = h.display_id',
      ].join('\n');
      const r = run(code);
      const control = r.displays.map((b) => b.metadata['__py_contexts__']);
      assert.deepEqual(control, [
        { display_id: r.probe, update: false },
        { display_id: r.probe, update: true },
        { clear: true, wait: true },
        { display_id: 'fixed', update: false },
      ]);
      assert.equal(r.displays[1]?.data['text/plain'], "'b'");
      assert.deepEqual(r.displays[2]?.data, {});
    });

    it('routes the real IPython.display.display to ours (Debian python3-ipython)', () => {
      const code = [
        'import IPython',
        'from IPython.display import display as ipy_display, HTML',
        "ipy_display(HTML('<u>ipython</u>'))",
        'from IPython.display import clear_output, update_display',
        'clear_output()',
        "update_display('u', display_id='d1')",
        "probe = [IPython.__version__, IPython.get_ipython() is None]",
      ].join('\n');
      const r = run(code);
      assert.equal(r.displays.length, 3);
      assert.equal(r.displays[0]?.data['text/html'], '<u>ipython</u>');
      assert.deepEqual(r.displays[1]?.metadata['__py_contexts__'], { clear: true, wait: false });
      assert.deepEqual(r.displays[2]?.metadata['__py_contexts__'], { display_id: 'd1', update: true });
      const [version, noShell] = r.probe as [string, boolean];
      assert.doesNotMatch(version, /shim/, 'Debian python3-ipython should be importable here');
      assert.equal(noShell, true);
    });

    it('provides a minimal IPython.display shim when IPython is not installed', () => {
      // -S keeps site-packages (and so the real IPython) off sys.path.
      const code = [
        'import IPython',
        'from IPython.display import display as ipy_display, Markdown',
        "ipy_display(Markdown('shim'))",
        'probe = [IPython.__version__, IPython.get_ipython()]',
      ].join('\n');
      const r = run(code, undefined, { pythonArgs: ['-S'] });
      assert.equal(r.displays[0]?.data['text/markdown'], 'shim');
      assert.deepEqual(r.probe, ['0.0.0+py-contexts-shim', null]);
    });
  });

  describe('matplotlib', () => {
    it('is not imported unless the cell imports it', () => {
      const r = run("import sys\nprobe = [m for m in ('matplotlib', 'IPython', 'numpy') if m in sys.modules]");
      assert.deepEqual(r.probe, []);
      assert.deepEqual(r.displays, []);
    });

    it('uses Agg even when a display is available, and sends each figure as image/png after the cell', () => {
      const code = [
        'import matplotlib.pyplot as plt',
        'import numpy as np',
        'plt.plot(np.arange(10) ** 2)',
        'fig, ax = plt.subplots()',
        "ax.bar(['a', 'b'], [1, 2])",
        'probe = plt.get_backend()',
      ].join('\n');
      const r = run(code, undefined, { env: { DISPLAY: ':0' } });
      assert.equal(String(r.probe).toLowerCase(), 'agg');
      assert.equal(r.displays.length, 2);
      for (const b of r.displays) {
        assert.ok(Buffer.from(str(b.data['image/png']), 'base64').subarray(0, 4).equals(PNG_MAGIC));
        assert.match(str(b.data['text/plain']), /^<Figure size \d+x\d+ with 1 Axes>$/);
      }
      assert.equal(r.stderr, '');
    });

    it('closes the figures, so the next cell starts clean', () => {
      const code = 'import matplotlib.pyplot as plt\nplt.plot([1, 2])';
      const r = run(code + '\nimport py_contexts.display as d\nd.after_cell()\nprobe = plt.get_fignums()');
      assert.deepEqual(r.probe, []);
      assert.equal(r.displays.length, 1);
    });

    it('shows figures at plt.show() without the Agg warning, and only once', () => {
      const code = [
        'import matplotlib.pyplot as plt',
        'plt.plot([1, 2])',
        'plt.show()',
        "display('after show')",
      ].join('\n');
      const r = run(code);
      assert.deepEqual(r.displays.map((b) => Object.keys(b.data).includes('image/png')), [true, false]);
      assert.equal(r.stderr, '');
    });

    it('shows a Figure given as the trailing value once, not again after the cell', () => {
      const r = run('import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 3])', 'fig');
      assert.ok(Buffer.from(str(r.value?.data['image/png']), 'base64').subarray(0, 4).equals(PNG_MAGIC));
      assert.equal(r.displays.length, 0);
    });

    it('shows a Figure once also when after_cell() runs before the value is formatted', () => {
      const code = [
        'import matplotlib.pyplot as plt',
        'import py_contexts.display as d',
        'fig, ax = plt.subplots()',
        'd.after_cell()',
      ].join('\n');
      const r = run(code, 'fig');
      assert.equal(r.displays.length, 1);
      assert.deepEqual(Object.keys(r.value?.data ?? {}), ['text/plain']);
      assert.match(str(r.value?.data['text/plain']), /^<Figure size/);
    });

    it('draws a figure shown in an earlier cell again when a later cell shows it', () => {
      const code = [
        'import matplotlib.pyplot as plt',
        'import py_contexts.display as d',
        'fig, ax = plt.subplots()',
        'd.after_cell()   # the end of the cell that made it',
        'd.before_cell()  # the next cell',
        "ax.set_title('changed')",
      ].join('\n');
      const r = run(code, 'fig');
      assert.equal(r.displays.length, 1);
      assert.ok(Buffer.from(str(r.value?.data['image/png']), 'base64').subarray(0, 4).equals(PNG_MAGIC));
    });

    it('leaves figures made by another thread to that thread', () => {
      const code = [
        'import threading, matplotlib.pyplot as plt',
        'def other():',
        '    plt.figure()',
        't = threading.Thread(target=other); t.start(); t.join()',
        'plt.figure()',
        'import py_contexts.display as d',
        'd.after_cell()',
        'probe = len(plt.get_fignums())',
      ].join('\n');
      const r = run(code);
      assert.equal(r.probe, 1, 'the other thread\'s figure stays open');
      assert.equal(r.displays.length, 1);
    });
  });
});
