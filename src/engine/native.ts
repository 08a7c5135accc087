/**
 * Typed declaration of the addon (types only, plus the event numbers). This file mirrors native/src/module.cpp,
 * native/src/objects/engine.h and native/src/objects/context.h: change them together.
 */
import type { PythonException } from './errors';

/** Event kinds, mirroring EventKind in native/src/runtime/events.h. */
export const EventKind = {
  Result: 0,
  Error: 1,
  Stdout: 2,
  Stderr: 3,
  Display: 4,
  Input: 5,
  /** Output of a thread whose run ended: value { process, text }, call 0. */
  BackgroundStdout: 6,
  BackgroundStderr: 7,
  /** The shared state changed; the keys come from NativeBridge.stateChanges(). */
  StateChanged: 8,
  /** Python called host.call(): value [name, args, kwargs, contextId]; answer with hostReply. */
  HostCall: 9,
  /**
   * Internal, call 0: the addon used a turn's budget and events still wait; call
   * `engine.drain()` on a later turn (never in the same one, or the stall is back).
   */
  More: 11,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** submit() flags, mirroring kJobCopyBuffers and kJobExistingEnv in native/src/objects/context.h. */
export const SUBMIT_COPY_BUFFERS = 1;
/** The op reads an environment that exists; where there is none it answers undefined and makes none. */
export const SUBMIT_EXISTING_ENV = 2;

export interface NativeErrorInfo {
  type: string;
  message: string;
  traceback: string;
  frames: { file: string; line: number; name: string }[];
  /** Absent in errors the addon makes itself. */
  chain?: PythonException[];
}

export interface NativeStats {
  busy: boolean;
  queued: number;
  calls: number;
  environments: number;
  busyForMs: number;
  currentCall: number;
}

export interface NativeContext {
  /** Converts `payload` on the JS thread (TypeError naming `names[i]` on failure) and queues it. */
  submit(call: number, op: number, env: string, payload: unknown[], names?: string[], flags?: number): boolean;
  /** Removes a queued call (true) or interrupts it if it runs (false). */
  cancel(call: number): boolean;
  interrupt(call?: number): void;
  reply(call: number, value: string | null, eof?: boolean): void;
  stats(): NativeStats;
  stop(): number[];
}

export interface NativeEngine {
  start(executable: string, pythonDir: string): Promise<string>;
  /** 'owngil': the context thread makes a sub-interpreter with its own GIL (cores with `ownGil` only). */
  createContext(id: string, mode: 'worker' | 'owngil'): NativeContext;
  retire(ctx: NativeContext): number[];
  shutdown(): Promise<boolean>;
  setRef(ref: boolean): void;
  /** The directory a process's next job starts in (native/src/runtime/workdirs.h). */
  setCwd(process: string, dir: string): void;
  cwdOf(process: string): string | undefined;
  forgetCwd(process: string): void;
  /** Whether context threads can have a directory of their own (Linux unshare(CLONE_FS)). */
  privateCwd(): boolean;
  /** Shared state and host calls (native/src/objects/bridge.h). Call once per engine. */
  bridge(): NativeBridge;
  /** Dispatches the next turn's worth of waiting events (after an EventKind.More). */
  drain(): void;
  /** The completion spin's window in µs, 0 = off (native/src/objects/completion_spin.h). */
  setSpin(us: number): void;
  spinStats(): { hits: number; misses: number; skipped: number; spunUs: number };
}

/** Mirrors native/src/objects/bridge.cpp. Every function runs without the GIL. */
export interface NativeBridge {
  stateGet(key: string): unknown;
  stateSet(key: string, value: unknown): void;
  stateDelete(key: string): boolean;
  stateKeys(): string[];
  stateIncr(key: string, n?: number): number;
  stateClear(): void;
  stateLimits(maxEntries?: number, maxBytes?: number): { maxEntries: number; maxBytes: number; entries: number; bytes: number };
  stateChanges(): string[];
  stateRepr(key: string, maxChars: number): string | undefined;
  hostReply(id: number, ok: boolean, value: unknown): void;
  hostPending(): number;
}

export interface NativeBinding {
  Engine: new (
    onEvent: (call: number, kind: EventKind, value: unknown) => void,
    PyValue: new (type: string, repr: string) => unknown,
  ) => NativeEngine;
  Context: new () => NativeContext;
  /** `pack` moves JS number arrays to Python in bulk; `unpack` builds a JS array from a Python list of numbers. */
  setNumbersHelper(pack: (a: unknown[]) => Float64Array | undefined, unpack?: (t: Float64Array | Int32Array) => number[]): void;
  /** The ABI this core was built for: cp311, cp313t… */
  abi: string;
  /** PY_VERSION of the headers the core was built with, e.g. '3.11.7'. */
  builtVersion: string;
  /** Py_GetVersion() of the libpython actually loaded. */
  libpythonVersion: string;
  libpythonPath: string;
  freeThreaded: boolean;
  /** Built against headers with PEP 684 (3.12+): createContext(id, 'owngil') is available. */
  ownGil: boolean;
}
