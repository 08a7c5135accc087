import * as assert from 'node:assert/strict';
import { CallTable, type PendingCall } from '../../src/engine/calls';
import { PythonError, TimeoutError } from '../../src/engine/errors';
import { EventKind, type NativeContext } from '../../src/engine/native';
import type { RunOptions } from '../../src/engine/types';

/** A stand-in for the addon's context: records what the table asks of it. */
class FakeNative implements NativeContext {
  cancelled: number[] = [];
  replies: [number, string | null, boolean | undefined][] = [];
  submit(): boolean {
    return true;
  }
  cancel(call: number): boolean {
    this.cancelled.push(call);
    return true;
  }
  interrupt(): void {}
  reply(call: number, value: string | null, eof?: boolean): void {
    this.replies.push([call, value, eof]);
  }
  stats() {
    return { busy: false, queued: 0, calls: 0, environments: 0, busyForMs: 0, currentCall: 0 };
  }
  stop(): number[] {
    return [];
  }
}

function track(table: CallTable, native: NativeContext, opts?: RunOptions) {
  const id = table.newId();
  let outcome: { value?: unknown; error?: Error } | undefined;
  const call: PendingCall = {
    id,
    native,
    opts,
    resolve: (value) => (outcome = { value }),
    reject: (error) => (outcome = { error }),
    settled: false,
    timer: undefined,
    onDone: undefined,
  };
  table.add(call);
  return { id, get outcome() { return outcome; } };
}

describe('CallTable (engine book-keeping)', () => {
  it('refs Node while calls are in flight and unrefs when idle', () => {
    const refs: boolean[] = [];
    const t = new CallTable((r) => refs.push(r));
    const n = new FakeNative();
    const a = track(t, n);
    const b = track(t, n);
    t.onEvent(a.id, EventKind.Result, 1);
    t.onEvent(b.id, EventKind.Result, 2);
    assert.deepEqual(refs, [true, false]);
    assert.deepEqual([a.outcome?.value, b.outcome?.value], [1, 2]);
  });

  it('turns error events into PythonError', () => {
    const t = new CallTable(() => undefined);
    const c = track(t, new FakeNative());
    t.onEvent(c.id, EventKind.Error, { type: 'ValueError', message: 'bad', traceback: 'Traceback…\nValueError: bad\n', frames: [] });
    const err = c.outcome?.error;
    assert.ok(err instanceof PythonError);
    assert.equal(err.type, 'ValueError');
    assert.equal(err.message, 'ValueError: bad');
  });

  it('routes output to the call, and drops it once the call is settled', () => {
    const t = new CallTable(() => undefined);
    const got: string[] = [];
    const c = track(t, new FakeNative(), { onOutput: (s, text) => got.push(`${s}:${text}`) });
    t.onEvent(c.id, EventKind.Stdout, 'a');
    t.onEvent(c.id, EventKind.Stderr, 'b');
    t.onEvent(c.id, EventKind.Result, null);
    t.onEvent(c.id, EventKind.Stdout, 'late');
    assert.deepEqual(got, ['stdout:a', 'stderr:b']);
  });

  it('times out: rejects with TimeoutError and cancels the native call', async () => {
    const t = new CallTable(() => undefined);
    const n = new FakeNative();
    const c = track(t, n, { timeoutMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(c.outcome?.error instanceof TimeoutError);
    assert.deepEqual(n.cancelled, [c.id]);
    assert.equal(t.size, 1, 'kept until the native side reports the end');
    t.onEvent(c.id, EventKind.Error, { type: 'KeyboardInterrupt', message: '', traceback: '', frames: [] });
    assert.equal(t.size, 0);
  });

  it('answers input requests: text, cancel (null) and no handler (eof)', async () => {
    const t = new CallTable(() => undefined);
    const n = new FakeNative();
    const a = track(t, n, { onInput: async (prompt) => `answer to ${prompt}` });
    const b = track(t, n, { onInput: async () => undefined });
    const c = track(t, n);
    t.onEvent(a.id, EventKind.Input, { prompt: 'q?', password: false });
    t.onEvent(b.id, EventKind.Input, { prompt: '', password: false });
    t.onEvent(c.id, EventKind.Input, { prompt: '', password: false });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(n.replies.sort((x, y) => x[0] - y[0]), [
      [a.id, 'answer to q?', undefined],
      [b.id, null, undefined],
      [c.id, null, true],
    ]);
  });

  it('abandons calls of a context (restart) and all calls (shutdown)', () => {
    const t = new CallTable(() => undefined);
    const n1 = new FakeNative();
    const n2 = new FakeNative();
    const a = track(t, n1);
    const b = track(t, n2);
    t.abandonContext(n1, new Error('restarted'));
    assert.match(String(a.outcome?.error), /restarted/);
    assert.equal(b.outcome as unknown, undefined);
    t.abandonAll(new Error('shut down'));
    assert.match(String(b.outcome?.error), /shut down/);
    assert.equal(t.size, 0);
  });

  it('wraps ids before 2^31 and never uses 0', () => {
    const t = new CallTable(() => undefined);
    (t as unknown as { nextId: number }).nextId = 0x7fffffff;
    assert.equal(t.newId(), 0x7fffffff);
    assert.equal(t.newId(), 1);
  });
});
