/**
 * The public contract of the engine (issue 2). Everything in `src/engine` and
 * `src/processes` is plain Node: nothing here may import `vscode`.
 */
import type { HostFunction, SharedState, StateLimits } from './bridge';
import type { Capabilities, PoolMode, PoolOptions } from './pools';
import type { DataViewRequest } from './dataView';

/** The interpreter the engine runs, as `py.interpreter` reports it. */
export interface InterpreterInfo {
  /** sys.executable: for a virtual environment, its own python (its site-packages are used). */
  executable: string;
  /** e.g. '3.13.5'. */
  version: string;
  /** A free-threaded build (3.13t and later): contexts run Python in parallel. */
  freeThreaded: boolean;
}

export type OutputStream = 'stdout' | 'stderr';

/** A rich display payload: a MIME bundle, as IPython's `display()` produces it. */
export interface DisplayData {
  data: Record<string, unknown>;      // e.g. { 'text/plain': '…', 'image/png': '<base64>' }
  metadata: Record<string, unknown>;
}

export interface RunOptions {
  /** Explicit context, like py:exec(Ctx, Code). */
  context?: Context;
  /** On expiry: interrupt the code, reject with an Error whose name is 'TimeoutError'. */
  timeoutMs?: number;
  /** Aborting drops the call if it is still queued or interrupts it if it runs; rejects with an 'AbortError'. */
  signal?: AbortSignal;
  /** stdout/stderr text, streamed while the code runs, in order. Without it output is discarded. */
  onOutput?: (stream: OutputStream, text: string) => void;
  /** `display(obj)` calls and figures, streamed while the code runs. */
  onDisplay?: (data: DisplayData) => void;
  /** `input(prompt)`: resolve to the line, or to undefined to raise KeyboardInterrupt in Python. */
  onInput?: (prompt: string, password: boolean) => Promise<string | undefined>;
  /** Source location for tracebacks: the filename given to compile() (default '<py-contexts>'). */
  filename?: string;
  /** 1-based line of the first line of `code` in that file (default 1). */
  firstLine?: number;
  /** Full text of the file, registered in linecache so tracebacks and inspect show real lines. */
  sourceText?: string;
  /** Run with the rich-display machinery: trailing value as a MIME bundle, matplotlib figures collected. */
  rich?: boolean;
  /** run(): the script's path, set as `__file__` in the environment (a file-backed editor's document). */
  file?: string;
  /** run(): `sys.argv` while this run executes on its context (Run File: `[path]`); elsewhere it stays `['']`. */
  argv?: string[];
  /**
   * run() only: what a trailing expression returns. 'value' (default) converts the value to
   * JS; 'repr' leaves it in Python and returns its bounded repr text as a ValueRepr, which
   * costs the same for a list of a million items as for one of ten. Ignored with `rich`.
   */
  result?: 'value' | 'repr';
  /**
   * run() only: figures the run left open (pyplot figures never shown) are sent through
   * `onDisplay` at its end, before the result or error, with `metadata.py_contexts.left_open`
   * true, and closed in pyplot (kept for re-rendering: python/py_contexts/plots.py).
   */
  leftOpenFigures?: boolean;
  /**
   * Copy numpy arrays in the result instead of sharing their memory with JS (the default
   * for C-contiguous, writable arrays of 4 KiB or more): the typed array then no longer
   * sees later writes from Python, nor Python those from JS.
   */
  copyBuffers?: boolean;
}

/** A trailing value as Python prints it (run() with `result: 'repr'`). */
export interface ValueRepr {
  /** `repr(value)`, or, past about 10,000 characters, its head cut after an item with "...". */
  repr: string;
  /** The type's qualified name ('list', 'NoneType', 'DataFrame'). */
  type: string;
  /** True when `repr` was cut. */
  truncated: boolean;
  /** len() of builtin containers, strings and bytes. */
  length?: number;
}

/** Output of a thread a run started, written after that run ended (see PyProcess.onBackgroundOutput). */
export type BackgroundOutputListener = (stream: OutputStream, text: string) => void;

export interface ContextStats {
  busy: boolean;
  queued: number;
  calls: number;
  environments: number;
  /** ms since the running call started; 0 when idle. */
  busyForMs: number;
}

export interface Context {
  readonly pool: string;
  /** 1-based within its pool. */
  readonly index: number;
  /** e.g. 'default:1' */
  readonly id: string;
  /** 'worker' (a thread in the main interpreter) or 'owngil' (a sub-interpreter with its own GIL). */
  readonly mode: PoolMode;
  /** KeyboardInterrupt into the code running now; no-op when idle. */
  interrupt(): void;
  stats(): ContextStats;
}

