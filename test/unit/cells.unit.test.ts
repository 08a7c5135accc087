import * as assert from 'node:assert/strict';
import { cellAt, cellBlock, cellsAbove, findCells } from '../../src/surfaces/runSelection/cells';
import { splitLines } from '../../src/surfaces/runSelection/selection';

const SRC = splitLines(
  ['import os', '', '# %% Load', 'a = 1', '', '#%% [markdown]', '# Some prose', '# %%', 'b = a + 1', 'b'].join('\n'),
);

describe('# %% cells', () => {
  it('finds cells, with the text before the first marker as a cell of its own', () => {
    assert.deepEqual(
      findCells(SRC).map((c) => [c.start, c.end, c.title, c.markdown, c.hasMarker]),
      [
        [0, 1, '', false, false],
        [2, 4, 'Load', false, true],
        [5, 6, '[markdown]', true, true],
        [7, 9, '', false, true],
      ],
    );
  });

  it('has no cells without markers, and ignores a comment-only preamble', () => {
    assert.deepEqual(findCells(['x = 1', 'y = 2']), []);
    assert.deepEqual(findCells(['# header', '# %%', 'x']).map((c) => c.start), [1]);
  });

  it('gives a cell its code without the marker, at its real lines', () => {
    const cells = findCells(SRC);
    assert.deepEqual(cellBlock(SRC, cells[1]!), { code: 'a = 1', firstLine: 4, lastLine: 4 });
    assert.deepEqual(cellBlock(SRC, cells[3]!), { code: 'b = a + 1\nb', firstLine: 9, lastLine: 10 });
    assert.deepEqual(cellBlock(SRC, cells[0]!), { code: 'import os', firstLine: 1, lastLine: 1 });
  });

  it('never runs markdown cells', () => {
    assert.equal(cellBlock(SRC, findCells(SRC)[2]!), undefined);
  });

  it('finds the cell at a line and the code cells above it', () => {
    const cells = findCells(SRC);
    assert.equal(cellAt(cells, 8)?.start, 7);
    assert.equal(cellAt(cells, 3)?.title, 'Load');
    assert.deepEqual(cellsAbove(cells, cells[3]!).map((c) => c.start), [0, 2]);
    assert.deepEqual(cellsAbove(cells, cells[0]!), []);
  });
});
