/**
 * The shared state store and the registry of host functions, as the engine API shows them
 * (`py.state`, `py.registerFunction`). Plain Node; never imports vscode.
 *
 * Both live in C++ (native/src/runtime/state_store.h, host_calls.h) behind their own mutexes,
 * so every method here runs on the JS thread without the GIL: state reads and writes complete
 * synchronously and are returned as settled Promises.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { guard } from './calls';
import { EventKind, type NativeBridge } from './native';

/** A change of the shared state: the key, or `cleared` after clear(). */
export interface StateChange {
  readonly key: string | undefined;
  readonly cleared: boolean;
}

export interface StateLimits {
  /** Most keys the store holds (default 100,000). */
  maxEntries?: number;
  /** Most bytes (approximate: payloads plus a small overhead per value) it holds (default 256 MiB). */
  maxBytes?: number;
}

export interface SharedState {
  /** A copy of the value, or undefined when the key is missing (None is null). */
  get(key: string): Promise<unknown>;
  /** Stores a copy; TypeError naming the key for values that are not plain data, RangeError when full. */
  set(key: string, value: unknown): Promise<void>;
  /** true if the key existed. */
  delete(key: string): Promise<boolean>;
  keys(): Promise<string[]>;
  /** Adds n (default 1) atomically to the number under key (0 if missing); the new value. */
  incr(key: string, n?: number): Promise<number>;
  clear(): Promise<void>;
  /** The keys with a short Python-like repr of each value, read now (for views). */
  snapshot(reprChars?: number): { key: string; repr: string }[];
  /** Changes the limits (missing fields keep theirs); returns them with the current use. */
  limits(set?: StateLimits): Required<StateLimits> & { entries: number; bytes: number };
  onDidChange(listener: (e: StateChange) => void): { dispose(): void };
}

/**
 * A function Python can call with host.call(name, *args). Positional arguments arrive as they
 * are; keyword arguments, when given, arrive as one more last argument (a plain object). It may
 * be async; what it returns (or resolves to) goes back to Python, converted.
 */
export type HostFunction = (...args: never[]) => unknown;

/** The contexts whose thread waits in host.call while the current JS code runs for it. */
const waitingContexts = new AsyncLocalStorage<ReadonlySet<string>>();

/**
 * The message when JS code that runs for a host.call would queue a job on the very context
 * that waits for it (undefined when that is safe).
 */
export function reentryError(contextId: string): Error | undefined {
  if (!waitingContexts.getStore()?.has(contextId)) return undefined;
  return new Error(`context ${contextId} is waiting in host.call() for this host function; a call into that same ` +
    'context would wait for itself, so it is refused. Run it on another context (opts.context) or return first.');
}

function errorInfo(e: unknown): { type: string; message: string; stack: string } {
  if (e instanceof Error) return { type: 'HostError', message: e.message, stack: e.stack ?? '' };
  return { type: 'HostError', message: String(e), stack: '' };
}

export class Bridge {
  private readonly functions = new Map<string, HostFunction>();
  private readonly listeners = new Set<(e: StateChange) => void>();
  readonly state: SharedState;

  constructor(private readonly native: NativeBridge) {
    const n = native;
    const self = this;
    this.state = {
      get: (key) => settle(() => n.stateGet(checkKey(key))),
      set: (key, value) => settle(() => n.stateSet(checkKey(key), value)),
      delete: (key) => settle(() => n.stateDelete(checkKey(key))),
      keys: () => settle(() => n.stateKeys()),
      incr: (key, by) => settle(() => {
        if (by !== undefined && (typeof by !== 'number' || !Number.isFinite(by))) throw new TypeError('incr(key, n): n must be a finite number');
        return n.stateIncr(checkKey(key), by) as number;
      }),
      clear: () => settle(() => n.stateClear()),
      snapshot: (reprChars = 80) => n.stateKeys().flatMap((key) => {
        const repr = n.stateRepr(key, reprChars);
        return repr === undefined ? [] : [{ key, repr }];
      }),
      limits: (set) => {
        if (set !== undefined) validateStateLimits(set);
        return n.stateLimits(set?.maxEntries, set?.maxBytes);
      },
      onDidChange(listener) {
        self.listeners.add(listener);
        return { dispose: () => self.listeners.delete(listener) };
      },
    };
  }

  registerFunction(name: string, fn: HostFunction): { dispose(): void } {
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
      throw new TypeError(`host function name must be identifier-like (letters, digits, _ and .), got ${JSON.stringify(name)}`);
    }
    if (typeof fn !== 'function') throw new TypeError('registerFunction(name, fn): fn must be a function');
    if (this.functions.has(name)) throw new Error(`a host function named '${name}' is already registered`);
    this.functions.set(name, fn);
    return { dispose: () => { if (this.functions.get(name) === fn) this.functions.delete(name); } };
  }

  registeredFunctions(): string[] {
    return [...this.functions.keys()];
  }

  /** Events the CallTable does not handle. Never throws. */
  onEvent(id: number, kind: EventKind, value: unknown): boolean {
    if (kind === EventKind.StateChanged) {
      for (const key of this.native.stateChanges()) {
        const e: StateChange = key === '' ? { key: undefined, cleared: true } : { key, cleared: false };
        for (const l of this.listeners) guard(() => l(e));
      }
      return true;
    }
    if (kind === EventKind.HostCall) {
      this.runHostCall(id, value as [string, unknown[], Record<string, unknown> | null, string | null]);
      return true;
    }
    return false;
  }

  private runHostCall(id: number, [name, args, kwargs, contextId]: [string, unknown[], Record<string, unknown> | null, string | null]): void {
    const fn = this.functions.get(name);
    if (!fn) {
      this.native.hostReply(id, false, { type: 'NameError', message: `no host function named '${name}' is registered`, stack: '' });
      return;
    }
    const callArgs = kwargs && Object.keys(kwargs).length > 0 ? [...args, kwargs] : args;
    const outer = waitingContexts.getStore();
    const waiting = contextId === null ? (outer ?? new Set<string>()) : new Set([...(outer ?? []), contextId]);
    let result: unknown;
    try {
      result = waitingContexts.run(waiting, () => (fn as (...a: unknown[]) => unknown)(...callArgs));
    } catch (e) {
      this.native.hostReply(id, false, errorInfo(e));
      return;
    }
    // A plain value answers at once: the common sync case costs no extra turn of the loop.
    if (!isThenable(result)) {
      this.native.hostReply(id, true, result);
      return;
    }
    Promise.resolve(result).then(
      (v) => this.native.hostReply(id, true, v),
      (e) => this.native.hostReply(id, false, errorInfo(e)),
    );
  }
}

/** Throws a TypeError or RangeError for limits that are not non-negative integers. */
export function validateStateLimits(set: unknown): void {
  if (set === null || typeof set !== 'object') throw new TypeError('state limits must be an object { maxEntries?, maxBytes? }');
  for (const [k, v] of Object.entries(set)) {
    if (k !== 'maxEntries' && k !== 'maxBytes') throw new TypeError(`unknown state limit '${k}' (maxEntries, maxBytes)`);
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
      throw new RangeError(`state limit ${k} must be a non-negative integer, got ${String(v)}`);
    }
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string') throw new TypeError(`shared state keys must be strings, got ${typeof key}`);
  return key;
}

function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e as Error);
  }
}
