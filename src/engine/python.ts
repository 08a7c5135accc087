/**
 * startPython() and the Python object: pools of contexts, the router and shutdown. The
 * processes live in src/processes/ (ProcessRegistry), which reach the engine only through
 * the ProcessEngine this class implements. Plain Node; never imports vscode.
 */
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import { loadBinding, probeScript, pythonDir, releaseDir } from './binding';
import { Bridge, reentryError, validateStateLimits, type HostFunction, type SharedState } from './bridge';
import { CallTable, type PendingCall } from './calls';
import { ContextImpl } from './context';
import { EngineStartError, PyValue } from './errors';
import { availableCores, findOnPath, probe, resolveInterpreter, type ResolvedInterpreter } from './interpreter';
import { EventKind, SUBMIT_COPY_BUFFERS, SUBMIT_EXISTING_ENV, type NativeEngine } from './native';
import { READS_EXISTING_ENV } from './ops';
import type { ProcessEngine } from '../processes/processEngine';
import { ProcessRegistry } from '../processes/registry';
import { capabilitiesOf, checkMode, parsePoolSpec, type Capabilities, type PoolMode, type PoolOptions, type PoolSpec } from './pools';
import type { Context, InterpreterInfo, ProcessOptions, PyProcess, Python, RunOptions, StartOptions } from './types';

/** Packs an all-number array into a Float64Array in one pass (see convert/from_js.cpp). */
function packNumbers(a: unknown[]): Float64Array | undefined {
  for (let i = 0; i < a.length; i++) if (typeof a[i] !== 'number') return undefined;
  return Float64Array.from(a as number[]);
}

/**
 * Unpacks a Python list of numbers, sent as one block of int32 or doubles
 * (convert/to_js.cpp), into a plain array: an optimized loop filling a preallocated array
 * costs 8 bytes and a few nanoseconds an element.
 */
function unpackNumbers(t: Float64Array | Int32Array): number[] {
  const n = t.length;
  const a = new Array<number>(n);
  for (let i = 0; i < n; i++) a[i] = t[i]!;
  return a;
}

function defaultPools(): Record<string, number> {
  return { default: Math.max(2, os.availableParallelism()) };
}

/**
 * Picks the interpreter: `options.python`, else $PY_CONTEXTS_PYTHON, else `python3` on PATH.
 * Any CPython with a shared libpython whose ABI this package has a core for is accepted (a
 * virtual environment too: its own executable is kept, so its site-packages are used).
 */
function resolvePython(requested: string | undefined): ResolvedInterpreter {
  const candidate = requested ?? process.env['PY_CONTEXTS_PYTHON'] ?? findOnPath('python3');
  if (!candidate) {
    throw new EngineStartError('python-not-found', 'No python3 was found on PATH.',
      'Install Python 3 (Debian: apt-get install python3 libpython3.11) or set the Python path.');
  }
  return resolveInterpreter(probe(candidate, probeScript()), availableCores(releaseDir()));
}

let liveEngine: PythonImpl | undefined;
/** A shutdown left its interpreter to the process exit (shutdown() resolved false). */
let leftRunning = false;

