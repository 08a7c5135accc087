/**
 * The open processes, by id: one object per id while it is open. The engine owns one
 * registry and delegates `python.process()`/`processes()` to it; it reaches the engine only
 * through ProcessEngine. Plain Node; never imports vscode.
 */
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ContextImpl } from '../engine/context';
import type { OutputStream, ProcessOptions } from '../engine/types';
import { ProcessImpl } from './process';
import type { ProcessEngine } from './processEngine';

/**
 * The folder a new process starts in, as os.getcwd() will report it (symlinks resolved), so
 * `proc.cwd` reads the same before and after the first call.
 */
function startDirectory(id: string, requested: string | undefined): string {
  const dir = path.resolve(requested ?? process.cwd());
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new Error(`process '${id}': the working directory '${dir}' does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new Error(`process '${id}': the working directory '${dir}' is not a folder`);
  return real;
}

export class ProcessRegistry {
  private readonly open = new Map<string, ProcessImpl>();

  constructor(private readonly engine: ProcessEngine) {}

  /** The open process `id`, created (in `opts.cwd`) when there is none; `opts` of a later call are ignored. */
  process(id: string, opts?: ProcessOptions): ProcessImpl {
    this.engine.assertRunning();
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('process id must be a non-empty string');
    if (opts !== undefined && (opts === null || typeof opts !== 'object')) throw new TypeError('opts must be an object');
    if (opts?.cwd !== undefined && (typeof opts.cwd !== 'string' || opts.cwd.length === 0)) {
      throw new TypeError('opts.cwd must be a non-empty string');
    }
    let p = this.open.get(id);
    if (!p) {
      const cwd = startDirectory(id, opts?.cwd);
      p = new ProcessImpl(id, this.engine, cwd, (closed) => this.forget(closed));
      this.engine.setCwd(id, cwd);
      this.open.set(id, p);
      this.engine.changed();
    }
    return p;
  }

  find(id: string): ProcessImpl | undefined {
    return this.open.get(id);
  }

  list(): ProcessImpl[] {
    return [...this.open.values()];
  }

  /** Output of a thread whose run ended, for the process that owns it (a closed one is gone). */
  background(id: string, stream: OutputStream, text: string): void {
    this.open.get(id)?.emitBackground(stream, text);
  }

  /** A context was restarted: every process's environment in it is gone. */
  contextRestarted(ctx: ContextImpl): void {
    for (const p of this.open.values()) p.forgetContext(ctx);
  }

  /**
   * Engine shutdown: every process is closed and dropped at once. Nothing is freed one by one:
   * the interpreter, and every environment in it, goes away.
   */
  closeAll(): void {
    for (const p of this.open.values()) p.markClosed();
    this.open.clear();
  }

  /** A process finished closing (after closeAll() it is gone already, and its directory with the engine). */
  private forget(p: ProcessImpl): void {
    if (this.open.get(p.id) === p) {
      this.open.delete(p.id);
      this.engine.forgetCwd(p.id);
    }
    this.engine.changed();
  }
}