export interface PyProcess {
  readonly id: string;
  readonly closed: boolean;
  readonly boundContext: Context | undefined;
  /** The context this process last ran on (bound, or the sticky routed one). */
  readonly currentContext: Context | undefined;
  /** Contexts in which this process has an environment. */
  readonly contextsUsed: readonly Context[];
  /**
   * The process's working directory: where relative paths in its code resolve and where its
   * subprocesses start. `os.chdir()` in its code changes it for its later calls on any context,
   * and for no other process; Node's `process.cwd()` never changes. Where contexts cannot have
   * a directory of their own (`Python.workingDirectories === 'shared'`), this is `process.cwd()`.
   */
  readonly cwd: string;
  /**
   * Changes the working directory (a relative path resolves against the current one). It runs
   * in order with the calls already submitted to this process's context. Rejects with a
   * PythonError (FileNotFoundError, NotADirectoryError, PermissionError) for a folder it cannot
   * enter, and with an OSError where working directories are shared.
   */
  chdir(path: string): Promise<void>;
  bind(ctx: Context): void;
  unbind(): void;
  /** KeyboardInterrupt into this process's running call only (calls of other processes are untouched). */
  interrupt(): void;
  exec(code: string, opts?: RunOptions): Promise<void>;
  eval(code: string, locals?: Record<string, unknown>, opts?: RunOptions): Promise<unknown>;
  /** A block; value of a trailing expression, else undefined. */
  run(code: string, opts?: RunOptions): Promise<unknown>;
  call(module: string, fn: string, args?: unknown[], kwargs?: Record<string, unknown>, opts?: RunOptions): Promise<unknown>;
  /** Drops this process's environment in one context (all contexts when omitted); the next call starts fresh. */
  reset(ctx?: Context): Promise<void>;
  /**
   * Variables of this process's environment in `ctx` (default: `currentContext`), or the items of the
   * value at `path` (keys from the namespace root). Computed on the context thread with
   * repr size/time limits; a hostile __repr__ shows as 'repr timed out'.
   */
  variables(path?: readonly string[], limits?: VariableLimits, ctx?: Context): Promise<VariableInfo[]>;
  /**
   * The data viewer's requests (src/engine/dataView.ts) to this process's environment in `ctx`:
   * open a variable as a table, then page, sort, filter and summarise it in Python. Rejects
   * without creating an environment where the process has none in `ctx`.
   */
  dataView(request: DataViewRequest, ctx: Context, opts?: Pick<RunOptions, 'timeoutMs' | 'signal'>): Promise<unknown>;

  /**
   * Live introspection for editors (README "Completions from the running environment"):
   * completion items, a hover, the signature of a callable, a docstring. `expr` is a name,
   * dotted name or literal subscript (`df`, `np.linalg`, `d['a']`); it is looked up, never
   * evaluated. All four answer `undefined` at once, without queueing, when the process has
   * no environment yet or its context is busy or has calls queued, and `undefined` when
   * Python took longer than `opts.deadlineMs` (the lookup is interrupted there).
   */
  completions(kind: CompletionKind, expr: string, opts?: LiveOptions): Promise<LiveCompletion[] | undefined>;
  hover(expr: string, opts?: LiveOptions): Promise<LiveHover | undefined>;
  signature(expr: string, opts?: LiveOptions): Promise<LiveSignature | undefined>;
  documentation(expr: string, opts?: LiveOptions): Promise<LiveDocumentation | undefined>;
  /**
   * Output of threads this process's code started, written after the run that started them
   * ended (while that run executes, it is the run's own onOutput). Without a listener it is
   * discarded.
   */
  onBackgroundOutput(listener: BackgroundOutputListener): { dispose(): void };
  /**
   * Writes the environment of `currentContext` to the file `path` (replaced atomically), within
   * `maxBytes` (python/py_contexts/persist.py says what is saved and how). Resolves undefined,
   * writing nothing, when the process has no environment yet.
   */
  saveState(path: string, maxBytes: number): Promise<SavedState | undefined>;
  /**
   * Brings back what saveState wrote, into this process's environment (created on the context
   * the process would run on next). Names the environment already has are left alone.
   */
  restoreState(path: string): Promise<RestoredState>;
  /** Frees its environment in every context; later calls reject. */
  close(): Promise<void>;
}

/** What `PyProcess.completions()` completes (python/py_contexts/live.py). */
export type CompletionKind =
  /** The attributes of `expr` (`df.` → its columns and methods). */
  | 'attr'
  /** The string keys of the dict, or the columns of the DataFrame, `expr` (`d['`). */
  | 'key'
  /** The environment's names (`expr` is ignored). */
  | 'name';

export interface LiveOptions {
  /**
   * Run property getters and `__getattr__` to describe attributes (default false: attributes
   * are read with `inspect.getattr_static`, so no user code but `__dir__` and `__repr__` runs).
   */
  evaluateProperties?: boolean;
  /** Past this, the request is interrupted in Python and answers nothing (default 100). */
  deadlineMs?: number;
}

export interface LiveCompletion {
  label: string;
  /** 'module' | 'class' | 'function' | 'method' | 'property' | 'field' | 'key' | 'variable' */
  kind: string;
  /** The value's type ('pandas.DataFrame', 'column · int64', 'property (not evaluated)'). */
  detail: string;
}

