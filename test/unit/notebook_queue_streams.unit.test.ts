import * as assert from 'node:assert/strict';
import { CellQueue, type CellJob } from '../../src/surfaces/notebook/queue';
import { CellOutputWriter, truncationNote, type OutputOp, type Timers } from '../../src/surfaces/notebook/streams';
import { richOutput } from '../../src/surfaces/notebook/outputs';

/** A job whose outcome the test decides, recording what happened to it. */
class Job implements CellJob {
  events: string[] = [];
  private finish!: (ok: boolean) => void;
  started = false;
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}
  run(): Promise<boolean> {
    this.started = true;
    this.log.push(`run ${this.name}`);
    return new Promise((resolve) => (this.finish = resolve));
  }
  skip(): void {
    this.log.push(`skip ${this.name}`);
  }
  end(ok: boolean): void {
    this.log.push(`end ${this.name} ${ok}`);
    this.finish(ok);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('notebook CellQueue', () => {
  it('runs cells strictly one after another, in the order they were queued', async () => {
    const log: string[] = [];
    const q = new CellQueue<Job>();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new Job(n, log)) as [Job, Job, Job];
    q.enqueue([a, b]);
    q.enqueue([c]); // a second batch while the first runs (Run Cell during Run All)
    assert.deepEqual(log, ['run a']);
    assert.equal(q.running, a);
    a.end(true);
    await tick();
    assert.deepEqual(log, ['run a', 'end a true', 'run b']);
    b.end(true);
    await tick();
    c.end(true);
    await q.whenIdle();
    assert.deepEqual(log, ['run a', 'end a true', 'run b', 'end b true', 'run c', 'end c true']);
    assert.ok(q.idle);
  });

  it('a failing (or interrupted) cell skips the cells queued behind it, and later batches run', async () => {
    const log: string[] = [];
    const q = new CellQueue<Job>();
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new Job(n, log)) as [Job, Job, Job];
    q.enqueue([a, b, c]);
    a.end(false);
    await q.whenIdle();
    assert.deepEqual(log, ['run a', 'end a false', 'skip b', 'skip c']);
    const d = new Job('d', log);
    q.enqueue([d]);
    d.end(true);
    await q.whenIdle();
    assert.deepEqual(log.slice(-2), ['run d', 'end d true']);
  });

  it('a rejected run counts as a failure', async () => {
    const log: string[] = [];
    const q = new CellQueue<CellJob>();
    const b = new Job('b', log);
    q.enqueue([{ run: () => Promise.reject(new Error('x')), skip: () => log.push('skip a') }, b]);
    await q.whenIdle();
    assert.deepEqual(log, ['skip b']);
  });

  it('cancels one queued cell, or all of them, without touching the running one', async () => {
    const log: string[] = [];
    const q = new CellQueue<Job>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => new Job(n, log)) as [Job, Job, Job, Job];
    q.enqueue([a, b, c, d]);
    assert.equal(q.cancel(c), true);
    assert.equal(q.cancel(a), false, 'the running cell is not queued');
    assert.deepEqual(q.queued, [b, d]);
    q.cancelPending();
    assert.deepEqual(q.queued, []);
    a.end(true);
    await q.whenIdle();
    assert.deepEqual(log, ['run a', 'skip c', 'skip b', 'skip d', 'end a true']);
  });
});

/** Timers the test fires by hand, so no test depends on real time. */
class ManualTimers implements Timers {
  private next = 1;
  readonly armed = new Map<number, () => void>();
  setTimeout(fn: () => void): unknown {
    const id = this.next++;
    this.armed.set(id, fn);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.armed.delete(handle as number);
  }
  fireAll(): void {
    const fns = [...this.armed.values()];
    this.armed.clear();
    for (const fn of fns) fn();
  }
}

function describeOp(op: OutputOp): string {
  if (op.kind === 'stream') return `${op.append ? '+' : 'new '}${op.stream}:${JSON.stringify(op.text)}`;
  if (op.kind === 'clear') return 'clear';
  const id = op.displayId === undefined ? '' : `#${op.displayId}${op.update ? ' update' : ''}`;
  return `rich:${op.output.metadata.outputType}${id}`;
}

