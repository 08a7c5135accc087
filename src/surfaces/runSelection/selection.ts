/**
 * Turning what the user selected into code to run. Pure: the tests in
 * test/unit/selection.unit.test.ts cover every rule here.
 *
 * Line numbers are preserved: the engine compiles the code with the document's path and
 * `firstLine`, so tracebacks and `inspect` point at the real lines of the file.
 */
import type { CodeBlock } from '../contracts';

/** A selection in VS Code's terms: 0-based lines and characters. */
export interface SelectionLike {
  startLine: number;
  startChar: number;
  endLine: number;
  endChar: number;
}

const isBlank = (line: string): boolean => line.trim() === '';

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** Removes the whitespace prefix all non-blank lines share, like Python's textwrap.dedent. */
export function dedent(text: string): string {
  const lines = text.split('\n');
  let prefix: string | undefined;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const ind = indentOf(line);
    if (prefix === undefined) {
      prefix = ind;
    } else {
      let i = 0;
      while (i < prefix.length && i < ind.length && prefix[i] === ind[i]) i++;
      prefix = prefix.slice(0, i);
    }
  }
  if (!prefix) return lines.map((l) => (isBlank(l) ? '' : l)).join('\n');
  const p = prefix;
  return lines.map((l) => (isBlank(l) ? '' : l.slice(p.length))).join('\n');
}

/**
 * Lines `first..last` (1-based, inclusive) as a block. Returns undefined when they hold no
 * code at all, so that running a blank line does nothing.
 *
 * When dedenting cannot bring the first line to column 0 (a later line is less indented,
 * e.g. the inside of a triple-quoted string), the block is wrapped in `if True:` compiled
 * one line earlier, which keeps both the meaning and the line numbers.
 */
export function blockFromLines(lines: readonly string[], first: number, last: number): CodeBlock | undefined {
  const lo = Math.max(1, first);
  const hi = Math.min(lines.length, last);
  let lastCode = 0;
  let firstCode = 0;
  for (let n = lo; n <= hi; n++) {
    const text = lines[n - 1] ?? '';
    if (!isBlank(text) && !text.trim().startsWith('#')) {
      if (!firstCode) firstCode = n;
      lastCode = n;
    }
  }
  if (!firstCode) return undefined;
  const slice = lines.slice(firstCode - 1, lastCode);
  const code = dedent(slice.join('\n'));
  const head = code.split('\n')[0] ?? '';
  if (indentOf(head) !== '' && firstCode > 1) {
    const body = slice.map((l) => (isBlank(l) ? '' : l)).join('\n');
    return { code: `if True:\n${body}`, firstLine: firstCode - 1, lastLine: lastCode };
  }
  return { code, firstLine: firstCode, lastLine: lastCode };
}

/**
 * The code of a non-empty selection. A selection inside one line runs exactly the selected
 * text (an expression, say); a selection over several lines runs those whole lines, and a
 * selection ending at the start of a line does not include that line.
 */
export function blockFromSelection(lines: readonly string[], sel: SelectionLike): CodeBlock | undefined {
  if (sel.startLine === sel.endLine) {
    const text = (lines[sel.startLine] ?? '').slice(sel.startChar, sel.endChar);
    if (isBlank(text)) return undefined;
    return { code: text.trim(), firstLine: sel.startLine + 1, lastLine: sel.startLine + 1 };
  }
  const endLine = sel.endChar === 0 ? sel.endLine - 1 : sel.endLine;
  return blockFromLines(lines, sel.startLine + 1, endLine + 1);
}

/** Splits document text into lines the way VS Code counts them. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}
