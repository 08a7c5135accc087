/**
 * The statement under the cursor, found without Python: Shift+Enter with nothing selected
 * must move the cursor at once, even while the document's context runs a long job, so this
 * cannot be a call that queues behind it. Pure; tested in test/unit/statements.unit.test.ts,
 * which also checks it against Python's own `ast` over real files.
 *
 * Python's tokenizer rules are followed as far as statement boundaries need them: strings
 * (prefixes, triple quotes, escapes, f-string replacement fields with nested quotes),
 * comments, brackets and backslash continuations make logical lines; indentation, a header
 * ending in `:`, decorators and the `else`/`elif`/`except`/`finally` clauses (and `case`
 * inside `match`) make statements out of them. Lines are VS Code's (split on `\n` and
 * `\r\n` only), 1-based and inclusive, as in tracebacks.
 */

/** A logical line: physical lines `start..end` joined by brackets, strings or backslashes. */
interface LogicalLine {
  start: number;
  end: number;
  /** Column of the first token, tabs expanded to multiples of 8 as Python does. */
  indent: number;
  /** The leading identifier (`if`, `else`, `def`…), or '' (an expression, a decorator's `@`). */
  word: string;
  decorator: boolean;
  /** The last token at bracket depth 0 is `:`: a compound statement's header. */
  header: boolean;
}

interface Statement {
  start: number;
  end: number;
  children: Statement[];
  /** A `case` clause: not a statement of its own; its body's statements are. */
  transparent: boolean;
}

const CLAUSES = new Set(['else', 'elif', 'except', 'finally']);
const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

function indentWidth(line: string): number {
  let col = 0;
  for (const ch of line) {
    if (ch === ' ') col++;
    else if (ch === '\t') col = (Math.floor(col / 8) + 1) * 8;
    else if (ch === '\f') col = 0;
    else break;
  }
  return col;
}

/**
 * Splits `lines` into logical lines. `complete` is false when the text ends inside a
 * bracket or a triple-quoted string: then everything after the opening would be swallowed,
 * and the caller falls back to indentation.
 */
