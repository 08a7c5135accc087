import * as assert from 'node:assert/strict';
import { errorText, marksAfterEdit, marksAfterRun, oneLine, resultHover, resultText, type Mark } from '../../src/surfaces/runSelection/inline';

describe('inline results', () => {
  it('shows the repr Python made, a check mark for no value or None', () => {
    assert.equal(resultText({ repr: '42', type: 'int', truncated: false }), '→ 42');
    assert.equal(resultText({ repr: '(1, 2)', type: 'tuple', truncated: false, length: 2 }), '→ (1, 2)');
    assert.equal(resultText({ repr: '1.0', type: 'float', truncated: false }), '→ 1.0');
    assert.equal(resultText(undefined), '✓');
    assert.equal(resultText(null), '✓');
    assert.equal(resultText({ repr: 'None', type: 'NoneType', truncated: false }), '✓');
    assert.equal(resultText({ repr: '   a\n0  1', type: 'DataFrame', truncated: false }), '→ a ⏎ 0  1');
  });

  it('says in the hover what a shortened repr left out', () => {
    assert.equal(resultHover(undefined), 'no value');
    assert.equal(resultHover({ repr: '[1, 2]', type: 'list', truncated: false, length: 2 }), '[1, 2]');
    assert.equal(
      resultHover({ repr: '[0, 1, ...]', type: 'list', truncated: true, length: 1_000_000 }),
      "[0, 1, ...]\n# (list of 1,000,000 items: shortened; the whole value is `_` in the document's environment)",
    );
    assert.match(resultHover({ repr: "'aa...bb'", type: 'str', truncated: true, length: 10_000_000 }), /str of 10,000,000 characters/);
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
