/**
 * IPython's everyday cell syntax, rewritten into plain Python before a cell runs:
 * `!cmd`, `x = !cmd`, `obj?`, `%magic args`, `x = %magic args` and a `%%magic` first line. The
 * calls go to python/py_contexts/magics.py, which implements the magics themselves.
 *
 * The rewrite keeps every line on its line, so tracebacks and the source registered for
 * the cell (its original text) still agree line for line. Lines inside brackets, strings
 * or after a backslash continuation are left alone: there, `%` is the modulo operator and
 * `!` may be part of `!=`.
 */

const MODULE = "__import__('py_contexts.magics').magics";

/** Where each line starts: inside a string or brackets, or free to hold a statement. */
export function statementStarts(source: string): boolean[] {
  const starts: boolean[] = [true];
  let depth = 0;
  let quote: '' | "'" | '"' | "'''" | '"""' = '';
  let continued = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\') {
        if (source[i + 1] === '\n') starts.push(false);
        i++;
      } else if (source.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = '';
      } else if (ch === '\n') {
        // A single-quoted string cannot span lines; the code is broken, so start afresh.
        if (quote.length === 1) quote = '';
        starts.push(quote === '' && depth === 0);
      }
      continue;
    }
    if (ch === '#') {
      while (i + 1 < source.length && source[i + 1] !== '\n') i++;
    } else if (ch === '"' || ch === "'") {
      quote = source.startsWith(ch.repeat(3), i) ? (ch.repeat(3) as "'''" | '"""') : ch;
      i += quote.length - 1;
    } else if (ch === '(' || ch === '[' || ch === '{') {
      depth++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      depth = Math.max(0, depth - 1);
    } else if (ch === '\\' && source[i + 1] === '\n') {
      continued = true;
      i++;
      starts.push(false);
      continue;
    } else if (ch === '\n') {
      starts.push(depth === 0 && !continued);
    }
    continued = false;
  }
  return starts;
}

/** `obj?` / `obj??` on a line of its own: IPython's object help. */
const HELP = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\?\??)\s*$/;
const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*=\s*([!%])(.*)$/;
const LINE_MAGIC = /^%([A-Za-z_][A-Za-z0-9_]*)(.*)$/;

function call(fn: string, ...args: string[]): string {
  return `${MODULE}.${fn}(${[...args, 'globals()'].join(', ')})`;
}

function rewriteLine(line: string): string | undefined {
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const body = line.slice(indent.length);
  const help = HELP.exec(body);
  if (help) return `${indent}${MODULE}.inspect_object(${JSON.stringify(help[1])}, ${help[2] === '??' ? 'True' : 'False'}, globals())`;
  const assign = ASSIGN.exec(body);
  if (assign) {
    const [, target = '', kind, rest = ''] = assign;
    if (kind === '!') return `${indent}${target} = ${call('system', JSON.stringify(rest.trim()), 'True')}`;
    const m = LINE_MAGIC.exec(`%${rest}`);
    if (!m) return undefined;
    return `${indent}${target} = ${call('line', JSON.stringify(m[1]), JSON.stringify((m[2] ?? '').trim()))}`;
  }
  if (body.startsWith('!')) return `${indent}${call('system', JSON.stringify(body.slice(1).trim()), 'False')}`;
  if (body.startsWith('%') && !body.startsWith('%%')) {
    const m = LINE_MAGIC.exec(body);
    if (!m) return undefined;
    return `${indent}${call('line', JSON.stringify(m[1]), JSON.stringify((m[2] ?? '').trim()))}`;
  }
  return undefined;
}

/**
 * The cell as plain Python. Returns the source unchanged (the same string) when it has no
 * IPython syntax, which is the common case and keeps the engine's compile cache warm.
 */
export function transformMagics(source: string): string {
  if (!/^\s*[!%]|=\s*[!%]|\?\s*$/m.test(source)) return source;
  const lines = source.split('\n');
  const cellMagic = /^%%([A-Za-z_][A-Za-z0-9_]*)(.*)$/.exec((lines[0] ?? '').replace(/\r$/, ''));
  if (cellMagic) {
    // The whole cell is the magic's input. The call sits on line 1 and the body lines
    // stay as blank lines, so later line numbers still match the cell.
    const body = lines.slice(1).join('\n');
    const first = call('cell', JSON.stringify(cellMagic[1]), JSON.stringify((cellMagic[2] ?? '').trim()), JSON.stringify(body));
    return [first, ...lines.slice(1).map(() => '')].join('\n');
  }
  const starts = statementStarts(source);
  let changed = false;
  const out = lines.map((line, i) => {
    if (!starts[i]) return line;
    const cr = line.endsWith('\r') ? '\r' : '';
    const rewritten = rewriteLine(cr ? line.slice(0, -1) : line);
    if (rewritten === undefined) return line;
    changed = true;
    return rewritten + cr;
  });
  return changed ? out.join('\n') : source;
}