describe('notebook CellOutputWriter', () => {
  function setup(maxChars?: number): { w: CellOutputWriter; ops: string[]; timers: ManualTimers } {
    const ops: string[] = [];
    const timers = new ManualTimers();
    const w = new CellOutputWriter((op) => void ops.push(describeOp(op)), { timers, ...(maxChars ? { maxChars } : {}) });
    return { w, ops, timers };
  }

  it('coalesces small writes until the timer fires, then appends to the same stream output', async () => {
    const { w, ops, timers } = setup();
    for (let i = 0; i < 100; i++) w.write('stdout', `${i}\n`);
    await tick();
    assert.equal(ops.length, 0, 'nothing is sent before the timer');
    assert.equal(timers.armed.size, 1, 'one timer for many writes');
    timers.fireAll();
    w.write('stdout', 'more\n');
    timers.fireAll();
    await w.close();
    assert.equal(ops.length, 2);
    assert.ok(ops[0]?.startsWith('new stdout:"0\\n1\\n'));
    assert.equal(ops[1], '+stdout:"more\\n"');
  });

  it('keeps the order of stdout, stderr and display outputs', async () => {
    const { w, ops } = setup();
    w.write('stdout', 'a');
    w.write('stderr', 'b');
    w.write('stdout', 'c');
    w.display(richOutput({ data: { 'text/plain': 'x' }, metadata: {} }, 'display_data'));
    w.write('stdout', 'd');
    await w.close();
    assert.deepEqual(ops, ['new stdout:"a"', 'new stderr:"b"', 'new stdout:"c"', 'rich:display_data', 'new stdout:"d"']);
  });

  it('truncates huge output with one note and ignores everything after', async () => {
    const { w, ops } = setup(10);
    w.write('stdout', '12345678');
    w.write('stdout', 'abcdef');
    w.write('stdout', 'never shown');
    w.write('stderr', 'nor this');
    await w.close();
    assert.ok(w.wasTruncated);
    assert.deepEqual(ops, [`new stdout:${JSON.stringify(`12345678ab${truncationNote(10)}`)}`]);
  });

  it('writes the whole of a truncated output to its file, and ends with how much more it holds', async () => {
    const ops: string[] = [];
    const files: { path: string; text: string; ended: boolean }[] = [];
    const w = new CellOutputWriter((op) => void ops.push(describeOp(op)), {
      timers: new ManualTimers(),
      maxChars: 10,
      overflow: () => {
        const f = { path: `/logs/full-${files.length + 1}.txt`, text: '', ended: false };
        files.push(f);
        return {
          path: f.path,
          write: (t: string) => void (f.text += t),
          end: async () => void (f.ended = true),
        };
      },
    });
    w.write('stdout', '12345678');
    w.write('stdout', 'abcdef');
    w.write('stderr', 'err!');
    w.write('stdout', 'x'.repeat(2_000_000));
    await w.close();
    assert.equal(files.length, 1);
    assert.deepEqual(files[0], { path: '/logs/full-1.txt', text: `12345678abcdeferr!${'x'.repeat(2_000_000)}`, ended: true });
    assert.deepEqual(ops, [
      `new stdout:${JSON.stringify(`12345678ab${truncationNote(10, '/logs/full-1.txt')}`)}`,
      `+stdout:${JSON.stringify('… 2 MB more: open the full output /logs/full-1.txt\n')}`,
    ]);
    assert.match(truncationNote(1_000_000, '/f.txt'), /more than 1,000,000 characters; the rest goes to the full output, \/f\.txt\]/);
  });

  it('clear_output() drops unsent text and restarts the size limit; wait=True clears on the next output', async () => {
    const { w, ops } = setup(10);
    w.write('stdout', '123456789');
    w.clear(false);
    w.write('stdout', 'abcdefghi');
    w.clear(true);
    w.write('stdout', 'dropped'); // the next output: the waiting clear happens first
    w.clear(true);
    await w.flush();
    assert.deepEqual(ops, ['clear', 'clear']);
    w.display(richOutput({ data: { 'text/plain': 'frame' }, metadata: {} }, 'display_data'));
    w.write('stdout', 'x');
    await w.close();
    assert.deepEqual(ops, ['clear', 'clear', 'clear', 'rich:display_data', 'new stdout:"x"']);
    assert.equal(w.wasTruncated, false);
  });

  it('passes display ids and updates through, in order', async () => {
    const { w, ops } = setup();
    const bundle = richOutput({ data: { 'text/plain': '1' }, metadata: {} }, 'display_data');
    w.display(bundle, { displayId: 'p', update: false });
    w.write('stdout', 'between');
    w.display(bundle, { displayId: 'p', update: true });
    await w.close();
    assert.deepEqual(ops, ['rich:display_data#p', 'new stdout:"between"', 'rich:display_data#p update']);
  });

  it('ignores writes after close (a thread that outlives its cell)', async () => {
    const { w, ops, timers } = setup();
    await w.close();
    w.write('stdout', 'late');
    w.display(richOutput({ data: { 'text/plain': 'x' }, metadata: {} }, 'display_data'));
    timers.fireAll();
    await tick();
    assert.deepEqual(ops, []);
  });

  it('reports a sink failure at close and stops sending', async () => {
    let calls = 0;
    const w = new CellOutputWriter(() => {
      calls++;
      throw new Error('notebook closed');
    });
    w.write('stdout', 'a');
    w.display(richOutput({ data: { 'text/plain': 'x' }, metadata: {} }, 'display_data'));
    await assert.rejects(w.close(), /notebook closed/);
    assert.equal(calls, 1);
  });
});
