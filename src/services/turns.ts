/**
 * Bounded turns for bursts of commands. VS Code calls a command's handler at once, and a burst
 * of them (Run File on 100 documents, a script driving the API) runs every handler's
 * synchronous part in one stretch of the host's thread: creating a process stats its folder,
 * resolves it and looks for saved state, about half a millisecond each. 100 of them held the
 * extension host for 20-50 ms, in which no other extension's timer or request ran.
 *
 * A handler asks `wait()` just before its synchronous part. The first ones of a turn go on at
 * once; once a turn has used its budget, the rest wait for a later turn of the event loop
 * (setImmediate: timers and I/O are served in between), in the order they came.
 *
 * The answer is synchronous on purpose. An `async enter()` would let every handler of a burst
 * pass its check before the first had done its work (each continuation is a microtask queued
 * behind the others' checks), so the budget would never be spent. With
 *
 *     for (let w = turns.wait(); w; w = turns.wait()) await w;
 *
 * a handler that may go on does its work right after the check, before the next one checks.
 * No vscode import: tested as a plain module.
 */
export class TurnBudget {
  /** When the current turn's first handler went on; undefined between turns. */
  private turnStart: number | undefined;
  private waiting: (() => void)[] = [];
  private scheduled = false;

  constructor(
    private readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly later: (f: () => void) => void = (f) => setImmediate(f),
  ) {}

  /**
   * undefined: go on now, synchronously. A promise: this turn's budget is spent; it resolves
   * in a later turn, and then the handler asks again.
   */
  wait(): Promise<void> | undefined {
    const t = this.now();
    if (this.turnStart === undefined) {
      this.turnStart = t;
      this.schedule();
    }
    if (t - this.turnStart < this.budgetMs) return undefined;
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  /** Handlers waiting for a later turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Ends the turn from the next check phase and lets the waiting handlers try again. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => {
      this.scheduled = false;
      this.turnStart = undefined;
      const waiting = this.waiting;
      this.waiting = [];
      for (const resolve of waiting) resolve();
    });
  }
}
