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
import type { DisplayData, OutputStream } from '../../engine/types';

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

/** The shape of the engine's PythonError, checked structurally so this module needs no engine code. */
export interface PythonErrorLike {
  type: string;
  /** The engine's PythonError has `message` = "Type: text" and the text alone here. */
  pythonMessage?: string;
  message: string;
  traceback: string | readonly string[];
  frames: readonly { file: string; line: number; name: string }[];
}

export function isPythonError(err: unknown): err is PythonErrorLike {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as Record<string, unknown>;
  return typeof e['type'] === 'string' && Array.isArray(e['frames']) && 'traceback' in e;
}

/** What the traceback formatter knows about a cell that ran, found by its filename. */
export interface CellSource {
  /** The cell's execution count when this code ran: `Cell In[<count>]`. */
  executionCount: number;
  /** The cell's text as it ran, for the context lines around the failing line. */
  source: string;
}

export type CellLookup = (file: string) => CellSource | undefined;

const FRAME_LINE = /^ {2}File "(.*)", line (\d+)(?:, in (.*))?$/;
/** Our own runtime's frames: the engine should hide them; we drop any that slip through. */
const RUNTIME_FILE = /[\\/]py_contexts[\\/][A-Za-z_]+\.py$/;
const CONTEXT_LINES = 2;

interface Frame {
  file: string;
  line: number;
  name: string | undefined;
  /** The lines Python printed under the frame header (source line, carets), unindented. */
  body: string[];
}

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

/**
 * One frame in the style of IPython 8, which VS Code's error renderer turns into links
 * (extensions/notebook-renderers/src/stackTraceHelper.ts): `Cell In[3], line 2` links to the
 * cell with that execution count, `File /path.py:12` to the file, and the numbered lines
 * under either to that line.
 */
function formatFrame(frame: Frame, cells: CellLookup): string[] {
  const cell = cells(frame.file);
  const where = frame.name !== undefined && frame.name !== '<module>' ? `, in ${frame.name}()` : '';
  // A SyntaxError's "frame" has no function name and a caret line that points into the
  // line; keep Python's own rendering of it, which is more precise than ours.
  const keepBody = frame.name === undefined;
  if (cell) {
    const header = `Cell In[${cell.executionCount}], line ${frame.line}${where}`;
    if (keepBody) return [header, ...frame.body.map((l) => `    ${l}`)];
    return [header, ...numbered(cell.source.split(/\r?\n/), frame.line, 6)];
  }
  const header = `File ${frame.file}:${frame.line}${where}`;
  if (keepBody) return [header, ...frame.body.map((l) => `    ${l}`)];
  const sourceLine = frame.body[0];
  return sourceLine === undefined ? [header] : [header, `---> ${frame.line} ${sourceLine}`];
}

function parseTraceback(text: string): (string | Frame)[] {
  const out: (string | Frame)[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = FRAME_LINE.exec(lines[i] ?? '');
    if (!m) {
      out.push(lines[i] ?? '');
      continue;
    }
    const frame: Frame = { file: m[1] ?? '', line: Number(m[2]), name: m[3], body: [] };
    while (i + 1 < lines.length && (lines[i + 1] ?? '').startsWith('    ')) {
      frame.body.push((lines[i + 1] ?? '').slice(4));
      i++;
    }
    out.push(frame);
  }
  return out;
}

/**
 * The stack shown for a Python error: Python's traceback with each frame rewritten the
 * IPython way (see formatFrame), and chained exceptions kept. Leading frames of our own
 * runtime are dropped. Without a traceback text, one is built from `frames`.
 */
export function formatTraceback(err: PythonErrorLike, cells: CellLookup): string {
  const text = typeof err.traceback === 'string' ? err.traceback : err.traceback.join('');
  let parts: (string | Frame)[];
  if (text.trim() !== '') {
    parts = parseTraceback(text);
  } else {
    parts = [
      'Traceback (most recent call last):',
      ...err.frames.map((f): Frame => ({ file: f.file, line: f.line, name: f.name, body: [] })),
      (err.pythonMessage ?? err.message) ? `${err.type}: ${err.pythonMessage ?? err.message}` : err.type,
    ];
  }
  const out: { text: string[]; frame: boolean; cell?: boolean }[] = [];
  // Only the frames right after a "Traceback" header can be ours: the runtime calls the
  // user's code, never the other way round.
  let leading = true;
  let chunkStart = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      leading = part.startsWith('Traceback');
      if (leading) chunkStart = out.length;
      out.push({ text: [part], frame: false });
      continue;
    }
    if (leading && RUNTIME_FILE.test(part.file)) continue;
    leading = false;
    if (part.name === undefined && cells(part.file)) {
      // A SyntaxError in the cell itself: the frames above it are the compiler's (ast.parse),
      // not the user's, and IPython shows the cell alone. When a cell frame is among them the
      // error came from code the cell ran (an import, exec), and the path to it stays.
      const above = out.slice(chunkStart);
      if (!above.some((p) => p.frame && p.cell)) out.splice(chunkStart);
    }
    out.push({ text: formatFrame(part, cells), frame: true, cell: cells(part.file) !== undefined });
  }
  // A header left without frames (all of them were ours) is noise above the message.
  return out
    .filter((p, i) => !(p.text[0]?.startsWith('Traceback (most recent call last)') && !out[i + 1]?.frame))
    .flatMap((p) => p.text)
    .join('\n');
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
  if (isPythonError(err)) {
    name = err.type;
    message = err.pythonMessage ?? err.message;
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
