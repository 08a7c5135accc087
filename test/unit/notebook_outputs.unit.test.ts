import * as assert from 'node:assert/strict';
import {
  encodeMimeValue,
  errorOutput,
  formatTraceback,
  isPythonError,
  readDisplay,
  richOutput,
  sortMimes,
  streamOutput,
  suppressesResult,
  STDERR_MIME,
  STDOUT_MIME,
  type CellLookup,
  type OutputItemSpec,
  type PythonErrorLike,
} from '../../src/surfaces/notebook/outputs';
import { isPythonNotebook, jupyterMetadata } from '../../src/surfaces/notebook/metadata';

const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

function bytesOf(item: OutputItemSpec | undefined): { mime: string; data: Uint8Array } {
  assert.ok(item && item.kind === 'bytes', `expected a bytes item, got ${JSON.stringify(item)}`);
  return item;
}

const CELL1 = 'vscode-notebook-cell:/ws/a.ipynb#W0sZmlsZQ%3D%3D';
const CELL3 = 'vscode-notebook-cell:/ws/a.ipynb#W2sZmlsZQ%3D%3D';
const cells: CellLookup = (file) =>
  ({
    [CELL1]: { executionCount: 1, source: 'import helper\ndef f(x):\n    y = x + 1\n    return y / 0\n' },
    [CELL3]: { executionCount: 3, source: 'a = 1\nb = 2\nf(a)\nc = 4\nd = 5\ne = 6' },
  })[file];

function pyError(traceback: string, over: Partial<PythonErrorLike> = {}): PythonErrorLike {
  return { type: 'ZeroDivisionError', message: 'division by zero', traceback, frames: [], ...over };
}

