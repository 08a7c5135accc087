/**
 * `# %%` cells in plain .py files, as Spyder, the Python extension and Jupytext write
 * them. Pure; tested in test/unit/cells.unit.test.ts.
 */
import type { CodeBlock } from '../contracts';
import { blockFromLines } from './selection';

/** A line that starts a cell: `# %%`, optionally followed by a title or `[markdown]`. */
const MARKER = /^\s*#\s?%%(.*)$/;

export interface Cell {
  /** 0-based line of the `# %%` marker, or of the first line for text before any marker. */
  start: number;
  /** 0-based last line of the cell (the line before the next marker, or the file's last). */
  end: number;
  title: string;
  /** `# %% [markdown]` cells hold prose in comments and are never run. */
  markdown: boolean;
  /** True when the cell starts with a marker line (the text before the first marker does not). */
  hasMarker: boolean;
}

/** The cells of a file; empty when the file has no `# %%` marker at all. */
export function findCells(lines: readonly string[]): Cell[] {
  const markers: number[] = [];
  lines.forEach((l, i) => {
    if (MARKER.test(l)) markers.push(i);
  });
  if (markers.length === 0) return [];
  const cells: Cell[] = [];
  const first = markers[0] ?? 0;
  if (first > 0 && lines.slice(0, first).some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) {
    cells.push({ start: 0, end: first - 1, title: '', markdown: false, hasMarker: false });
  }
  markers.forEach((m, k) => {
    const rest = (MARKER.exec(lines[m] ?? '')?.[1] ?? '').trim();
    const markdown = /^\[(markdown|md)\]/i.test(rest);
    const next = markers[k + 1];
    cells.push({ start: m, end: (next ?? lines.length) - 1, title: rest, markdown, hasMarker: true });
  });
  return cells;
}

/** The cell holding 0-based `line`, if any. */
export function cellAt(cells: readonly Cell[], line: number): Cell | undefined {
  return cells.find((c) => c.start <= line && line <= c.end);
}

/** A cell's code, without its marker line, with real line numbers. Undefined when it has none. */
export function cellBlock(lines: readonly string[], cell: Cell): CodeBlock | undefined {
  if (cell.markdown) return undefined;
  const first = cell.hasMarker ? cell.start + 2 : cell.start + 1;
  return blockFromLines(lines, first, cell.end + 1);
}

/** The code cells strictly above `cell`, in order: what "Run Above" runs. */
export function cellsAbove(cells: readonly Cell[], cell: Cell): Cell[] {
  return cells.filter((c) => c.end < cell.start && !c.markdown);
}
