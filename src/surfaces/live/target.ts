/**
 * What the editor asks about, read from the text around the cursor: the expression before
 * `name.`, `d['` or an open call, and the dotted name under a hover. Pure (no vscode), so
 * test/unit/liveTarget.unit.test.ts covers it. Only expressions Python can look up without
 * evaluating anything come out: names, attributes and subscripts with a literal key.
 */

export type CompletionTarget =
  | { kind: 'attr'; expr: string; prefix: string }
  | { kind: 'key'; expr: string; prefix: string; quote: '"' | "'" }
  | { kind: 'name'; expr: ''; prefix: string };

export interface CallTarget {
  /** The callee: `np.linspace`, `df.groupby`. */
  expr: string;
  /** 0-based index of the argument the cursor is in. */
  activeParameter: number;
  /** The keyword being written (`f(a, sep=|`), if any. */
  keyword?: string;
}

export interface HoverTarget {
  expr: string;
  /** Character offsets of the hovered word in the line (end exclusive). */
  start: number;
  end: number;
}

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const LITERAL_KEY = `\\[[ \\t]*(?:'[^'\\\\\\n]*'|"[^"\\\\\\n]*"|-?\\d+)[ \\t]*\\]`;
/** A lookup chain: `a`, `a.b`, `a['k'].c`, `a[0]`. */
const CHAIN = `${IDENT}(?:[ \\t]*\\.[ \\t]*${IDENT}|${LITERAL_KEY})*`;
/** The chain must start the expression: not after `.`, `)`, `]`, a word or a quote (`f().x`, `"s".x`). */
const NOT_AFTER = `(?<![\\w.)\\]'"])`;

const ATTR_AT_END = new RegExp(`${NOT_AFTER}(${CHAIN})[ \\t]*\\.[ \\t]*(${IDENT}|)$`);
const KEY_AT_END = new RegExp(`${NOT_AFTER}(${CHAIN})\\[[ \\t]*$`);
const NAME_AT_END = new RegExp(`${NOT_AFTER}(${IDENT})$`);
const CHAIN_AT_END = new RegExp(`${NOT_AFTER}(${CHAIN})[ \\t]*$`);
const KEYWORD_AT_END = new RegExp(`(?:^|[(,\\s])(${IDENT})\\s*=\\s*[^=,]*$`);
const PYTHON_KEYWORDS = new Set(['and', 'as', 'assert', 'async', 'await', 'def', 'del', 'elif', 'else', 'except', 'for', 'from',
  'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'while', 'with', 'yield',
  'class', 'try', 'finally', 'break', 'continue']);

interface Scan {
  /** The quote of a string left open at the end, and where its body starts. */
  openString?: { quote: '"' | "'"; triple: boolean; bodyStart: number; prefixed: boolean };
  comment: boolean;
  /** Brackets left open at the end: the bracket, its offset and the commas seen inside it at depth 0. */
  open: { bracket: string; at: number; commas: number; lastComma: number }[];
}

/** Walks Python source far enough to know what is open at its end: strings, a comment, brackets. */
function scan(text: string): Scan {
  const open: Scan['open'] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return { comment: true, open };
      i = nl + 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      const prefixed = /(?<![A-Za-z0-9_])[rRbBfFuU]{1,2}$/.test(text.slice(Math.max(0, i - 3), i));
      let j = i + q.length;
      let closed = false;
      while (j < text.length) {
        if (text[j] === '\\') {
          j += 2;
          continue;
        }
        if (!triple && text[j] === '\n') break;
        if (text.startsWith(q, j)) {
          closed = true;
          break;
        }
        j++;
      }
      if (!closed) {
        if (j >= text.length) return { openString: { quote: c, triple, bodyStart: i + q.length, prefixed }, comment: false, open };
        i = j; // an unterminated one-line string ends at the newline
        continue;
      }
      i = j + q.length;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') open.push({ bracket: c, at: i, commas: 0, lastComma: -1 });
    else if (c === ')' || c === ']' || c === '}') open.pop();
    else if (c === ',') {
      const top = open[open.length - 1];
      if (top) {
        top.commas++;
        top.lastComma = i;
      }
    }
    i++;
  }
  return { comment: false, open };
}

