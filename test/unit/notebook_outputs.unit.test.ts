import * as assert from 'node:assert/strict';
import {
  encodeMimeValue,
  errorOutput,
  formatTraceback,
  readDisplay,
  richOutput,
  sortMimes,
  streamOutput,
  suppressesResult,
  STDERR_MIME,
  STDOUT_MIME,
  type CellLookup,
  type OutputItemSpec,
} from '../../src/surfaces/notebook/outputs';
import { isPythonErrorLike, type PythonErrorLike } from '../../src/text/traceback';
import type { PythonException } from '../../src/engine/errors';
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

/** An exception as python/py_contexts/tracebacks.py describes it. */
function exc(over: Partial<PythonException> = {}): PythonException {
  return { type: 'ZeroDivisionError', message: 'division by zero', summary: ['ZeroDivisionError: division by zero'], frames: [], ...over };
}

function pyError(...chain: PythonException[]): PythonErrorLike {
  const last = chain[chain.length - 1] ?? exc();
  return { type: last.type, pythonMessage: last.message, traceback: '(Python\'s text)', frames: last.frames, chain };
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
      const err = pyError(
        exc({
          frames: [
            { file: CELL3, line: 3, name: '<module>', source: 'f(a)' },
            { file: CELL1, line: 4, name: 'f', source: 'return y / 0' },
          ],
        }),
      );
      assert.equal(
        formatTraceback(err, cells),
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

    it('writes file frames as "File path:line" with the source line', () => {
      const err = pyError(
        exc({
          type: 'ValueError',
          message: 'bad',
          summary: ['ValueError: bad'],
          frames: [
            { file: CELL1, line: 1, name: '<module>', source: 'import helper' },
            { file: '/ws/helper.py', line: 12, name: '<module>', source: 'raise ValueError("bad")' },
            { file: '/ws/other.py', line: 3, name: 'g', source: '' },
          ],
        }),
      );
      const out = formatTraceback(err, cells).split('\n');
      assert.equal(out[1], 'Cell In[1], line 1');
      assert.deepEqual(out.slice(-4), ['File /ws/helper.py:12', '---> 12 raise ValueError("bad")', 'File /ws/other.py:3, in g()', 'ValueError: bad']);
    });

    const syntaxSummary = ['    b = (', '        ^', "SyntaxError: '(' was never closed"];

    it('keeps Python\'s caret rendering of a SyntaxError under the cell header', () => {
      const err = pyError(exc({ type: 'SyntaxError', summary: syntaxSummary, syntax: { file: CELL3, line: 2 } }));
      assert.equal(formatTraceback(err, cells), ['Cell In[3], line 2', ...syntaxSummary].join('\n'));
    });

    it('shows a SyntaxError of the cell itself without the compiler\'s frames (as the engine reports it)', () => {
      const err = pyError(
        exc({
          type: 'SyntaxError',
          summary: syntaxSummary,
          syntax: { file: CELL3, line: 2 },
          frames: [{ file: '/usr/lib/python3.11/ast.py', line: 50, name: 'parse', source: 'return compile(source, filename, mode, flags,' }],
        }),
      );
      assert.equal(formatTraceback(err, cells), ['Cell In[3], line 2', ...syntaxSummary].join('\n'));
    });

    it('keeps the path to a SyntaxError in a module the cell imported', () => {
      const err = pyError(
        exc({
          type: 'SyntaxError',
          summary: ['    x = (', '        ^', "SyntaxError: '(' was never closed"],
          syntax: { file: '/ws/helper.py', line: 3 },
          frames: [{ file: CELL1, line: 1, name: '<module>', source: 'import helper' }],
        }),
      );
      const out = formatTraceback(err, cells).split('\n');
      assert.deepEqual(out.slice(0, 2), ['Traceback (most recent call last):', 'Cell In[1], line 1']);
      assert.deepEqual(out.slice(-4), ['File /ws/helper.py:3', '    x = (', '        ^', "SyntaxError: '(' was never closed"]);
    });

    it('keeps chained exceptions with Python\'s words for cause and context', () => {
      const first = exc({ type: 'KeyError', message: '1', summary: ['KeyError: 1'], frames: [{ file: CELL3, line: 1, name: '<module>', source: 'a = 1' }] });
      const second = exc({ type: 'ValueError', message: 'x', summary: ['ValueError: x'], frames: [{ file: CELL3, line: 2, name: '<module>', source: 'b = 2' }] });
      assert.match(
        formatTraceback(pyError(first, { ...second, link: 'context' }), cells),
        /KeyError: 1\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback \(most recent call last\):\nCell In\[3\], line 2\n/,
      );
      assert.match(
        formatTraceback(pyError(first, { ...second, link: 'cause' }), cells),
        /KeyError: 1\n\nThe above exception was the direct cause of the following exception:\n\nTraceback/,
      );
    });

    it('shows the summary alone when no frame is left (the engine hid its own)', () => {
      assert.equal(formatTraceback(pyError(exc({ type: 'KeyboardInterrupt', message: '', summary: ['KeyboardInterrupt'] })), cells), 'KeyboardInterrupt');
    });

    it('marks the frames left out of a very deep traceback', () => {
      const frames = Array.from({ length: 4 }, (_, i) => ({ file: '/lib/m.py', line: i + 1, name: 'g', source: '' }));
      const out = formatTraceback(pyError(exc({ frames, omitted: { after: 2, count: 2996, depth: 3000 } })), cells).split('\n');
      assert.equal(out[3], '[3,000 frames deep: the outermost 2 and the innermost 2 are shown, 2,996 in between are left out]');
      assert.equal(out.length, 1 + 4 + 1 + 1);
    });

    it('shows the members of an exception group under it', () => {
      const group = exc({
        type: 'ExceptionGroup',
        summary: ['ExceptionGroup: two (2 sub-exceptions)'],
        members: [[exc({ type: 'ValueError', summary: ['ValueError: 1'] })], [exc({ type: 'TypeError', summary: ['TypeError: 2'] })]],
      });
      assert.deepEqual(formatTraceback(pyError(group), cells).split('\n'), [
        'ExceptionGroup: two (2 sub-exceptions)',
        '+---------------- 1 ----------------',
        '| ValueError: 1',
        '+---------------- 2 ----------------',
        '| TypeError: 2',
        '+------------------------------------',
      ]);
    });

    it('matches the patterns VS Code\'s error renderer turns into links', () => {
      // Copied from extensions/notebook-renderers/src/stackTraceHelper.ts.
      const cellRegex = /(?<prefix>(?:\u001b\[.+?m)*Cell(?:\u001b\[.+?m|\s)*In(?:\u001b\[.+?m|\s)*\[(?<executionCount>\d+)\](?:\u001b\[.+?m|\s|,)+)(?<lineLabel>line (?<lineNumber>\d+)).*/;
      const fileRegex = /File\s+(?:\u001b\[.+?m)?(.+):(\d+)/;
      const lineNumberRegex = /^((?:\u001b\[.+?m|\s|-|>)*)(\d+)(?:\u001b\[.+?m)*( .*)/;
      const err = pyError(
        exc({
          frames: [
            { file: CELL3, line: 3, name: '<module>', source: 'f(a)' },
            { file: '/ws/h.py', line: 12, name: 'g', source: '1 / 0' },
          ],
        }),
      );
      const lines = formatTraceback(err, cells).split('\n');
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
        traceback: `Traceback (most recent call last):\n  File "${CELL3}", line 3, in <module>\n    f(a)\nZeroDivisionError: division by zero`,
        frames: [{ file: CELL3, line: 3, name: '<module>' }],
        chain: [exc({ frames: [{ file: CELL3, line: 3, name: '<module>', source: 'f(a)' }] })],
      });
      assert.ok(isPythonErrorLike(err));
      const out = errorOutput(err, cells);
      const item = out.items[0];
      assert.ok(item?.kind === 'error');
      assert.equal(item.name, 'ZeroDivisionError');
      assert.equal(item.message, 'division by zero');
      assert.match(item.stack, /^Traceback \(most recent call last\):\nCell In\[3\], line 3\n/);
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
      assert.ok(!isPythonErrorLike(err));
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
