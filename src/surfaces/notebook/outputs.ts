/**
 * Turning what a cell produced into notebook outputs, without `vscode`: the controller
 * (./controller.ts) maps each OutputSpec to a `vscode.NotebookCellOutput` one to one.
 *
 * The metadata written here is what VS Code's built-in ipynb serializer reads when it saves
 * (extensions/ipynb/src/serializers.ts): `outputType` picks the Jupyter `output_type`,
 * `executionCount` becomes an execute_result's `execution_count`, `metadata` its Jupyter
 * metadata, and `originalError` an error's `traceback`. With it the saved file matches what
 * Jupyter itself would write.
 */
import type { PythonException, PythonFrame } from '../../engine/errors';
import type { DisplayData, OutputStream } from '../../engine/types';
import { isPythonErrorLike, type PythonErrorLike } from '../../text/traceback';

export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';

export type OutputItemSpec =
  | { readonly kind: 'bytes'; readonly mime: string; readonly data: Uint8Array }
  /** Becomes `NotebookCellOutputItem.error({ name, message, stack })`. */
  | { readonly kind: 'error'; readonly name: string; readonly message: string; readonly stack: string };

export type JupyterOutputType = 'execute_result' | 'display_data' | 'stream' | 'error';

export interface OutputSpec {
  readonly items: readonly OutputItemSpec[];
  readonly metadata: {
    readonly outputType: JupyterOutputType;
    readonly executionCount?: number;
    readonly metadata?: Record<string, unknown>;
    readonly originalError?: { output_type: 'error'; ename: string; evalue: string; traceback: string[] };
  };
}

const encoder = new TextEncoder();

/**
 * The order in which the ipynb deserializer sorts the items of a loaded output
 * (extensions/ipynb/src/deserializers.ts); using the same order means a freshly run cell
 * and the same cell after reopening the file show the same representation.
 */
const MIME_ORDER = [
  'application/vnd.*',
  'application/vdom.v1+json',
  'application/x-nteract-model-debug+json',
  'text/html',
  'application/javascript',
  'image/gif',
  'text/latex',
  'text/markdown',
  'image/png',
  'image/svg+xml',
  'image/jpeg',
  'application/json',
  'text/plain',
];

function mimeRank(mime: string): number {
  const exact = MIME_ORDER.indexOf(mime);
  if (exact >= 0) return exact;
  if (mime.startsWith('application/vnd.')) return 0;
  return MIME_ORDER.length; // unknown types after text/plain: a renderer may still claim them
}

export function sortMimes(mimes: readonly string[]): string[] {
  return [...mimes].sort((a, b) => mimeRank(a) - mimeRank(b));
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

/** Jupyter allows any text field to be a list of lines; VS Code wants one string. */
function joinText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('');
  return undefined;
}

/**
 * The bytes VS Code expects for one MIME type of a Jupyter bundle: binary images arrive as
 * base64 text (Jupyter's format) and are decoded, JSON types are serialized, text is UTF-8.
 * Returns undefined for a value that does not fit its type, which drops that item.
 */
export function encodeMimeValue(mime: string, value: unknown): Uint8Array | undefined {
  if (mime.startsWith('image/') && mime !== 'image/svg+xml') {
    const b64 = joinText(value);
    if (b64 === undefined) return undefined;
    return new Uint8Array(Buffer.from(b64.replace(/\s+/g, ''), 'base64'));
  }
  if (isJsonMime(mime)) {
    if (value === undefined) return undefined;
    return encoder.encode(JSON.stringify(value));
  }
  const text = joinText(value);
  if (text !== undefined) return encoder.encode(text);
  if (value !== null && typeof value === 'object') return encoder.encode(JSON.stringify(value));
  return undefined;
}

