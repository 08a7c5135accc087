/**
 * The cells of one notebook, run one after another.
 *
 * VS Code hands the controller batches of cells (Run All, Run Above, a single cell) at any
 * time, also while a cell is running. They all go into one queue per notebook so that
 * cells never overlap and run in the order they were asked for. As in Jupyter, a cell that
 * fails (an exception, an interrupt) cancels the cells queued behind it: they were written
 * expecting it to succeed.
 *
 * Plain TypeScript, no `vscode`: a job is whatever the controller wraps a cell execution in.
 */
export interface CellJob {
  /** Runs the cell. Resolves true when it succeeded; false (or a rejection) stops the queue. */
  run(): Promise<boolean>;
  /** Ends the cell without running it. Called at most once, and never after run(). */
  skip(): void;
}

export class CellQueue<J extends CellJob = CellJob> {
  private pending: J[] = [];
  private current: J | undefined;
  private idleWaiters: (() => void)[] = [];

  /** The job running now, if any. */
  get running(): J | undefined {
    return this.current;
  }

  get queued(): readonly J[] {
    return this.pending;
  }

  get idle(): boolean {
    return this.current === undefined && this.pending.length === 0;
  }

  enqueue(jobs: readonly J[]): void {
    this.pending.push(...jobs);
    if (this.current === undefined) void this.pump();
  }

  /** Removes a job that has not started and skips it; returns false when it is not queued. */
  cancel(job: J): boolean {
    const i = this.pending.indexOf(job);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    job.skip();
    return true;
  }

  /** Skips every job that has not started; the running one is left to finish. */
  cancelPending(): void {
    const jobs = this.pending;
    this.pending = [];
    for (const job of jobs) job.skip();
  }

  /** Resolves when nothing runs and nothing is queued. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async pump(): Promise<void> {
    for (let job = this.pending.shift(); job !== undefined; job = this.pending.shift()) {
      this.current = job;
      let ok: boolean;
      try {
        ok = await job.run();
      } catch {
        ok = false;
      }
      this.current = undefined;
      if (!ok) this.cancelPending();
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