export function logicalLines(lines: readonly string[]): { logical: LogicalLine[]; complete: boolean } {
  const logical: LogicalLine[] = [];
  let depth = 0;
  let current: LogicalLine | undefined;
  // A string still open at the end of a physical line (triple-quoted, or an escaped newline).
  let open: { quote: string; raw: boolean; fstring: boolean } | undefined;
  let lastSignificant = '';
  let continued = false;
  // Replacement fields of f-strings being scanned: each has its string, its bracket depth,
  // whether its format spec (after a top-level `:`) has started, and whether it sits inside
  // another field's format spec (`{x:>{width}}`) rather than directly in the string.
  const fields: { quote: string; raw: boolean; depth: number; spec: boolean; nested: boolean }[] = [];

  for (let n = 1; n <= lines.length; n++) {
    const text = lines[n - 1] ?? '';
    let i = 0;
    if (!current && !open) {
      const body = text.trimStart();
      if (body === '' || body.startsWith('#')) continue;
      current = { start: n, end: n, indent: indentWidth(text), word: /^[A-Za-z_]\w*/.exec(body)?.[0] ?? '', decorator: body.startsWith('@'), header: false };
      lastSignificant = '';
      i = text.length - body.length;
    }
    if (current) current.end = n;
    continued = false;

    // Scans the rest of a string that started earlier (or at `i`); returns the index after it, or -1.
    const scanString = (quote: string, raw: boolean, fstring: boolean, from: number): number => {
      let j = from;
      while (j < text.length) {
        const ch = text[j];
        if (ch === '\\') {
          j += 2;
          continue;
        }
        if (fstring && ch === '{') {
          if (text[j + 1] === '{') {
            j += 2;
            continue;
          }
          fields.push({ quote, raw, depth: 0, spec: false, nested: false });
          return -(j + 2); // resume in the field's expression at j + 1
        }
        if (text.startsWith(quote, j)) return j + quote.length;
        j++;
      }
      return -1;
    };

    if (open) {
      const at = scanString(open.quote, open.raw, open.fstring, 0);
      if (at === -1) {
        // A one-quote string ends at the line's end unless escaped (Python's error; our statement ends here).
        if (open.quote.length === 1 && !text.endsWith('\\')) open = undefined;
        i = text.length;
      } else {
        i = at < -1 ? -at - 1 : at;
        open = undefined;
      }
    }

    while (i < text.length) {
      const ch = text[i] ?? '';
      const field = fields[fields.length - 1];
      if (field?.spec && ch !== '}') {
        // A format spec is text, except for the fields nested in it.
        if (ch === '{') fields.push({ quote: field.quote, raw: field.raw, depth: 0, spec: false, nested: true });
        i++;
        continue;
      }
      if (field && ch === ':' && field.depth === 0 && text[i + 1] !== '=') {
        field.spec = true;
        i++;
        continue;
      }
      if (ch === '#') break;
      if (ch === ' ' || ch === '\t' || ch === '\f') {
        i++;
        continue;
      }
      if (ch === '\\' && i === text.length - 1) {
        continued = true;
        i++;
        continue;
      }
      if (field && ch === '}' && field.depth === 0) {
        // The end of an f-string's replacement field: back into its string (or the spec around it).
        fields.pop();
        if (field.nested) {
          i++;
          continue;
        }
        const at = scanString(field.quote, field.raw, true, i + 1);
        if (at === -1) {
          open = { quote: field.quote, raw: field.raw, fstring: true };
          break;
        }
        i = at < -1 ? -at - 1 : at;
        lastSignificant = 'str';
        continue;
      }
      if ('([{'.includes(ch)) {
        if (field) field.depth++;
        else depth++;
        lastSignificant = ch;
        i++;
        continue;
      }
      if (')]}'.includes(ch)) {
        if (field) field.depth = Math.max(0, field.depth - 1);
        else depth = Math.max(0, depth - 1);
        lastSignificant = ch;
        i++;
        continue;
      }
      const word = /^[A-Za-z_]\w*/.exec(text.slice(i))?.[0];
      const prefix = word !== undefined && STRING_PREFIX.test(word) && (text[i + word.length] === '"' || text[i + word.length] === "'");
      if (ch === '"' || ch === "'" || prefix) {
        const p = prefix && word ? word.toLowerCase() : '';
        const q = text[i + p.length] ?? '"';
        const triple = text.startsWith(q.repeat(3), i + p.length);
        const quote = triple ? q.repeat(3) : q;
        const raw = p.includes('r');
        const fstring = p.includes('f');
        const at = scanString(quote, raw, fstring, i + p.length + quote.length);
        lastSignificant = 'str';
        if (at === -1) {
          if (triple || text.endsWith('\\')) open = { quote, raw, fstring };
          break;
        }
        i = at < -1 ? -at - 1 : at;
        continue;
      }
      if (word !== undefined) {
        lastSignificant = word;
        i += word.length;
        continue;
      }
      lastSignificant = ch;
      i++;
    }

    if (current && !open && depth === 0 && fields.length === 0 && !continued) {
      current.header = lastSignificant === ':';
      logical.push(current);
      current = undefined;
    }
  }
  if (current) logical.push(current);
  return { logical, complete: depth === 0 && !open && fields.length === 0 };
}

/** Statements of the suite starting at `lines[i]`, all indented deeper than `parent`. */
function parseSuite(lines: readonly LogicalLine[], i: number, parent: number, inMatch: boolean): [Statement[], number] {
  const out: Statement[] = [];
  while (i < lines.length && (lines[i]?.indent ?? -1) > parent) {
    const [stmt, next] = parseStatement(lines, i, inMatch);
    out.push(stmt);
    i = next;
  }
  return [out, i];
}

