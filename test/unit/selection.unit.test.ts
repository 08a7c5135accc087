import * as assert from 'node:assert/strict';
import { blockFromLines, blockFromSelection, dedent, splitLines } from '../../src/surfaces/runSelection/selection';

describe('selection → code', () => {
  describe('dedent', () => {
    const cases: [string, string, string][] = [
      ['no indentation', 'a = 1\nb = 2', 'a = 1\nb = 2'],
      ['common indentation', '    a = 1\n    if a:\n        b = 2', 'a = 1\nif a:\n    b = 2'],
      ['blank lines do not count and become empty', '    a = 1\n\n  \n    b = 2', 'a = 1\n\n\nb = 2'],
      ['tabs', '\ta = 1\n\tb = 2', 'a = 1\nb = 2'],
      ['mixed prefixes share only their common part', '\t  a\n\t b', ' a\nb'],
    ];
    for (const [name, input, want] of cases) {
      it(name, () => assert.equal(dedent(input), want));
    }
  });

  describe('blockFromLines', () => {
    const lines = splitLines('x = 1\n\ndef f():\n    y = 2\n    return y\n# done\n');
    it('keeps the first line number and finds the last line with code', () => {
      assert.deepEqual(blockFromLines(lines, 3, 6), { code: 'def f():\n    y = 2\n    return y', firstLine: 3, lastLine: 5 });
    });
    it('dedents an indented body and keeps its real line numbers', () => {
      assert.deepEqual(blockFromLines(lines, 4, 5), { code: 'y = 2\nreturn y', firstLine: 4, lastLine: 5 });
    });
    it('skips leading blank and comment lines', () => {
      assert.deepEqual(blockFromLines(lines, 2, 3), { code: 'def f():', firstLine: 3, lastLine: 3 });
    });
    it('runs nothing for blank or comment-only lines', () => {
      assert.equal(blockFromLines(lines, 2, 2), undefined);
      assert.equal(blockFromLines(lines, 6, 7), undefined);
    });
    it('wraps in `if True:` one line earlier when a later line is less indented', () => {
      const src = splitLines('def g():\n    s = """\nleft\n    """\n    return s');
      assert.deepEqual(blockFromLines(src, 2, 4), {
        code: 'if True:\n    s = """\nleft\n    """',
        firstLine: 1,
        lastLine: 4,
      });
    });
    it('clamps to the document', () => {
      assert.deepEqual(blockFromLines(lines, 0, 1), { code: 'x = 1', firstLine: 1, lastLine: 1 });
      assert.deepEqual(blockFromLines(['a'], 1, 99), { code: 'a', firstLine: 1, lastLine: 1 });
    });
  });

  describe('blockFromSelection', () => {
    const lines = splitLines('total = price * qty\nif total:\n    print(total)\n    print("x")\n');
    it('runs exactly the selected text within one line', () => {
      assert.deepEqual(blockFromSelection(lines, { startLine: 0, startChar: 8, endLine: 0, endChar: 19 }), {
        code: 'price * qty',
        firstLine: 1,
        lastLine: 1,
      });
    });
    it('runs whole lines for a selection over several lines', () => {
      assert.deepEqual(blockFromSelection(lines, { startLine: 1, startChar: 3, endLine: 2, endChar: 5 }), {
        code: 'if total:\n    print(total)',
        firstLine: 2,
        lastLine: 3,
      });
    });
    it('does not include a last line selected only up to its start', () => {
      assert.deepEqual(blockFromSelection(lines, { startLine: 2, startChar: 0, endLine: 3, endChar: 0 }), {
        code: 'print(total)',
        firstLine: 3,
        lastLine: 3,
      });
    });
    it('runs nothing for a selection of whitespace', () => {
      assert.equal(blockFromSelection(['    x'], { startLine: 0, startChar: 0, endLine: 0, endChar: 3 }), undefined);
    });
  });

  it('splits CRLF and LF text the way VS Code counts lines', () => {
    assert.deepEqual(splitLines('a\r\nb\nc'), ['a', 'b', 'c']);
  });
});
