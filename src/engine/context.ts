import type { NativeContext } from './native';
import type { PoolMode } from './pools';
import type { Context, ContextStats } from './types';

/**
 * A context as JS sees it. The object stays the same across restarts; only the
 * native handle (the thread) behind it is replaced, so bindings and tree items
 * that hold it stay valid.
 */
export class ContextImpl implements Context {
  readonly id: string;
  /** Calls submitted here and not yet completed: the router's load figure. */
  inflight = 0;

  constructor(
    readonly pool: string,
    readonly index: number,
    readonly mode: PoolMode,
    public native: NativeContext,
  ) {
    this.id = `${pool}:${index}`;
  }

  interrupt(): void {
    this.native.interrupt();
  }

  stats(): ContextStats {
    const s = this.native.stats();
    return { busy: s.busy, queued: s.queued, calls: s.calls, environments: s.environments, busyForMs: s.busyForMs };
  }

  toString(): string {
    return `Context(${this.id})`;
  }
}