function parseStatement(lines: readonly LogicalLine[], i: number, inMatch: boolean): [Statement, number] {
  const first = lines[i] as LogicalLine;
  const indent = first.indent;
  // Decorators belong to the def or class under them.
  while (first.decorator && (lines[i + 1]?.indent ?? -1) === indent && lines[i]?.decorator) i++;
  const head = lines[i] as LogicalLine;
  const stmt: Statement = { start: first.start, end: head.end, children: [], transparent: inMatch && head.word === 'case' && head.header };
  let clause: LogicalLine | undefined = head;
  i++;
  while (clause) {
    stmt.end = Math.max(stmt.end, clause.end);
    if (clause.header) {
      const [children, next] = parseSuite(lines, i, indent, clause === head && head.word === 'match');
      stmt.children.push(...children);
      for (const c of children) stmt.end = Math.max(stmt.end, c.end);
      i = next;
    }
    const after = lines[i];
    clause = after && after.indent === indent && CLAUSES.has(after.word) ? after : undefined;
    if (clause) i++;
  }
  return [stmt, i];
}

function spans(stmts: readonly Statement[], out: [number, number][] = []): [number, number][] {
  for (const s of stmts) {
    if (!s.transparent) out.push([s.start, s.end]);
    spans(s.children, out);
  }
  return out;
}

const isCode = (text: string): boolean => {
  const t = text.trim();
  return t !== '' && !t.startsWith('#');
};

function nextCodeLine(lines: readonly string[], after: number): number {
  for (let i = after; i < lines.length; i++) if (isCode(lines[i] ?? '')) return i + 1;
  return Math.min(after + 1, Math.max(lines.length, 1));
}

/**
 * For text that does not tokenize (an open bracket or string runs to the end): the
 * statement continues over blank lines, deeper-indented lines and the usual dedented
 * continuations (closing brackets, else/elif/except/finally).
 */
function fallbackRange(lines: readonly string[], line: number): [number, number] {
  const base = indentWidth(lines[line - 1] ?? '');
  let end = line;
  for (let i = line; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (!isCode(text)) continue;
    const stripped = text.trimStart();
    const word = /^[A-Za-z_]\w*/.exec(stripped)?.[0] ?? '';
    const continuation = ')]}'.includes(stripped[0] ?? 'x') || CLAUSES.has(word);
    const ind = indentWidth(text);
    if (ind > base || (ind === base && continuation)) end = i + 1;
    else break;
  }
  return [line, end];
}

/** What Shift+Enter runs with nothing selected. `start > end` when it runs nothing. */
export interface StatementRange {
  start: number;
  end: number;
  /** Where the cursor goes next: the next statement, or the next line with code. */
  next: number;
}

/**
 * The statement to run for the cursor on `line` (1-based):
 * - a line that starts statements runs the outermost of them (`if x: y()` runs the `if`;
 *   a `def` runs with its decorators and body);
 * - a line inside a statement that starts elsewhere (a continuation inside brackets or a
 *   string, an `else:`) runs the innermost statement around it;
 * - a blank or comment line runs nothing.
 */
export function statementAt(lines: readonly string[], line: number): StatementRange {
  return statementFinder(lines)(line);
}

/** statementAt for many lines of one text, which is read once. */
export function statementFinder(lines: readonly string[]): (line: number) => StatementRange {
  if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) return () => ({ start: 1, end: 0, next: 1 });
  const { logical, complete } = logicalLines(lines);
  const all = complete ? spans(parseSuite(logical, 0, -1, false)[0]) : [];
  return (line) => {
    line = Math.max(1, Math.min(line, lines.length));
    const current = lines[line - 1] ?? '';
    if (!complete) {
      if (!isCode(current)) return { start: line, end: line - 1, next: nextCodeLine(lines, line) };
      const [start, end] = fallbackRange(lines, line);
      return { start, end, next: nextCodeLine(lines, end) };
    }
    let start = line;
    let end = line - 1;
    const starting = all.filter((s) => s[0] === line);
    if (starting.length > 0) {
      [start, end] = starting.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a));
    } else if (isCode(current)) {
      const around = all.filter((s) => s[0] <= line && line <= s[1]);
      if (around.length > 0) [start, end] = around.reduce((a, b) => (b[1] - b[0] < a[1] - a[0] ? b : a));
    }
    const last = Math.max(end, line);
    let next = Infinity;
    for (const s of all) if (s[0] > last && s[0] < next) next = s[0];
    return { start, end, next: Number.isFinite(next) ? next : nextCodeLine(lines, last) };
  };
}