export async function startPython(options: StartOptions = {}): Promise<Python> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (options.python !== undefined && typeof options.python !== 'string') throw new TypeError('options.python must be a string');
  // A bare name ('python3.13') is looked up on PATH, as a shell would.
  if (options.python !== undefined && (options.python.includes('/') ? !existsSync(options.python) : !findOnPath(options.python))) {
    throw new EngineStartError('python-not-found', `No Python at '${options.python}'.`,
      'Install Python 3 (3.11 or 3.13) or correct the Python path setting.');
  }
  const pools = options.pools ?? defaultPools();
  if (typeof pools !== 'object' || pools === null) throw new TypeError('options.pools must be an object of pool sizes');
  const specs = Object.entries(pools).map(([name, raw]) => [name, parsePoolSpec(name, raw)] as const);
  if (options.state !== undefined) validateStateLimits(options.state);
  // The interpreter choice is checked first, so a bad setting is reported as such.
  const interp = resolvePython(options.python);
  // A mode this interpreter cannot give is refused before anything starts.
  const caps = capabilitiesOf(interp.version, interp.freeThreaded, true);
  for (const [name, spec] of specs) checkMode(name, spec.mode, caps);
  if (liveEngine?.isShutdown) await liveEngine.shutdown();
  if (leftRunning) {
    // CPython cannot be initialized again while the old interpreter still lives.
    throw new EngineStartError('restart-required',
      'The previous Python could not be finalized (a thread was stuck in C code or still running at shutdown), so no other can start in this process.',
      'Restart the process (in VS Code: Developer: Reload Window).');
  }
  if (liveEngine && !liveEngine.isShutdown) {
    throw new EngineStartError('already-running', 'Python is already running in this process.',
      'Use the existing Python object, or shut it down first (only one embedded interpreter can exist per process).');
  }
  const binding = loadBinding(interp);
  binding.setNumbersHelper(packNumbers, unpackNumbers);
  // Node stays alive while calls run or the engine starts or stops; idle, it may exit.
  // Un-referencing is deferred a little so back-to-back awaited calls do not pay two
  // native calls each for ref/unref.
  let holds = 0;
  let reffed = false;
  let unrefTimer: NodeJS.Timeout | undefined;
  const hold = (on: boolean) => {
    holds += on ? 1 : -1;
    if (on && !reffed) {
      reffed = true;
      engine.setRef(true);
    } else if (!on && holds === 0 && !unrefTimer) {
      unrefTimer = setTimeout(() => {
        unrefTimer = undefined;
        if (holds === 0 && reffed) {
          reffed = false;
          engine.setRef(false);
        }
      }, 20);
      unrefTimer.unref();
    }
  };
  const calls = new CallTable(hold);
  // Shared-state notices and host calls are not calls of the table; the bridge takes them.
  let bridge: Bridge | undefined;
  const engine: NativeEngine = new binding.Engine((id, kind, value) => {
    if (kind === EventKind.More) {
      // A later check phase of the event loop: timers and I/O of other extensions run
      // between two batches (at most two batches run back to back).
      setImmediate(() => engine.drain());
      return;
    }
    if (!bridge?.onEvent(id, kind, value)) calls.onEvent(id, kind, value);
  }, PyValue);
  // A diagnostic knob (the bench compares with and without): the window the JS thread may spin
  // for a completion instead of sleeping, in µs; 0 turns the spin off.
  const spinUs = process.env['PY_CONTEXTS_SPIN_US'];
  if (spinUs !== undefined && spinUs !== '') engine.setSpin(Number(spinUs));
  hold(true);
  let version: string;
  try {
    version = await engine.start(interp.executable, pythonDir());
  } catch (e) {
    throw new EngineStartError(/already running/.test(String(e)) ? 'already-running' : 'init',
      `Python could not start: ${(e as Error).message}`,
      `Check that ${interp.executable} is a working Python ${interp.version} installation.`);
  } finally {
    hold(false);
  }
  // Only once this engine owns Python: the store and the host-call table are process-wide, and an
  // engine that failed to start (another one runs) must not take them over.
  bridge = new Bridge(engine.bridge());
  if (options.state !== undefined) bridge.state.limits(options.state);
  const py = new PythonImpl(engine, calls, bridge, version, hold,
    { executable: interp.executable, version: interp.version, freeThreaded: interp.freeThreaded },
    capabilitiesOf(interp.version, interp.freeThreaded, binding.ownGil));
  calls.onBackground = (process, stream, text) => py.background(process, stream, text);
  liveEngine = py;
  try {
    for (const [name, spec] of specs) py.createPool(name, spec);
  } catch (e) {
    await py.shutdown();
    throw e;
  }
  return py;
}

