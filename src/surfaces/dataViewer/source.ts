/**
 * A ViewSource over the engine: one process's environment in one context. Plain Node.
 */
import type { DataViewRequest } from '../../engine/dataView';
import type { Context, PyProcess, Python } from '../../engine/types';
import type { ViewSource } from './session';

/** How often idle() looks again when no engine event comes (a context may end a call quietly). */
const IDLE_POLL_MS = 250;

export type Subscribe = (listener: () => void) => { dispose(): void };

export class ProcessViewSource implements ViewSource {
  /** This viewer's own requests in flight: being busy with them is no reason to wait. */
  private inflight = 0;

  constructor(
    readonly proc: PyProcess,
    readonly ctx: Context,
    private readonly onDidChange: Subscribe,
  ) {}

  async request(req: DataViewRequest, timeoutMs: number): Promise<unknown> {
    this.inflight++;
    try {
      return await this.proc.dataView(req, this.ctx, { timeoutMs });
    } finally {
      this.inflight--;
    }
  }

  busy(): boolean {
    return this.inflight === 0 && this.ctx.stats().busy;
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.proc.closed || !this.ctx.stats().busy) {
          clearInterval(timer);
          sub.dispose();
          resolve();
        }
      };
      const sub = this.onDidChange(check);
      const timer = setInterval(check, IDLE_POLL_MS);
      check();
    });
  }
}

/** The live process and context with these ids in a running engine, if both still exist. */
export function locate(python: Python | undefined, processId: string, contextId: string): { proc: PyProcess; ctx: Context } | undefined {
  if (!python) return undefined;
  const proc = python.processes().find((p) => p.id === processId && !p.closed);
  if (!proc) return undefined;
  for (const pool of python.pools()) {
    if (!python.poolStarted(pool)) continue;
    const ctx = python.contexts(pool).find((c) => c.id === contextId);
    if (ctx) return { proc, ctx };
  }
  return undefined;
}
