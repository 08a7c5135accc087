/**
 * Inline results: the text shown after the last line that ran, and how those marks follow
 * edits. Pure; tested in test/unit/inline.unit.test.ts.
 */
import type { ValueRepr } from '../../engine/types';

/** Longest inline text; the hover and the output channel have the rest. */
export const INLINE_MAX = 100;

/** One line, at most `max` characters, ellipsis included. */
export function oneLine(text: string, max = INLINE_MAX): string {
  const flat = text.replace(/\s*\n\s*/g, ' ⏎ ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * The inline text for a finished run: the value as Python's repr (made in Python, bounded),
 * or a check mark when there was none. None also shows as a check mark, as the REPL prints
 * nothing for it.
 */
export function resultText(value: ValueRepr | null | undefined): string {
  return !value || value.type === 'NoneType' ? '✓' : `→ ${oneLine(value.repr)}`;
}

/** The hover of a result: the whole bounded repr, and what was left out of it. */
export function resultHover(value: ValueRepr | null | undefined): string {
  if (!value) return 'no value';
  if (!value.truncated) return value.repr;
  const size = value.length !== undefined ? ` of ${value.length.toLocaleString('en-US')} ${/^(str|bytes|bytearray)$/.test(value.type) ? 'characters' : 'items'}` : '';
  return `${value.repr}\n# (${value.type}${size}: shortened; the whole value is \`_\` in the document's environment)`;
}

/** The inline text for a failed run. */
export function errorText(type: string, message: string): string {
  return oneLine(`✗ ${message ? `${type}: ${message}` : type}`);
}

/** A result or error shown in a document. Lines are 0-based. */
export interface Mark {
  kind: 'result' | 'error';
  /** The line whose end shows the text. */
  line: number;
  /** The lines that ran; editing any of them (or `line`) clears the mark. */
  from: number;
  to: number;
  text: string;
  /** Longer text for the hover (the full repr or the traceback). */
  hover: string;
}

/** One text change in VS Code's terms: the replaced lines and how many lines replace them. */
export interface LineEdit {
  startLine: number;
  endLine: number;
  /** Number of line breaks in the inserted text. */
  insertedLineBreaks: number;
}

function touches(mark: Mark, edit: LineEdit): boolean {
  const lo = Math.min(mark.from, mark.line);
  const hi = Math.max(mark.to, mark.line);
  return edit.startLine <= hi && edit.endLine >= lo;
}

/**
 * Marks after an edit: marks on edited lines disappear (their text no longer describes the
 * code), and marks below the edit move with their lines.
 */
export function marksAfterEdit(marks: readonly Mark[], edit: LineEdit): Mark[] {
  const delta = edit.insertedLineBreaks - (edit.endLine - edit.startLine);
  const out: Mark[] = [];
  for (const m of marks) {
    if (touches(m, edit)) continue;
    const below = Math.min(m.from, m.line) > edit.endLine;
    out.push(below && delta !== 0 ? { ...m, line: m.line + delta, from: m.from + delta, to: m.to + delta } : m);
  }
  return out;
}

/** Marks after a new run: an older mark on the same lines gives way to the new one. */
export function marksAfterRun(marks: readonly Mark[], mark: Mark): Mark[] {
  const kept = marks.filter((m) => m.line !== mark.line && (m.to < mark.from || m.from > mark.to));
  return [...kept, mark];
}