/** The completion asked for by the text before the cursor (the cell or file up to it). */
export function completionTarget(before: string): CompletionTarget | undefined {
  const s = scan(before);
  if (s.comment) return undefined;
  if (s.openString) {
    const { quote, triple, bodyStart, prefixed } = s.openString;
    if (triple || prefixed) return undefined;
    const typed = before.slice(bodyStart);
    const m = KEY_AT_END.exec(before.slice(0, bodyStart - 1));
    if (!m || /["'\\]/.test(typed)) return undefined;
    return { kind: 'key', expr: normalize(m[1] as string), prefix: typed, quote };
  }
  const line = before.slice(before.lastIndexOf('\n') + 1);
  const attr = ATTR_AT_END.exec(line);
  if (attr) {
    // `1.` or `from . import` are not attribute accesses.
    if (/^\d/.test(attr[1] as string) || /^\s*(from|import)\b/.test(line)) return undefined;
    return { kind: 'attr', expr: normalize(attr[1] as string), prefix: attr[2] as string };
  }
  const name = NAME_AT_END.exec(line);
  if (name && !/^\s*(from|import)\b/.test(line)) return { kind: 'name', expr: '', prefix: name[1] as string };
  return undefined;
}

/** The call the cursor is inside, with the argument it is at. */
export function callTarget(before: string): CallTarget | undefined {
  const s = scan(before);
  if (s.comment) return undefined;
  for (let k = s.open.length - 1; k >= 0; k--) {
    const o = s.open[k];
    if (!o) break;
    if (o.bracket !== '(') return undefined; // inside a list or dict literal first
    const head = before.slice(0, o.at);
    const m = CHAIN_AT_END.exec(head.slice(head.lastIndexOf('\n') + 1));
    if (!m) return undefined;
    const expr = normalize(m[1] as string);
    const last = expr.split('.').pop() ?? '';
    if (PYTHON_KEYWORDS.has(last) && !expr.includes('.')) return undefined;
    const arg = before.slice(o.lastComma >= 0 ? o.lastComma + 1 : o.at + 1);
    const kw = KEYWORD_AT_END.exec(arg);
    const target: CallTarget = { expr, activeParameter: o.commas };
    if (kw && !arg.includes('==')) target.keyword = kw[1] as string;
    return target;
  }
  return undefined;
}

/** The dotted name that ends with the word at `character` (`np.linalg` when on `linalg` of `np.linalg.norm`). */
export function hoverTarget(line: string, character: number): HoverTarget | undefined {
  const word = /[A-Za-z0-9_]/;
  let start = character;
  let end = character;
  while (start > 0 && word.test(line[start - 1] as string)) start--;
  while (end < line.length && word.test(line[end] as string)) end++;
  if (start === end || /^\d/.test(line.slice(start, end))) return undefined;
  const s = scan(line.slice(0, start));
  if (s.comment || s.openString) return undefined;
  const m = CHAIN_AT_END.exec(line.slice(0, end));
  if (!m || !(m[1] as string).endsWith(line.slice(start, end))) return undefined;
  const expr = normalize(m[1] as string);
  if (PYTHON_KEYWORDS.has(expr)) return undefined;
  return { expr, start, end };
}

/** `a . b` → `a.b`: the chain as one lookup expression. */
function normalize(chain: string): string {
  return chain.replace(/[ \t]*\.[ \t]*/g, '.');
}

/**
 * The parameter to highlight: the keyword's own when one is being written, else the
 * positional one at `index`, staying on `*args` once the arguments run past it.
 */
export function activeParameterIndex(params: readonly { name: string; kind: string }[], target: CallTarget): number {
  if (target.keyword !== undefined) {
    const i = params.findIndex((p) => p.name === target.keyword && p.kind !== 'POSITIONAL_ONLY');
    if (i >= 0) return i;
  }
  const positional = params.findIndex((p) => p.kind === 'VAR_POSITIONAL' || p.kind === 'KEYWORD_ONLY' || p.kind === 'VAR_KEYWORD');
  const star = params[positional];
  if (positional >= 0 && target.activeParameter >= positional) return star?.kind === 'VAR_POSITIONAL' ? positional : -1;
  return target.activeParameter < params.length ? target.activeParameter : -1;
}
