/**
 * What processes need from the engine, and all they may use of it. PythonImpl
 * (src/engine/python.ts) implements it; the registry and ProcessImpl see nothing else of
 * the engine, so the engine can change behind it and tests can stand in for it. Plain
 * Node; never imports vscode.
 */
import type { PendingCall } from '../engine/calls';
import type { ContextImpl } from '../engine/context';
import type { RunOptions } from '../engine/types';

export interface ProcessEngine {
  /** 'per-process': the native side keeps a directory per process; 'shared': all are in Node's. */
  readonly workingDirectories: 'per-process' | 'shared';

  /** Throws once Python is shut down. */
  assertRunning(): void;

  /** The engine's own context for one a caller gave; a TypeError naming `what` for anything else. */
  own(ctx: unknown, what: string): ContextImpl;

  /** The router's pick in a pool, for a process that has no context yet. */
  getContext(pool: string): ContextImpl;

  /**
   * Submits one job with the process's id as its environment; `owner` holds the call while it
   * is in flight (so the process can interrupt it). The single path every process call takes.
   */
  submit(ctx: ContextImpl, op: number, env: string, payload: unknown[], names: string[], opts: RunOptions | undefined,
    owner?: Set<PendingCall>): Promise<unknown>;

  /** Something observers see changed (a process opened or closed, a binding, an environment). */
  changed(): void;

  /** The native table of working directories (native/src/runtime/workdirs.h), by process id. */
  setCwd(process: string, dir: string): void;
  cwdOf(process: string): string | undefined;
  forgetCwd(process: string): void;
}
