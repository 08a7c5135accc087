/**
 * A process: one document (or any caller) with its own Python environment in
 * each context it uses. Plain Node; never imports vscode.
 *
 * Which context a call uses: opts.context, else the bound context, else the one
 * the router picked on first use, which then sticks so unbound state persists.
 */
import type { PendingCall } from '../engine/calls';
import type { ContextImpl } from '../engine/context';
import { dataViewPayload, type DataViewRequest } from '../engine/dataView';
import { OP } from '../engine/ops';
import type {
  BackgroundOutputListener, CompletionKind, Context, LiveCompletion, LiveDocumentation, LiveHover, LiveOptions, LiveSignature,
  NotRestored, OutputStream, PyProcess, RestoredState, RunOptions, SavedState, VariableInfo, VariableLimits,
} from '../engine/types';
import type { ProcessEngine } from './processEngine';

const DEFAULT_FILENAME = '<py-contexts>';
const LIVE_DEADLINE_MS = 100;
/** A request stuck in C code, where the Python deadline cannot reach, is interrupted here. */
const LIVE_BACKSTOP_MS = 2000;
const COMPLETION_KINDS: readonly string[] = ['attr', 'key', 'name'];

function checkCode(code: unknown): asserts code is string {
  if (typeof code !== 'string') throw new TypeError(`code must be a string, got ${code === null ? 'null' : typeof code}`);
}