/** A display() call or figure (`display_data`), or the cell's value (`execute_result`). */
export function richOutput(
  bundle: DisplayData,
  outputType: 'execute_result' | 'display_data',
  executionCount?: number,
): OutputSpec {
  const items: OutputItemSpec[] = [];
  for (const mime of sortMimes(Object.keys(bundle.data))) {
    const data = encodeMimeValue(mime, bundle.data[mime]);
    if (data) items.push({ kind: 'bytes', mime, data });
  }
  return {
    items,
    metadata: {
      outputType,
      ...(outputType === 'execute_result' && executionCount !== undefined ? { executionCount } : {}),
      metadata: bundle.metadata,
    },
  };
}

/** Where display.py puts instructions for the controller (python/py_contexts/display.py CONTROL_KEY). */
export const CONTROL_KEY = '__py_contexts__';

export type DisplayControl =
  | { kind: 'clear'; wait: boolean }
  | { kind: 'display'; bundle: DisplayData; displayId?: string; update: boolean };

/**
 * Splits a bundle from display.py into what to do and what to show: clear_output()
 * arrives as a bundle without data, and a display id rides in the metadata. The control
 * entry never reaches the stored output.
 */
export function readDisplay(bundle: DisplayData): DisplayControl {
  const control = bundle.metadata?.[CONTROL_KEY] as { clear?: unknown; wait?: unknown; display_id?: unknown; update?: unknown } | undefined;
  if (control === undefined || typeof control !== 'object' || control === null) {
    return { kind: 'display', bundle, update: false };
  }
  if (control.clear === true) return { kind: 'clear', wait: control.wait === true };
  const metadata = { ...bundle.metadata };
  delete metadata[CONTROL_KEY];
  return {
    kind: 'display',
    bundle: { data: bundle.data, metadata },
    ...(typeof control.display_id === 'string' ? { displayId: control.display_id } : {}),
    update: control.update === true,
  };
}

export function streamMime(stream: OutputStream): string {
  return stream === 'stderr' ? STDERR_MIME : STDOUT_MIME;
}

export function streamItem(stream: OutputStream, text: string): OutputItemSpec {
  return { kind: 'bytes', mime: streamMime(stream), data: encoder.encode(text) };
}

export function streamOutput(stream: OutputStream, text: string): OutputSpec {
  return { items: [streamItem(stream, text)], metadata: { outputType: 'stream' } };
}

/** What the traceback formatter knows about a cell that ran, found by its filename. */
export interface CellSource {
  /** The cell's execution count when this code ran: `Cell In[<count>]`. */
  executionCount: number;
  /** The cell's text as it ran, for the context lines around the failing line. */
  source: string;
}

export type CellLookup = (file: string) => CellSource | undefined;

const CONTEXT_LINES = 2;
const CAUSE = 'The above exception was the direct cause of the following exception:';
const CONTEXT = 'During handling of the above exception, another exception occurred:';

function numbered(sourceLines: readonly string[], line: number, arrowWidth: number): string[] {
  const first = Math.max(1, line - CONTEXT_LINES);
  const last = Math.min(sourceLines.length, line + CONTEXT_LINES);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === line ? '-'.repeat(arrowWidth - 2) + '> ' : ' '.repeat(arrowWidth);
    out.push(`${marker}${String(n).padStart(width)} ${sourceLines[n - 1] ?? ''}`);
  }
  return out;
}

/** Where a frame or a SyntaxError is: `Cell In[3], line 2` for a cell, `File /path.py:12` otherwise. */
function placeHeader(file: string, line: number, name: string | undefined, cells: CellLookup): string {
  const where = name !== undefined && name !== '<module>' ? `, in ${name}()` : '';
  const cell = cells(file);
  return cell ? `Cell In[${cell.executionCount}], line ${line}${where}` : `File ${file}:${line}${where}`;
}

/**
 * One frame in the style of IPython 8, which VS Code's error renderer turns into links
 * (extensions/notebook-renderers/src/stackTraceHelper.ts): `Cell In[3], line 2` links to the
 * cell with that execution count, `File /path.py:12` to the file, and the numbered lines
 * under either to that line.
 */