describe('notebook outputs', () => {
  describe('sortMimes', () => {
    it('orders like the ipynb deserializer, richest first, text/plain last', () => {
      assert.deepEqual(
        sortMimes(['text/plain', 'image/png', 'application/json', 'text/html', 'application/vnd.custom', 'x/unknown']),
        ['application/vnd.custom', 'text/html', 'image/png', 'application/json', 'text/plain', 'x/unknown'],
      );
    });
  });

  describe('encodeMimeValue', () => {
    const table: [string, unknown, string | undefined][] = [
      ['text/plain', 'hé', 'hé'],
      ['text/html', ['<p>', 'x</p>'], '<p>x</p>'],
      ['image/svg+xml', '<svg/>', '<svg/>'],
      ['application/json', { a: [1] }, '{"a":[1]}'],
      ['application/vnd.vegalite.v5+json', { mark: 'bar' }, '{"mark":"bar"}'],
      ['text/markdown', 42, undefined],
      ['image/png', 42, undefined],
    ];
    for (const [mime, value, expected] of table) {
      it(`${mime} ${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => {
        const out = encodeMimeValue(mime, value);
        assert.equal(out === undefined ? undefined : decode(out), expected);
      });
    }

    it('decodes base64 images (also with line breaks) to bytes', () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
      const b64 = png.toString('base64');
      assert.deepEqual(Buffer.from(encodeMimeValue('image/png', `${b64.slice(0, 4)}\n${b64.slice(4)}`) ?? []), png);
      assert.deepEqual(Buffer.from(encodeMimeValue('image/jpeg', b64) ?? []), png);
    });
  });

  describe('richOutput', () => {
    it('makes an execute_result with its count and Jupyter metadata, items sorted', () => {
      const out = richOutput(
        { data: { 'text/plain': 'df', 'text/html': '<table/>' }, metadata: { 'text/html': { isolated: true } } },
        'execute_result',
        7,
      );
      assert.deepEqual(out.metadata, { outputType: 'execute_result', executionCount: 7, metadata: { 'text/html': { isolated: true } } });
      assert.deepEqual(out.items.map((i) => bytesOf(i).mime), ['text/html', 'text/plain']);
      assert.equal(decode(bytesOf(out.items[0]).data), '<table/>');
    });

    it('makes a display_data without a count and drops items that do not fit their type', () => {
      const out = richOutput({ data: { 'text/plain': 'x', 'image/png': 5 }, metadata: {} }, 'display_data', 3);
      assert.deepEqual(out.metadata, { outputType: 'display_data', metadata: {} });
      assert.deepEqual(out.items.map((i) => bytesOf(i).mime), ['text/plain']);
    });
  });

  describe('readDisplay', () => {
    it('passes a plain bundle through', () => {
      const b = { data: { 'text/plain': 'x' }, metadata: { a: 1 } };
      assert.deepEqual(readDisplay(b), { kind: 'display', bundle: b, update: false });
    });
    it('reads clear_output(wait)', () => {
      assert.deepEqual(readDisplay({ data: {}, metadata: { __py_contexts__: { clear: true, wait: true } } }), { kind: 'clear', wait: true });
    });
    it('takes the display id out of the stored metadata', () => {
      const d = readDisplay({ data: { 'text/plain': 'x' }, metadata: { a: 1, __py_contexts__: { display_id: 'abc', update: true } } });
      assert.deepEqual(d, { kind: 'display', bundle: { data: { 'text/plain': 'x' }, metadata: { a: 1 } }, displayId: 'abc', update: true });
    });
  });

  it('streamOutput uses the stream MIME types and the stream output type', () => {
    assert.equal(bytesOf(streamOutput('stdout', 'a').items[0]).mime, STDOUT_MIME);
    const err = streamOutput('stderr', 'b');
    assert.equal(bytesOf(err.items[0]).mime, STDERR_MIME);
    assert.deepEqual(err.metadata, { outputType: 'stream' });
  });

  describe('formatTraceback', () => {
    it('turns cell frames into IPython "Cell In[n], line L" blocks with numbered context', () => {
      const tb = [
        'Traceback (most recent call last):',
        `  File "${CELL3}", line 3, in <module>`,
        '    f(a)',
        `  File "${CELL1}", line 4, in f`,
        '    return y / 0',
        '           ~~^~~',
        'ZeroDivisionError: division by zero',
        '',
      ].join('\n');
      assert.equal(
        formatTraceback(pyError(tb), cells),
        [
          'Traceback (most recent call last):',
          'Cell In[3], line 3',
          '      1 a = 1',
          '      2 b = 2',
          '----> 3 f(a)',
          '      4 c = 4',
          '      5 d = 5',
          'Cell In[1], line 4, in f()',
          '      2 def f(x):',
          '      3     y = x + 1',
          '----> 4     return y / 0',
          '      5 ',
          'ZeroDivisionError: division by zero',
        ].join('\n'),
      );
    });

    it('writes file frames as "File path:line" with the source line, and drops leading runtime frames', () => {
      const tb = [
        'Traceback (most recent call last):',
        '  File "/opt/ext/python/py_contexts/runtime.py", line 80, in run_cell',
        '    exec(code, ns)',
        `  File "${CELL1}", line 1, in <module>`,
        '    import helper',
        '  File "/ws/helper.py", line 12, in <module>',
        '    raise ValueError("bad")',
        'ValueError: bad',
      ].join('\n');
      const out = formatTraceback(pyError(tb, { type: 'ValueError', message: 'bad' }), cells).split('\n');
      assert.ok(!out.some((l) => l.includes('runtime.py')));
      assert.equal(out[1], 'Cell In[1], line 1');
      assert.equal(out.at(-3), 'File /ws/helper.py:12');
      assert.equal(out.at(-2), '---> 12 raise ValueError("bad")');
    });

    it('keeps Python\'s caret rendering of a SyntaxError under the cell header', () => {
      const tb = [`  File "${CELL3}", line 2`, '    b = (', '        ^', "SyntaxError: '(' was never closed"].join('\n');
      assert.equal(
        formatTraceback(pyError(tb, { type: 'SyntaxError' }), cells),
        ['Cell In[3], line 2', '    b = (', '        ^', "SyntaxError: '(' was never closed"].join('\n'),
      );
    });

    it('shows a SyntaxError of the cell itself without the compiler\'s frames (as the engine reports it)', () => {
      const tb = [
        'Traceback (most recent call last):',
        '  File "/usr/lib/python3.11/ast.py", line 50, in parse',
        '    return compile(source, filename, mode, flags,',
        '           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        `  File "${CELL3}", line 2`,
        '    b = (',
        '        ^',
        "SyntaxError: '(' was never closed",
      ].join('\n');
      assert.equal(
        formatTraceback(pyError(tb, { type: 'SyntaxError' }), cells),
        ['Cell In[3], line 2', '    b = (', '        ^', "SyntaxError: '(' was never closed"].join('\n'),
      );
    });

    it('keeps the path to a SyntaxError in a module the cell imported', () => {
      const tb = [
        'Traceback (most recent call last):',
        `  File "${CELL1}", line 1, in <module>`,
        '    import helper',
        '  File "/ws/helper.py", line 3',
        '    x = (',
        '        ^',
        "SyntaxError: '(' was never closed",
      ].join('\n');
      const out = formatTraceback(pyError(tb, { type: 'SyntaxError' }), cells).split('\n');
      assert.deepEqual(out.slice(0, 2), ['Traceback (most recent call last):', 'Cell In[1], line 1']);
      assert.ok(out.includes('File /ws/helper.py:3'));
    });

    it('keeps chained exceptions', () => {
      const tb = [
        'Traceback (most recent call last):',
        `  File "${CELL3}", line 1, in <module>`,
        '    a = 1',
        'KeyError: 1',
        '',
        'During handling of the above exception, another exception occurred:',
        '',
        'Traceback (most recent call last):',
        `  File "${CELL3}", line 2, in <module>`,
        '    b = 2',
        'ValueError: x',
      ].join('\n');
      const out = formatTraceback(pyError(tb), cells);
      assert.match(out, /KeyError: 1\n\nDuring handling[^\n]*\n\nTraceback \(most recent call last\):\nCell In\[3\], line 2\n/);
    });

    it('drops a header whose frames were all the runtime\'s', () => {
      const tb = ['Traceback (most recent call last):', '  File "/x/py_contexts/runtime.py", line 3, in run', '    x', 'KeyboardInterrupt'].join('\n');
      assert.equal(formatTraceback(pyError(tb, { type: 'KeyboardInterrupt', message: '' }), cells), 'KeyboardInterrupt');
    });

    it('builds the traceback from frames when there is no text', () => {
      const out = formatTraceback(pyError('', { frames: [{ file: CELL3, line: 3, name: '<module>' }, { file: '/lib/m.py', line: 9, name: 'g' }] }), cells);
      assert.equal(
        out,
        ['Traceback (most recent call last):', 'Cell In[3], line 3', '      1 a = 1', '      2 b = 2', '----> 3 f(a)', '      4 c = 4', '      5 d = 5', 'File /lib/m.py:9, in g()', 'ZeroDivisionError: division by zero'].join('\n'),
      );
    });

    it('matches the patterns VS Code\'s error renderer turns into links', () => {
      // Copied from extensions/notebook-renderers/src/stackTraceHelper.ts.
      const cellRegex = /(?<prefix>(?:\u001b\[.+?m)*Cell(?:\u001b\[.+?m|\s)*In(?:\u001b\[.+?m|\s)*\[(?<executionCount>\d+)\](?:\u001b\[.+?m|\s|,)+)(?<lineLabel>line (?<lineNumber>\d+)).*/;
      const fileRegex = /File\s+(?:\u001b\[.+?m)?(.+):(\d+)/;
      const lineNumberRegex = /^((?:\u001b\[.+?m|\s|-|>)*)(\d+)(?:\u001b\[.+?m)*( .*)/;
      const tb = ['Traceback (most recent call last):', `  File "${CELL3}", line 3, in <module>`, '    f(a)', '  File "/ws/h.py", line 12, in g', '    1 / 0', 'ZeroDivisionError: division by zero'].join('\n');
      const lines = formatTraceback(pyError(tb), cells).split('\n');
      assert.equal(cellRegex.exec(lines[1] ?? '')?.groups?.['lineNumber'], '3');
      assert.equal(lineNumberRegex.exec(lines[4] ?? '')?.[2], '3');
      const file = fileRegex.exec(lines.at(-3) ?? '');
      assert.deepEqual([file?.[1], file?.[2]], ['/ws/h.py', '12']);
      assert.equal(lineNumberRegex.exec(lines.at(-2) ?? '')?.[2], '12');
    });
  });

  describe('errorOutput', () => {
    it('for a PythonError: error item with the traceback, and the Jupyter error for the saved file', () => {
      // The engine's PythonError: message is "Type: text", pythonMessage the text alone.
      const err = Object.assign(new Error('ZeroDivisionError: division by zero'), {
        name: 'PythonError',
        type: 'ZeroDivisionError',
        pythonMessage: 'division by zero',
        traceback: `  File "${CELL3}", line 3, in <module>\n    f(a)\nZeroDivisionError: division by zero`,
        frames: [],
      });
      assert.ok(isPythonError(err));
      const out = errorOutput(err, cells);
      const item = out.items[0];
      assert.ok(item?.kind === 'error');
      assert.equal(item.name, 'ZeroDivisionError');
      assert.equal(item.message, 'division by zero');
      assert.match(item.stack, /^Cell In\[3\], line 3\n/);
      assert.deepEqual(out.metadata.originalError?.traceback, item.stack.split('\n'));
      assert.equal(out.metadata.outputType, 'error');
      assert.equal(out.metadata.originalError?.ename, 'ZeroDivisionError');
    });

    it('for any other failure: its message, without a JavaScript stack', () => {
      const err = new Error('Python is not available: workspace is not trusted');
      const out = errorOutput(err, cells);
      const item = out.items[0];
      assert.ok(item?.kind === 'error');
      assert.equal(item.stack, 'Error: Python is not available: workspace is not trusted');
      assert.ok(!isPythonError(err));
      assert.equal(errorOutput('plain', cells).items[0]?.kind, 'error');
    });
  });
});

describe('suppressesResult (IPython\'s trailing semicolon)', () => {
  const table: [string, boolean][] = [
    ['plt.plot(x);', true],
    ['plt.plot(x);  # no Line2D repr\n\n', true],
    ['x = 1\nx;\n# trailing comment line\n', true],
    ['x', false],
    ["s = 'a;'", false],
    ["s = 'a # b';", true],
    ["f('#');  # x", false], // a quote before '#': the comment is not stripped, so be conservative
    ['', false],
  ];
  for (const [source, expected] of table) {
    it(`${JSON.stringify(source)} → ${expected}`, () => assert.equal(suppressesResult(source), expected));
  }
});

describe('notebook metadata', () => {
  const table: [string, Record<string, unknown> | undefined, boolean][] = [
    ['language_info (VS Code ≥ 1.8x layout)', { metadata: { language_info: { name: 'python' } } }, true],
    ['kernelspec.language', { metadata: { kernelspec: { language: 'Python', name: 'python3' } } }, true],
    ['older custom layout', { custom: { metadata: { language_info: { name: 'python' } } } }, true],
    ['an R notebook', { metadata: { language_info: { name: 'R' } } }, false],
    ['no metadata', undefined, false],
    ['junk', { metadata: 'x' }, false],
  ];
  for (const [label, md, expected] of table) {
    it(`isPythonNotebook: ${label} → ${expected}`, () => assert.equal(isPythonNotebook(md), expected));
  }
  it('jupyterMetadata finds the inner object', () => {
    assert.deepEqual(jupyterMetadata({ metadata: { a: 1 } }), { a: 1 });
  });
});
