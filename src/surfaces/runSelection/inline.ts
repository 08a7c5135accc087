/**
 * Inline results: the text shown after the last line that ran, and how those marks follow
 * edits. Pure; tested in test/unit/inline.unit.test.ts.
 */

/** Longest inline text; the hover and the output channel have the rest. */
export const INLINE_MAX = 100;

/** The duck type of the engine's PyValue (a Python object with no JS mapping). */
interface PyValueLike {
  type: string;
  repr: string;
}

function isPyValue(v: object): v is PyValueLike {
  const o = v as Record<string, unknown>;
  return typeof o['repr'] === 'string' && typeof o['type'] === 'string' && Object.keys(o).length === 2;
}

function pyString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .split(quote)
    .join(`\\${quote}`);
  return `${quote}${body}${quote}`;
}

/**
 * A Python-looking repr of a value the engine converted to JS, so the inline result reads
 * like the REPL would print it (None, True, 'text', [1, 2], {'a': 1}).
 */
export function pyRepr(value: unknown, depth = 0): string {
  if (depth > 4) return '…';
  if (value === null) return 'None';
  switch (typeof value) {
    case 'undefined':
      return '';
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      if (Number.isNaN(value)) return 'nan';
      if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
      return String(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return pyString(value);
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Uint8Array) {
    const shown = Array.from(value.subarray(0, 40), (b) =>
      b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`,
    ).join('');
    return `b'${shown}${value.length > 40 ? '…' : ''}'`;
  }
  if (Array.isArray(value)) {
    const items = value.slice(0, 20).map((v) => pyRepr(v, depth + 1));
    if (value.length > 20) items.push('…');
    return `[${items.join(', ')}]`;
  }
  if (value instanceof Map) {
    const items = [...value.entries()].slice(0, 20).map(([k, v]) => `${pyRepr(k, depth + 1)}: ${pyRepr(v, depth + 1)}`);
    return `{${items.join(', ')}}`;
  }
  if (value instanceof Set) {
    return `{${[...value].slice(0, 20).map((v) => pyRepr(v, depth + 1)).join(', ')}}`;
  }
  if (isPyValue(value)) return value.repr;
  const entries = Object.entries(value as Record<string, unknown>);
  const items = entries.slice(0, 20).map(([k, v]) => `${pyString(k)}: ${pyRepr(v, depth + 1)}`);
  if (entries.length > 20) items.push('…');
  return `{${items.join(', ')}}`;
}

/** One line, at most `max` characters, ellipsis included. */
export function oneLine(text: string, max = INLINE_MAX): string {
  const flat = text.replace(/\s*\n\s*/g, ' ⏎ ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * The inline text for a finished run: the value, or a check mark when there was none.
 * None (null) also shows as a check mark, as the REPL prints nothing for it.
 */
export function resultText(value: unknown): string {
  return value === undefined || value === null ? '✓' : `→ ${oneLine(pyRepr(value))}`;
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
