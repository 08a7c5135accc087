import * as assert from 'node:assert/strict';
import { errorText, marksAfterEdit, marksAfterRun, oneLine, pyRepr, resultText, type Mark } from '../../src/surfaces/runSelection/inline';

describe('inline results', () => {
  describe('pyRepr', () => {
    const cases: [string, unknown, string][] = [
      ['None', null, 'None'],
      ['booleans', [true, false], '[True, False]'],
      ['integers and floats', [42, 0.5, -3], '[42, 0.5, -3]'],
      ['nan and infinities', [NaN, Infinity, -Infinity], '[nan, inf, -inf]'],
      ['big ints', 12345678901234567890n, '12345678901234567890'],
      ['strings with quotes and escapes', ["it's", 'a"b', 'tab\there\n'], `["it's", 'a"b', 'tab\\there\\n']`],
      ['dicts', { a: 1, b: [1, 'x'] }, "{'a': 1, 'b': [1, 'x']}"],
      ['bytes', new Uint8Array([104, 105, 0]), "b'hi\\x00'"],
      ['a Python object without a JS mapping', { type: 'DataFrame', repr: '   a\n0  1' }, '   a\n0  1'],
      ['Maps and Sets', [new Map([['k', 1]]), new Set([1])], "[{'k': 1}, {1}]"],
    ];
    for (const [name, value, want] of cases) {
      it(name, () => assert.equal(pyRepr(value), want));
    }
    it('truncates long lists', () => {
      assert.equal(pyRepr(Array.from({ length: 25 }, (_, i) => i)), `[${Array.from({ length: 20 }, (_, i) => i).join(', ')}, …]`);
    });
  });

  it('shows a value with an arrow, and a check mark for no value or None', () => {
    assert.equal(resultText(42), '→ 42');
    assert.equal(resultText(undefined), '✓');
    assert.equal(resultText(null), '✓');
    assert.equal(resultText('a\nb'), "→ 'a\\nb'");
  });

  it('keeps inline text on one line and short', () => {
    assert.equal(oneLine('a\n  b'), 'a ⏎ b');
    const long = oneLine('x'.repeat(300));
    assert.equal(long.length, 100);
    assert.ok(long.endsWith('…'));
  });

  it('formats errors', () => {
    assert.equal(errorText('ZeroDivisionError', 'division by zero'), '✗ ZeroDivisionError: division by zero');
    assert.equal(errorText('KeyboardInterrupt', ''), '✗ KeyboardInterrupt');
  });

  describe('marks and edits', () => {
    const mark = (line: number, from = line, to = line): Mark => ({ kind: 'result', line, from, to, text: `m${line}`, hover: '' });

    it('drops a mark whose lines are edited', () => {
      assert.deepEqual(marksAfterEdit([mark(5, 3, 5)], { startLine: 4, endLine: 4, insertedLineBreaks: 0 }), []);
    });
    it('keeps marks above an edit where they are', () => {
      assert.deepEqual(marksAfterEdit([mark(1)], { startLine: 4, endLine: 4, insertedLineBreaks: 2 }), [mark(1)]);
    });
    it('moves marks below an edit by the lines it adds or removes', () => {
      assert.deepEqual(marksAfterEdit([mark(6, 5, 6)], { startLine: 2, endLine: 2, insertedLineBreaks: 2 }), [
        { ...mark(8, 7, 8), text: 'm6' },
      ]);
      assert.deepEqual(marksAfterEdit([mark(6, 5, 6)], { startLine: 1, endLine: 3, insertedLineBreaks: 0 }), [
        { ...mark(4, 3, 4), text: 'm6' },
      ]);
    });
    it('an error mark outside its block is cleared by edits of either', () => {
      const err: Mark = { kind: 'error', line: 10, from: 2, to: 3, text: 'e', hover: '' };
      assert.deepEqual(marksAfterEdit([err], { startLine: 10, endLine: 10, insertedLineBreaks: 0 }), []);
      assert.deepEqual(marksAfterEdit([err], { startLine: 6, endLine: 6, insertedLineBreaks: 0 }), []);
    });
    it('a new run replaces marks on the lines it ran', () => {
      const marks = marksAfterRun([mark(1), mark(4, 3, 4), mark(9)], mark(4, 2, 4));
      assert.deepEqual(marks.map((m) => m.line), [1, 9, 4]);
    });
  });
});