export class PythonImpl implements Python, ProcessEngine {
  private readonly poolMap = new Map<string, ContextImpl[]>();
  private readonly registry = new ProcessRegistry(this);
  private readonly listeners = new Set<() => void>();
  private shutdownPromise: Promise<boolean> | undefined;
  private rr = 0;
  isShutdown = false;
  readonly workingDirectories: 'per-process' | 'shared';

  constructor(
    private readonly engine: NativeEngine,
    readonly calls: CallTable,
    private readonly bridge: Bridge,
    readonly version: string,
    private readonly hold: (on: boolean) => void,
    readonly interpreter: InterpreterInfo,
    private readonly caps: Capabilities,
  ) {
    this.workingDirectories = engine.privateCwd() ? 'per-process' : 'shared';
  }

  // ---- pools and routing ----------------------------------------------------

  capabilities(): Capabilities {
    return { ...this.caps, modes: [...this.caps.modes] };
  }

  createPool(name: string, spec: PoolSpec): ContextImpl[] {
    this.assertRunning();
    checkMode(name, spec.mode, this.caps);
    if (this.poolMap.has(name)) throw new Error(`pool '${name}' is already started`);
    const list: ContextImpl[] = [];
    try {
      for (let i = 1; i <= spec.size; i++) {
        list.push(new ContextImpl(name, i, spec.mode, this.engine.createContext(`${name}:${i}`, spec.mode)));
      }
    } catch (e) {
      // A pool starts whole or not at all: the contexts made so far are stopped.
      for (const c of list) this.engine.retire(c.native);
      throw e;
    }
    this.poolMap.set(name, list);
    this.changed();
    return list;
  }

  async startPool(name: string, size: number, opts?: { mode?: PoolMode }): Promise<Context[]> {
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new TypeError('opts must be an object');
    const raw: PoolOptions = opts?.mode === undefined ? { size } : { size, mode: opts.mode };
    return this.createPool(name, parsePoolSpec(name, raw));
  }

  /** The mode of a started pool. */
  poolMode(pool: string): PoolMode {
    return this.pool(pool)[0]!.mode;
  }

  private pool(name: string): ContextImpl[] {
    if (typeof name !== 'string') throw new TypeError(`pool must be a string, got ${typeof name}`);
    const list = this.poolMap.get(name);
    if (!list) throw new RangeError(`unknown pool '${name}' (started pools: ${[...this.poolMap.keys()].join(', ')})`);
    return list;
  }

  context(n?: number): Context {
    this.assertRunning();
    if (n === undefined) return this.getContext('default');
    const list = this.pool('default');
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new TypeError(`context index must be an integer, got ${String(n)}`);
    const ctx = list[n - 1];
    if (!ctx) throw new RangeError(`context index ${n} is out of range: pool 'default' has contexts 1..${list.length}`);
    return ctx;
  }

  getContext(pool = 'default'): ContextImpl {
    this.assertRunning();
    const list = this.pool(pool);
    // Least loaded wins; ties rotate so new processes spread over the pool.
    let best: ContextImpl | undefined;
    const start = this.rr++ % list.length;
    for (let k = 0; k < list.length; k++) {
      const c = list[(start + k) % list.length]!;
      if (!best || c.inflight < best.inflight) best = c;
    }
    return best!;
  }

  /** Contexts of a pool ('default' if omitted, like getContext); all pools: pools().flatMap(contexts). */
  contexts(pool = 'default'): Context[] {
    return [...this.pool(pool)];
  }

  numContexts(pool = 'default'): number {
    return this.contexts(pool).length;
  }

  poolStarted(pool: string): boolean {
    return this.poolMap.has(pool);
  }

  pools(): string[] {
    return [...this.poolMap.keys()];
  }

  contextsStarted(): boolean {
    return !this.isShutdown && this.poolMap.size > 0;
  }

  /** Our own ContextImpl for a Context given by a caller (rejects foreign objects). */
  own(ctx: unknown, what = 'context'): ContextImpl {
    if (!(ctx instanceof ContextImpl) || this.poolMap.get(ctx.pool)?.[ctx.index - 1] !== ctx) {
      throw new TypeError(`${what} must be a Context of this Python (from python.context() or getContext())`);
    }
    return ctx;
  }

