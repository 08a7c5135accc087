import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPythonError, LineTagger } from '../../src/text/outputText';
import {
  documentFilename,
  failingLine,
  findFileReferences,
  formatLocation,
  isPythonErrorLike,
  locationsFromFrames,
  type PythonErrorLike,
} from '../../src/text/traceback';

const TB = [
  'Traceback (most recent call last):',
  '  File "/ws/demo/analysis.py", line 12, in <module>',
  '    main()',
  '  File "/ws/demo/analysis.py", line 7, in main',
  '    helper()',
  '  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads',
  'ValueError: bad',
].join('\n');

const ERR: PythonErrorLike = {
  type: 'ValueError',
  pythonMessage: 'bad',
  traceback: TB,
  frames: [
    { file: '/ws/demo/analysis.py', line: 12, name: '<module>' },
    { file: '/ws/demo/analysis.py', line: 7, name: 'main' },
    { file: '<frozen importlib._bootstrap>', line: 5, name: '_call' },
    { file: '/usr/lib/python3.11/json/__init__.py', line: 346, name: 'loads' },
  ],
  chain: [],
};

describe('tracebacks → locations', () => {
  it('keeps frames of real files, innermost last', () => {
    assert.deepEqual(locationsFromFrames(ERR.frames).map(formatLocation), [
      '/ws/demo/analysis.py:12',
      '/ws/demo/analysis.py:7 in main',
      '/usr/lib/python3.11/json/__init__.py:346 in loads',
    ]);
  });

  it('marks the innermost frame in the document that ran', () => {
    assert.equal(failingLine(ERR, '/ws/demo/analysis.py'), 7);
    assert.equal(failingLine(ERR, '/elsewhere.py'), undefined);
  });

  it('marks a SyntaxError at its location (the last frame the engine sends)', () => {
    const syntax: PythonErrorLike = {
      type: 'SyntaxError',
      pythonMessage: 'invalid syntax',
      frames: [{ file: 'untitled:Untitled-1', line: 3, name: '<module>' }],
      traceback: '  File "untitled:Untitled-1", line 3\n    x = = 1\n      ^\nSyntaxError: invalid syntax',
      chain: [{ type: 'SyntaxError', message: 'invalid syntax', summary: [], frames: [], syntax: { file: 'untitled:Untitled-1', line: 3 } }],
    };
    assert.equal(failingLine(syntax, 'untitled:Untitled-1'), 3);
  });

  it('falls back to the chain when the raised exception has no frame in the document', () => {
    const chained: PythonErrorLike = {
      ...ERR,
      frames: [{ file: '/lib/x.py', line: 2, name: 'f' }],
      chain: [
        { type: 'KeyError', message: '1', summary: [], frames: [{ file: '/ws/a.py', line: 4, name: '<module>' }, { file: '/ws/a.py', line: 9, name: 'g' }] },
        { type: 'ValueError', message: 'x', summary: [], frames: [{ file: '/lib/x.py', line: 2, name: 'f' }], link: 'context' },
      ],
    };
    assert.equal(failingLine(chained, '/ws/a.py'), 9);
    assert.equal(failingLine(chained, '/ws/b.py'), undefined);
  });

  it('finds File "…", line N references with their offsets, skipping synthetic files', () => {
    const text = `x\n  File "/a b/c.py", line 3, in f\n  File "<string>", line 1\n`;
    const refs = findFileReferences(text);
    assert.deepEqual(refs, [{ start: 4, length: 24, file: '/a b/c.py', line: 3 }]);
    assert.equal(text.slice(refs[0]!.start, refs[0]!.start + refs[0]!.length), 'File "/a b/c.py", line 3');
  });

  it('compiles file documents with their path and others with their URI', () => {
    assert.equal(documentFilename({ scheme: 'file', fsPath: '/ws/a.py', toString: () => 'file:///ws/a.py' }), '/ws/a.py');
    assert.equal(documentFilename({ scheme: 'untitled', fsPath: 'Untitled-1', toString: () => 'untitled:Untitled-1' }), 'untitled:Untitled-1');
  });

  it('recognises PythonError-like values', () => {
    assert.ok(isPythonErrorLike(ERR));
    assert.ok(!isPythonErrorLike(new Error('x')));
    assert.ok(!isPythonErrorLike(null));
  });

  it('prints the traceback followed by the innermost location', () => {
    assert.equal(formatPythonError(ERR), `${TB}\n  at /usr/lib/python3.11/json/__init__.py:346 in loads`);
    assert.equal(formatPythonError({ ...ERR, traceback: '', frames: [] }), 'ValueError: bad');
  });
});

/** The tagging rule written the plain way (a concatenation per line), to check the fast one against. */
class ReferenceTagger {
  private atLineStart = true;
  private lastTag = '';
  tag(label: string, stream: 'stdout' | 'stderr', text: string): string {
    if (text === '') return '';
    const tag = stream === 'stderr' ? `[${label}:stderr] ` : `[${label}] `;
    let out = '';
    if (!this.atLineStart && tag !== this.lastTag) {
      out += '\n';
      this.atLineStart = true;
    }
    text.split('\n').forEach((part, i) => {
      if (i > 0) {
        out += '\n';
        this.atLineStart = true;
      }
      if (part === '') return;
      if (this.atLineStart) out += tag;
      out += part;
      this.atLineStart = false;
    });
    this.lastTag = tag;
    return out;
  }
}

describe('output tagging', () => {
  it('tags exactly as the line-by-line rule does, for any chunks, labels and streams', () => {
    const chunk = fc.record({
      label: fc.constantFrom('a.py', 'b.py', '$&.py', "$'x$$.py"),
      stream: fc.constantFrom('stdout' as const, 'stderr' as const),
      text: fc.stringMatching(/^[ab\n\r$&]{0,12}$/),
    });
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 12 }), (chunks) => {
        const fast = new LineTagger();
        const ref = new ReferenceTagger();
        for (const c of chunks) assert.equal(fast.tag(c.label, c.stream, c.text), ref.tag(c.label, c.stream, c.text));
      }),
      { numRuns: 2000 },
    );
  });

  it('tags every line with its document, continuing partial lines', () => {
    const t = new LineTagger();
    assert.equal(t.tag('a.py', 'stdout', 'hel'), '[a.py] hel');
    assert.equal(t.tag('a.py', 'stdout', 'lo\nwor'), 'lo\n[a.py] wor');
    assert.equal(t.tag('a.py', 'stdout', 'ld\n'), 'ld\n');
    assert.equal(t.tag('a.py', 'stdout', '\n'), '\n');
  });

  it('starts a new line when another document interrupts a partial line', () => {
    const t = new LineTagger();
    assert.equal(t.tag('a.py', 'stdout', 'progress 1'), '[a.py] progress 1');
    assert.equal(t.tag('b.py', 'stderr', 'warn\n'), '\n[b.py:stderr] warn\n');
    assert.equal(t.tag('a.py', 'stdout', 'x'), '[a.py] x');
  });

  it('writes blocks on fresh lines', () => {
    const t = new LineTagger();
    t.tag('a.py', 'stdout', 'partial');
    assert.equal(t.block('a.py', 'stderr', 'E1\nE2'), '\n[a.py:stderr] E1\n[a.py:stderr] E2\n');
  });
});
