/**
 * Book-keeping of calls in flight: one entry per submitted job, keyed by a call id
 * the native side echoes back with every event (result, error, output, display,
 * input request). Events for calls that were already settled (timed out, cancelled,
 * shut down) are dropped here.
 */
import { PythonError, TimeoutError } from './errors';
import { EventKind, type NativeContext, type NativeErrorInfo } from './native';
import type { DisplayData, RunOptions } from './types';

export interface PendingCall {
  readonly id: number;
  readonly native: NativeContext;
  readonly opts: RunOptions | undefined;
  resolve(value: unknown): void;
  reject(err: Error): void;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  onDone: (() => void) | undefined;
  onAbort?: (() => void) | undefined;
}

export class CallTable {
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private inflight = 0;

  /** Where background output (of threads whose run ended) goes: the engine routes it to its process. */
  onBackground: ((process: string, stream: 'stdout' | 'stderr', text: string) => void) | undefined;

  constructor(private readonly setRef: (ref: boolean) => void) {}

  get size(): number {
    return this.pending.size;
  }

  newId(): number {
    // Ids wrap well before 2^32 and skip 0, which the native side reserves for "none".
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    return id;
  }

  add(call: PendingCall): void {
    this.pending.set(call.id, call);
    if (this.inflight++ === 0) this.setRef(true);
    const signal = call.opts?.signal;
    if (signal) {
      call.onAbort = () => {
        if (call.settled) return;
        const err = new Error('the call was aborted');
        err.name = 'AbortError';
        this.settle(call, undefined, err);
        call.native.cancel(call.id);
      };
      signal.addEventListener('abort', call.onAbort, { once: true });
    }
    const ms = call.opts?.timeoutMs;
    if (ms !== undefined) {
      call.timer = setTimeout(() => {
        if (call.settled) return;
        this.settle(call, undefined, new TimeoutError(ms));
        // Interrupt the code (or drop it from the queue); its late result is ignored.
        call.native.cancel(call.id);
      }, ms);
    }
  }

  /** Settles the promise now; the entry stays until the native side reports completion. */
  settle(call: PendingCall, value: unknown, err?: Error): void {
    if (call.settled) return;
    call.settled = true;
    if (call.timer) clearTimeout(call.timer);
    if (call.onAbort) call.opts?.signal?.removeEventListener('abort', call.onAbort);
    if (err) call.reject(err);
    else call.resolve(value);
  }

  private finish(call: PendingCall): void {
    if (!this.pending.delete(call.id)) return;
    if (--this.inflight === 0) this.setRef(false);
    call.onDone?.();
  }

  /** Rejects and forgets the given calls (dropped from a stopped context's queue). */
  abandon(ids: Iterable<number>, err: Error): void {
    for (const id of ids) {
      const call = this.pending.get(id);
      if (!call) continue;
      this.settle(call, undefined, err);
      this.finish(call);
    }
  }

  /** Rejects every call still running on `native` and forgets them. */
  abandonContext(native: NativeContext, err: Error): void {
    this.abandon([...this.pending.values()].filter((c) => c.native === native).map((c) => c.id), err);
  }

  abandonAll(err: Error): void {
    this.abandon([...this.pending.keys()], err);
  }

  /** The native event dispatcher. Never throws: user callbacks are guarded. */
  onEvent = (id: number, kind: EventKind, value: unknown): void => {
    if (kind === EventKind.BackgroundStdout || kind === EventKind.BackgroundStderr) {
      const v = value as { process: string; text: string };
      const stream = kind === EventKind.BackgroundStdout ? 'stdout' : 'stderr';
      guard(() => this.onBackground?.(v.process, stream, v.text));
      return;
    }
    const call = this.pending.get(id);
    if (!call) return;
    switch (kind) {
      case EventKind.Result:
        this.settle(call, value);
        this.finish(call);
        return;
      case EventKind.Error:
        this.settle(call, undefined, new PythonError(value as NativeErrorInfo));
        this.finish(call);
        return;
      case EventKind.Stdout:
      case EventKind.Stderr:
        if (!call.settled) guard(() => call.opts?.onOutput?.(kind === EventKind.Stdout ? 'stdout' : 'stderr', value as string));
        return;
      case EventKind.Display:
        if (!call.settled) guard(() => call.opts?.onDisplay?.(value as DisplayData));
        return;
      case EventKind.Input:
        this.answerInput(call, value as { prompt: string; password: boolean });
        return;
    }
  };

  private answerInput(call: PendingCall, req: { prompt: string; password: boolean }): void {
    const onInput = call.opts?.onInput;
    if (!onInput || call.settled) {
      call.native.reply(call.id, null, true);
      return;
    }
    let answer: Promise<string | undefined>;
    try {
      answer = Promise.resolve(onInput(req.prompt, req.password));
    } catch {
      answer = Promise.resolve(undefined);
    }
    answer.then(
      (text) => call.native.reply(call.id, typeof text === 'string' ? text : null),
      () => call.native.reply(call.id, null),
    );
  }
}

/** Runs a user callback; one that throws must not break the call or the event loop. */
export function guard(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    // A throwing output callback must not break the call or the event loop.
    queueMicrotask(() => {
      throw e;
    });
  }
}