  async restartContext(ctx: Context): Promise<void> {
    this.assertRunning();
    const c = this.own(ctx);
    const old = c.native;
    const dropped = this.engine.retire(old);
    const err = new Error(`context ${c.id} was restarted; the call was abandoned`);
    this.calls.abandon(dropped, err);
    this.calls.abandonContext(old, err);
    c.native = this.engine.createContext(c.id, c.mode);
    c.inflight = 0;
    this.registry.contextRestarted(c);
    this.changed();
  }

  // ---- shared state and host functions --------------------------------------

  get state(): SharedState {
    return this.bridge.state;
  }

  registerFunction(name: string, fn: HostFunction): { dispose(): void } {
    return this.bridge.registerFunction(name, fn);
  }

  registeredFunctions(): string[] {
    return this.bridge.registeredFunctions();
  }

  // ---- processes ------------------------------------------------------------

  process(id: string, opts?: ProcessOptions): PyProcess {
    return this.registry.process(id, opts);
  }

  processes(): PyProcess[] {
    return this.registry.list();
  }

  /** Output of a thread whose run ended, for the process that owns it (a closed one is gone). */
  background(process: string, stream: 'stdout' | 'stderr', text: string): void {
    this.registry.background(process, stream, text);
  }

  setCwd(process: string, dir: string): void {
    this.engine.setCwd(process, dir);
  }

  /** The process's directory as its last job left it (undefined once it is closed). */
  cwdOf(process: string): string | undefined {
    return this.engine.cwdOf(process);
  }

  forgetCwd(process: string): void {
    this.engine.forgetCwd(process);
  }

  /** Submits one job; the single path every process call goes through. */
  submit(ctx: ContextImpl, op: number, env: string, payload: unknown[], names: string[], opts: RunOptions | undefined,
    owner?: Set<PendingCall>): Promise<unknown> {
    if (this.isShutdown) return Promise.reject(new Error('Python has been shut down'));
    if (opts?.signal?.aborted) {
      const err = new Error('the call was aborted before it started');
      err.name = 'AbortError';
      return Promise.reject(err);
    }
    const reentry = reentryError(ctx.id);
    if (reentry) return Promise.reject(reentry);
    return new Promise<unknown>((resolve, reject) => {
      const id = this.calls.newId();
      const call: PendingCall = {
        id,
        native: ctx.native,
        opts,
        resolve,
        reject,
        settled: false,
        timer: undefined,
        onDone: () => {
          ctx.inflight--;
          owner?.delete(call);
          this.changed();
        },
      };
      let accepted: boolean;
      try {
        const flags = (opts?.copyBuffers === true ? SUBMIT_COPY_BUFFERS : 0) | (READS_EXISTING_ENV.has(op) ? SUBMIT_EXISTING_ENV : 0);
        accepted = ctx.native.submit(id, op, env, payload, names, flags);
      } catch (e) {
        reject(e);
        return;
      }
      if (!accepted) {
        reject(new Error(`context ${ctx.id} is stopped`));
        return;
      }
      ctx.inflight++;
      owner?.add(call);
      this.calls.add(call);
      this.changed();
    });
  }

  // ---- events and lifecycle -------------------------------------------------

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // listeners must not break engine book-keeping
      }
    }
  }

  assertRunning(): void {
    if (this.isShutdown) throw new Error('Python has been shut down');
  }

  shutdown(): Promise<boolean> {
    if (!this.shutdownPromise) {
      this.isShutdown = true;
      this.calls.abandonAll(new Error('Python was shut down while the call was pending'));
      this.registry.closeAll();
      this.hold(true);
      this.shutdownPromise = this.engine.shutdown().then((finalized) => {
        this.hold(false);
        if (liveEngine === this) liveEngine = undefined;
        if (!finalized) leftRunning = true;
        this.changed();
        return finalized;
      });
    }
    return this.shutdownPromise;
  }
}