function formatFrame(frame: PythonFrame, cells: CellLookup): string[] {
  const header = placeHeader(frame.file, frame.line, frame.name, cells);
  const cell = cells(frame.file);
  if (cell) return [header, ...numbered(cell.source.split(/\r?\n/), frame.line, 6)];
  return frame.source ? [header, `---> ${frame.line} ${frame.source}`] : [header];
}

function formatException(exc: PythonException, cells: CellLookup): string[] {
  let frames = exc.frames;
  // A SyntaxError in the cell itself: its frames are the compiler's (ast.parse), not the
  // user's, and IPython shows the cell alone. When a cell frame is among them the error came
  // from code the cell ran (an import, exec), and the path to it stays.
  if (exc.syntax && cells(exc.syntax.file) && !frames.some((f) => cells(f.file))) frames = [];
  const out: string[] = [];
  if (frames.length > 0) out.push('Traceback (most recent call last):');
  frames.forEach((frame, i) => {
    if (exc.omitted && i === exc.omitted.after) {
      out.push(
        `[${exc.omitted.depth.toLocaleString('en-US')} frames deep: the outermost ${exc.omitted.after} and the innermost ` +
          `${frames.length - exc.omitted.after} are shown, ${exc.omitted.count.toLocaleString('en-US')} in between are left out]`,
      );
    }
    out.push(...formatFrame(frame, cells));
  });
  // Python's own rendering of a SyntaxError's line and caret is more precise than ours.
  if (exc.syntax) out.push(placeHeader(exc.syntax.file, exc.syntax.line, undefined, cells));
  out.push(...exc.summary);
  exc.members?.forEach((member, i) => {
    out.push(`+---------------- ${i + 1} ----------------`, ...formatChain(member, cells).map((l) => `| ${l}`));
  });
  if (exc.membersOmitted) out.push(`+---------------- ... ----------------`, `| and ${exc.membersOmitted} more exceptions`);
  if (exc.members?.length) out.push('+------------------------------------');
  return out;
}

function formatChain(chain: readonly PythonException[], cells: CellLookup): string[] {
  return chain.flatMap((exc) => [
    ...(exc.link ? ['', exc.link === 'cause' ? CAUSE : CONTEXT, ''] : []),
    ...formatException(exc, cells),
  ]);
}

/**
 * The stack shown for a Python error, rendered from the frames Python sent (the engine's own
 * frames are already gone) the IPython way (see formatFrame), chained exceptions kept.
 */
export function formatTraceback(err: PythonErrorLike, cells: CellLookup): string {
  return formatChain(err.chain, cells).join('\n');
}

/**
 * An error output. For a PythonError the stack is the IPython-style traceback and the
 * saved `.ipynb` gets the same lines as its `traceback`; any other failure (the engine could
 * not start, a timeout) shows its message only, since a JavaScript stack of the extension
 * means nothing to the notebook's author.
 */
export function errorOutput(err: unknown, cells: CellLookup): OutputSpec {
  let name: string;
  let message: string;
  let stack: string;
  if (isPythonErrorLike(err)) {
    name = err.type;
    message = err.pythonMessage;
    stack = formatTraceback(err, cells);
  } else if (err instanceof Error) {
    name = err.name || 'Error';
    message = err.message;
    stack = `${name}: ${message}`;
  } else {
    name = 'Error';
    message = String(err);
    stack = `${name}: ${message}`;
  }
  return {
    items: [{ kind: 'error', name, message, stack }],
    metadata: {
      outputType: 'error',
      originalError: { output_type: 'error', ename: name, evalue: message, traceback: stack.split('\n') },
    },
  };
}

/**
 * True when the cell's last statement ends with `;`, which in IPython hides the value of
 * the trailing expression (`plt.plot(x);` shows the figure without `[<Line2D …>]`).
 * A trailing comment is ignored when nothing before it could be a string holding `#`.
 */
export function suppressesResult(source: string): boolean {
  const lines = source.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    let line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const hash = line.indexOf('#');
    if (hash >= 0 && !/["']/.test(line.slice(0, hash))) line = line.slice(0, hash).trimEnd();
    return line.endsWith(';');
  }
  return false;
}