export interface LiveHover {
  type: string;
  /** A short repr, at most about 200 characters. */
  repr: string;
  /** The first paragraph of the docstring ('' when there is none). */
  doc: string;
  /** `inspect.signature` of a callable, e.g. '(a, b=2)'. */
  signature?: string;
}

export interface LiveSignature {
  /** 'meth(a, b=2)' */
  label: string;
  parameters: { label: string; name: string; kind: string }[];
  doc: string;
}

export interface LiveDocumentation {
  /** The whole docstring (cut at 4,000 characters). */
  doc: string;
  signature?: string;
}

export interface ProcessOptions {
  /**
   * The working directory the process starts in (default: Node's `process.cwd()` at creation).
   * A relative path resolves against `process.cwd()`; it must be an existing folder.
   */
  cwd?: string | undefined;
}

export interface VariableLimits {
  maxItems?: number;   // default 100
  reprChars?: number;  // default 120
  reprTimeoutMs?: number; // default 200
}

/** A name saveState could not save, or restoreState could not bring back, and why. */
export interface NotRestored {
  name: string;
  reason: string;
}

export interface SavedState {
  saved: string[];
  notRestored: NotRestored[];
  bytes: number;
}

export interface RestoredState {
  restored: string[];
  notRestored: NotRestored[];
}

export interface VariableInfo {
  name: string;
  type: string;
  repr: string;
  expandable: boolean;
  /** len() when the value has one. */
  length?: number;
  /** The data viewer can show it (DataFrame, Series, 1-D/2-D array, list of dicts or tuples, dict of lists). */
  viewable?: boolean;
  /** Path to pass back to variables() to expand this value. */
  path: string[];
}

export interface Python {
  /** sys.version of the embedded interpreter. */
  readonly version: string;
  /** The interpreter embedded: its executable (a venv's own), version and whether it is free-threaded. */
  readonly interpreter: InterpreterInfo;
  /** n: 1-based index in pool 'default' (RangeError if out of range); no n: routed pick. */
  context(n?: number): Context;
  /** Router: least-busy context of that pool ('default' if omitted). */
  getContext(pool?: string): Context;
  /** The contexts of a pool ('default' if omitted). */
  contexts(pool?: string): Context[];
  /** The size of a pool ('default' if omitted). */
  numContexts(pool?: string): number;
  poolStarted(pool: string): boolean;
  pools(): string[];
  /**
   * Starts a pool. `mode` 'owngil' makes each context a sub-interpreter with its own GIL; where this
   * interpreter cannot (see capabilities()), it rejects with an Error whose `code` says why.
   */
  startPool(name: string, size: number, opts?: { mode?: PoolMode }): Promise<Context[]>;
  /** The mode of a started pool. */
  poolMode(pool: string): PoolMode;
  /** What this interpreter offers: free-threaded, own-GIL sub-interpreters, the modes startPool accepts. */
  capabilities(): Capabilities;
  contextsStarted(): boolean;
  /** Same id -> same object while it is open; `opts` apply when the process is created. */
  process(id: string, opts?: ProcessOptions): PyProcess;
  /**
   * 'per-process': every process has its own working directory (Linux: each context thread
   * detaches its directory with unshare(CLONE_FS)). 'shared': every process runs in the host's
   * directory, as Node's `process.cwd()`, and `os.chdir()` moves all of them.
   */
  readonly workingDirectories: 'per-process' | 'shared';
  processes(): PyProcess[];
  /**
   * Replaces a context's thread: calls running or queued there reject, environments there are
   * dropped (processes start fresh on next use). Works even when the old thread is stuck in C.
   */
  restartContext(ctx: Context): Promise<void>;
  /** Fires after a call starts or ends, a process opens or closes, a pool starts, a context restarts. */
  onDidChange(listener: () => void): { dispose(): void };
  /**
   * The shared state store, the same table `from py_contexts import state` shows to every
   * context. Lives as long as this engine; context restarts keep it.
   */
  readonly state: SharedState;
  /**
   * Makes `fn` callable from Python as host.call(name, ...) / host.name(...). Names are unique
   * while registered; dispose() removes it.
   */
  registerFunction(name: string, fn: HostFunction): { dispose(): void };
  /**
   * Idempotent; in-flight and later calls reject with a clear Error. Resolves true once Python
   * was finalized, false when finalization was left to the process exit (a thread stuck in C,
   * atexit callbacks past their deadline, finalization blocked): another engine cannot start in
   * this process then.
   */
  shutdown(): Promise<boolean>;
}

export interface StartOptions {
  /**
   * The python executable to embed (its libpython, stdlib and site-packages are used): any CPython
   * this package has a core for, or a virtual environment made from one. Default:
   * $PY_CONTEXTS_PYTHON, else `python3` on PATH.
   */
  python?: string;
  /**
   * Pools: a size, or { size, mode }; default { default: Math.max(2, os.availableParallelism()) }.
   * A mode this interpreter cannot give rejects with an Error whose `code` says why.
   */
  pools?: Record<string, number | PoolOptions>;
  /** Limits of the shared state store (see SharedState.limits). */
  state?: StateLimits;
}