function checkOpts(opts: unknown): asserts opts is RunOptions | undefined {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object') throw new TypeError('opts must be an object');
  const o = opts as Record<string, unknown>;
  const t = o['timeoutMs'];
  if (t !== undefined && (typeof t !== 'number' || !(t > 0))) throw new TypeError('opts.timeoutMs must be a positive number');
  for (const k of ['onOutput', 'onDisplay', 'onInput'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new TypeError(`opts.${k} must be a function`);
  }
  if (o['filename'] !== undefined && typeof o['filename'] !== 'string') throw new TypeError('opts.filename must be a string');
  const fl = o['firstLine'];
  if (fl !== undefined && (typeof fl !== 'number' || !Number.isInteger(fl) || fl < 1)) {
    throw new TypeError('opts.firstLine must be a positive integer');
  }
  if (o['sourceText'] !== undefined && typeof o['sourceText'] !== 'string') throw new TypeError('opts.sourceText must be a string');
  if (o['file'] !== undefined && typeof o['file'] !== 'string') throw new TypeError('opts.file must be a string');
  const argv = o['argv'];
  if (argv !== undefined && !(Array.isArray(argv) && argv.every((a) => typeof a === 'string'))) {
    throw new TypeError('opts.argv must be an array of strings');
  }
  if (o['result'] !== undefined && o['result'] !== 'value' && o['result'] !== 'repr') throw new TypeError("opts.result must be 'value' or 'repr'");
  if (o['copyBuffers'] !== undefined && typeof o['copyBuffers'] !== 'boolean') throw new TypeError('opts.copyBuffers must be a boolean');
  if (o['leftOpenFigures'] !== undefined && typeof o['leftOpenFigures'] !== 'boolean') throw new TypeError('opts.leftOpenFigures must be a boolean');
  const sig = o['signal'];
  if (sig !== undefined && !(sig instanceof AbortSignal)) throw new TypeError('opts.signal must be an AbortSignal');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export class ProcessImpl implements PyProcess {
  private bound: ContextImpl | undefined;
  private sticky: ContextImpl | undefined;
  private last: ContextImpl | undefined;
  private readonly used = new Set<ContextImpl>();
  private readonly inflight = new Set<PendingCall>();
  private readonly backgroundListeners = new Set<BackgroundOutputListener>();
  private isClosed = false;
  private closing: Promise<void> | undefined;

  constructor(
    readonly id: string,
    private readonly engine: ProcessEngine,
    private lastCwd: string,
    /** Called once the environments are freed, so the registry drops this process. */
    private readonly onClosed: (p: ProcessImpl) => void,
  ) {}

  get cwd(): string {
    // Shared directories: every process is wherever the host is.
    if (this.engine.workingDirectories === 'shared') return process.cwd();
    // The native table holds where the last job left the process; after close it is gone.
    const now = this.engine.cwdOf(this.id);
    if (now !== undefined) this.lastCwd = now;
    return this.lastCwd;
  }

  chdir(path: string): Promise<void> {
    try {
      if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
      this.assertOpen();
    } catch (e) {
      return Promise.reject(e);
    }
    // A job on the process's own context, so it happens after the calls already queued
    // there and before the ones that follow; it needs no environment.
    const c = this.pick(undefined);
    this.last = c;
    return this.engine.submit(c, OP.chdir, this.id, [path], ['path'], undefined, this.inflight).then(() => {
      this.engine.changed();
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get boundContext(): Context | undefined {
    return this.bound;
  }

  get currentContext(): Context | undefined {
    return this.bound ?? this.sticky ?? this.last;
  }

  get contextsUsed(): readonly Context[] {
    return [...this.used];
  }

  bind(ctx: Context): void {
    this.assertOpen();
    this.bound = this.engine.own(ctx, 'bind(ctx): ctx');
    this.engine.changed();
  }

  unbind(): void {
    this.assertOpen();
    this.bound = undefined;
    this.sticky = undefined;
    this.engine.changed();
  }

  interrupt(): void {
    // Only a call that is running right now is hit: the native side checks the call
    // id, so another process's call on the same context is never interrupted.
    for (const call of this.inflight) call.native.interrupt(call.id);
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error(`process '${this.id}' is closed`);
    this.engine.assertRunning();
  }

  private pick(opts: RunOptions | undefined): ContextImpl {
    if (opts?.context !== undefined) return this.engine.own(opts.context, 'opts.context');
    if (this.bound) return this.bound;
    if (!this.sticky) this.sticky = this.engine.getContext('default');
    return this.sticky;
  }

  private submit(op: number, payload: unknown[], names: string[], opts: RunOptions | undefined, ctx?: ContextImpl): Promise<unknown> {
    try {
      this.assertOpen();
      checkOpts(opts);
      const c = ctx ?? this.pick(opts);
      this.used.add(c);
      this.last = c;
      return this.engine.submit(c, op, this.id, payload, names, opts, this.inflight);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  exec(code: string, opts?: RunOptions): Promise<void> {
    try {
      checkCode(code);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.submit(OP.exec, [code, opts?.filename ?? DEFAULT_FILENAME, opts?.firstLine ?? 1, opts?.sourceText ?? null],
      ['code', 'opts.filename', 'opts.firstLine', 'opts.sourceText'], opts).then(() => undefined);
  }

  eval(code: string, locals?: Record<string, unknown>, opts?: RunOptions): Promise<unknown> {
    try {
      checkCode(code);
      if (locals !== undefined && locals !== null && !isPlainObject(locals)) throw new TypeError('locals must be a plain object');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.submit(OP.eval, [code, locals ?? null, opts?.filename ?? DEFAULT_FILENAME], ['code', 'locals', 'opts.filename'], opts);
  }

  run(code: string, opts?: RunOptions): Promise<unknown> {
    try {
      checkCode(code);
    } catch (e) {
      return Promise.reject(e);
    }
    const script = opts?.file !== undefined || opts?.argv !== undefined ? { file: opts.file ?? null, argv: opts.argv ?? null } : null;
    // The fifth slot is the result mode: true (a MIME bundle), 'repr' (a ValueRepr) or false (the value).
    const mode = opts?.rich === true ? true : opts?.result === 'repr' ? 'repr' : false;
    return this.submit(OP.run,
      [code, opts?.filename ?? DEFAULT_FILENAME, opts?.firstLine ?? 1, opts?.sourceText ?? null, mode, script, opts?.leftOpenFigures === true],
      ['code', 'opts.filename', 'opts.firstLine', 'opts.sourceText', 'opts.rich', 'opts.file', 'opts.leftOpenFigures'], opts);
  }

  call(module: string, fn: string, args?: unknown[], kwargs?: Record<string, unknown>, opts?: RunOptions): Promise<unknown> {
    try {
      if (typeof module !== 'string' || module.length === 0) throw new TypeError('module must be a non-empty string');
      if (typeof fn !== 'string' || fn.length === 0) throw new TypeError('fn must be a non-empty string');
      if (args !== undefined && args !== null && !Array.isArray(args)) throw new TypeError('args must be an array');
      if (kwargs !== undefined && kwargs !== null && !isPlainObject(kwargs)) throw new TypeError('kwargs must be a plain object');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.submit(OP.call, [module, fn, args ?? [], kwargs ?? null], ['module', 'fn', 'args', 'kwargs'], opts);
  }

  variables(path: readonly string[] = [], limits: VariableLimits = {}, context?: Context): Promise<VariableInfo[]> {
    let ctx: Context | undefined;
    try {
      ctx = context === undefined ? this.currentContext : this.engine.own(context, 'variables(…, ctx): ctx');
    } catch (e) {
      return Promise.reject(e);
    }
    // Reading variables must not create an environment where the process has none. `used`
    // says where one may be; the addon answers undefined where there is none after all.
    if (!ctx || !this.used.has(ctx as ContextImpl)) return Promise.resolve([]);
    return this.submit(OP.variables, [[...path], limits.maxItems ?? 100, limits.reprChars ?? 120, limits.reprTimeoutMs ?? 200],
      ['path', 'limits.maxItems', 'limits.reprChars', 'limits.reprTimeoutMs'], undefined, ctx as ContextImpl).then((r) => (r ?? []) as VariableInfo[]);
  }

  saveState(path: string, maxBytes: number): Promise<SavedState | undefined> {
    try {
      if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
      if (typeof maxBytes !== 'number' || !(maxBytes >= 0)) throw new TypeError('maxBytes must be a number of bytes, 0 or more');
    } catch (e) {
      return Promise.reject(e);
    }
    const ctx = this.currentContext as ContextImpl | undefined;
    // Saving must not create an environment where the process has none.
    if (!ctx || !this.used.has(ctx)) return Promise.resolve(undefined);
    return this.submit(OP.saveState, [path, maxBytes], ['path', 'maxBytes'], undefined, ctx).then((r) => {
      if (r === undefined) return undefined;
      const o = r as { saved: string[]; not_restored: NotRestored[]; bytes: number };
      return { saved: o.saved, notRestored: o.not_restored, bytes: o.bytes };
    });
  }

  restoreState(path: string): Promise<RestoredState> {
    if (typeof path !== 'string' || path.length === 0) return Promise.reject(new TypeError('path must be a non-empty string'));
    return this.submit(OP.restoreState, [path], ['path'], undefined).then((r) => {
      const o = r as { restored: string[]; not_restored: NotRestored[] };
      return { restored: o.restored, notRestored: o.not_restored };
    });
  }

  dataView(request: DataViewRequest, context: Context, opts?: Pick<RunOptions, 'timeoutMs' | 'signal'>): Promise<unknown> {
    let ctx: ContextImpl;
    let call: { payload: unknown[]; names: string[] };
    try {
      ctx = this.engine.own(context, 'dataView(…, ctx): ctx');
      call = dataViewPayload(request);
      // A view lives in an environment that exists already; asking must not create one.
      if (!this.used.has(ctx)) throw this.noEnvironment(ctx);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.submit(OP.dataView, call.payload, call.names, opts, ctx).then((r) => {
      if (r === undefined) throw this.noEnvironment(ctx);
      return r;
    });
  }

  private noEnvironment(ctx: Context): Error {
    return new Error(`process '${this.id}' has no environment in ${ctx.id}`);
  }

  completions(kind: CompletionKind, expr: string, opts?: LiveOptions): Promise<LiveCompletion[] | undefined> {
    if (!COMPLETION_KINDS.includes(kind)) return Promise.reject(new TypeError("kind must be 'attr', 'key' or 'name'"));
    return this.live('complete', [kind, expr], opts) as Promise<LiveCompletion[] | undefined>;
  }

  hover(expr: string, opts?: LiveOptions): Promise<LiveHover | undefined> {
    return this.live('hover', [expr], opts) as Promise<LiveHover | undefined>;
  }

  signature(expr: string, opts?: LiveOptions): Promise<LiveSignature | undefined> {
    return this.live('signature', [expr], opts) as Promise<LiveSignature | undefined>;
  }

  documentation(expr: string, opts?: LiveOptions): Promise<LiveDocumentation | undefined> {
    return this.live('doc', [expr], opts) as Promise<LiveDocumentation | undefined>;
  }

  /**
   * One request of python/py_contexts/live.py on the process's current context, only when
   * it would run at once: an editor asking while the user types must never wait behind
   * user code, nor make anything wait behind it for longer than its deadline.
   */
  private live(what: string, args: unknown[], opts: LiveOptions | undefined): Promise<unknown> {
    try {
      if (typeof args[args.length - 1] !== 'string') throw new TypeError('expr must be a string');
      if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new TypeError('opts must be an object');
      const d = opts?.deadlineMs;
      if (d !== undefined && (typeof d !== 'number' || !(d > 0))) throw new TypeError('opts.deadlineMs must be a positive number');
      this.assertOpen();
    } catch (e) {
      return Promise.reject(e);
    }
    const ctx = this.currentContext as ContextImpl | undefined;
    // No environment yet: nothing to complete from, and none is created for asking.
    if (!ctx || !this.used.has(ctx) || ctx.inflight > 0) return Promise.resolve(undefined);
    const deadline = opts?.deadlineMs ?? LIVE_DEADLINE_MS;
    return this.submit(OP.live, [what, args, opts?.evaluateProperties === true, deadline], ['what', 'args', 'opts.evaluateProperties', 'opts.deadlineMs'],
      { timeoutMs: Math.max(LIVE_BACKSTOP_MS, deadline * 4) }, ctx).then(
      (r) => r ?? undefined,
      (e: unknown) => {
        if (e instanceof Error && e.name === 'TimeoutError') return undefined;
        throw e;
      },
    );
  }

  async reset(ctx?: Context): Promise<void> {
    this.assertOpen();
    const targets = ctx ? [this.engine.own(ctx, 'reset(ctx): ctx')] : [...this.used];
    await Promise.all(targets.map((c) => this.engine.submit(c, OP.closeEnv, this.id, [], [], undefined)));
    for (const c of targets) this.used.delete(c);
    this.engine.changed();
  }

  onBackgroundOutput(listener: BackgroundOutputListener): { dispose(): void } {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    this.backgroundListeners.add(listener);
    return { dispose: () => this.backgroundListeners.delete(listener) };
  }

  /** Called by the engine with output of a thread whose run ended. */
  emitBackground(stream: OutputStream, text: string): void {
    for (const l of this.backgroundListeners) {
      try {
        l(stream, text);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  /** The context was restarted: its environments are gone. */
  forgetContext(ctx: ContextImpl): void {
    this.used.delete(ctx);
  }

  /** Engine shutdown: no more calls, nothing to free (the interpreter goes away). */
  markClosed(): void {
    this.isClosed = true;
  }

  close(): Promise<void> {
    if (!this.closing) {
      if (this.isClosed) return Promise.resolve();
      this.isClosed = true;
      const targets = [...this.used];
      this.used.clear();
      this.closing = Promise.all(
        targets.map((c) => this.engine.submit(c, OP.closeEnv, this.id, [], [], undefined).catch(() => undefined)),
      ).then(() => this.onClosed(this));
    }
    return this.closing;
  }
}
