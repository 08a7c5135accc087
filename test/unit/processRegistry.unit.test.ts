import * as assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PendingCall } from '../../src/engine/calls';
import { ContextImpl } from '../../src/engine/context';
import type { NativeContext } from '../../src/engine/native';
import { OP } from '../../src/engine/ops';
import type { RunOptions } from '../../src/engine/types';
import type { ProcessEngine } from '../../src/processes/processEngine';
import { ProcessRegistry } from '../../src/processes/registry';

/** A context's native side that only records interrupts (the registry never runs anything). */
function fakeContext(pool: string, index: number, interrupts: number[]): ContextImpl {
  const native = { interrupt: (call?: number) => interrupts.push(call ?? 0) } as unknown as NativeContext;
  return new ContextImpl(pool, index, 'worker', native);
}

interface Job {
  ctx: string;
  op: number;
  env: string;
  payload: unknown[];
  finish(error?: Error): void;
}

/**
 * A stand-in for the engine, behind the same interface PythonImpl implements: jobs wait until
 * the test finishes them, and everything the processes ask of it is recorded.
 */
class FakeEngine implements ProcessEngine {
  workingDirectories: 'per-process' | 'shared' = 'per-process';
  running = true;
  changes = 0;
  readonly interrupts: number[] = [];
  readonly contexts = [fakeContext('default', 1, this.interrupts), fakeContext('default', 2, this.interrupts)];
  readonly cwds = new Map<string, string>();
  readonly forgotten: string[] = [];
  readonly jobs: Job[] = [];
  private rr = 0;
  private nextCall = 1;

  assertRunning(): void {
    if (!this.running) throw new Error('Python has been shut down');
  }

  own(ctx: unknown, what: string): ContextImpl {
    if (!this.contexts.includes(ctx as ContextImpl)) throw new TypeError(`${what} must be a Context of this Python`);
    return ctx as ContextImpl;
  }

  getContext(pool: string): ContextImpl {
    assert.equal(pool, 'default');
    return this.contexts[this.rr++ % this.contexts.length]!;
  }

  submit(ctx: ContextImpl, op: number, env: string, payload: unknown[], _names: string[], _opts: RunOptions | undefined,
    owner?: Set<PendingCall>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call: PendingCall = {
        id: this.nextCall++, native: ctx.native, opts: undefined, resolve, reject, settled: false, timer: undefined, onDone: undefined,
      };
      owner?.add(call);
      this.jobs.push({
        ctx: ctx.id, op, env, payload,
        finish: (error) => {
          owner?.delete(call);
          if (error) reject(error);
          else resolve(null);
        },
      });
    });
  }

  changed(): void {
    this.changes++;
  }

  setCwd(process: string, dir: string): void {
    this.cwds.set(process, dir);
  }

  cwdOf(process: string): string | undefined {
    return this.cwds.get(process);
  }

  forgetCwd(process: string): void {
    this.cwds.delete(process);
    this.forgotten.push(process);
  }

  /** Finishes every waiting job (successfully unless `error` is given) and lets the promises settle. */
  async finishAll(error?: Error): Promise<void> {
    for (const j of this.jobs.splice(0)) j.finish(error);
    await new Promise((r) => setImmediate(r));
  }
}

describe('ProcessRegistry (src/processes/registry.ts, against a fake ProcessEngine)', () => {
  let engine: FakeEngine;
  let reg: ProcessRegistry;
  let dir: string;

  beforeEach(() => {
    engine = new FakeEngine();
    reg = new ProcessRegistry(engine);
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pyc-registry-')));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a process once per id, tells the engine its directory, and finds and lists it', () => {
    const a = reg.process('a', { cwd: dir });
    assert.equal(engine.changes, 1);
    assert.equal(reg.process('a', { cwd: os.tmpdir() }), a, 'the same id gives the same object; later opts are ignored');
    assert.equal(engine.changes, 1, 'finding an open process changes nothing');
    const b = reg.process('b');
    assert.equal(engine.cwds.get('a'), dir);
    assert.equal(engine.cwds.get('b'), realpathSync(process.cwd()), 'the default is Node\'s directory');
    assert.equal(a.cwd, dir);
    assert.equal(reg.find('a'), a);
    assert.equal(reg.find('c'), undefined);
    assert.deepEqual(reg.list(), [a, b]);
  });

  it('resolves the start directory through symlinks, so proc.cwd matches os.getcwd()', () => {
    const link = path.join(dir, 'link');
    symlinkSync(os.tmpdir(), link);
    reg.process('p', { cwd: link });
    assert.equal(engine.cwds.get('p'), realpathSync(os.tmpdir()));
  });

  it('rejects bad arguments and bad folders, registering nothing', () => {
    const file = path.join(dir, 'file.txt');
    writeFileSync(file, 'x');
    assert.throws(() => reg.process(''), { name: 'TypeError', message: /process id/ });
    assert.throws(() => reg.process(7 as unknown as string), { name: 'TypeError', message: /process id/ });
    assert.throws(() => reg.process('p', null as unknown as object), { name: 'TypeError', message: /^opts must be an object/ });
    assert.throws(() => reg.process('p', { cwd: '' }), { name: 'TypeError', message: /opts\.cwd/ });
    assert.throws(() => reg.process('p', { cwd: path.join(dir, 'missing') }), /process 'p': the working directory .* does not exist/);
    assert.throws(() => reg.process('p', { cwd: file }), /process 'p': the working directory .* is not a folder/);
    assert.deepEqual(reg.list(), []);
    assert.equal(engine.cwds.size, 0);
    assert.equal(engine.changes, 0);
  });

  it('refuses new processes once the engine is shut down', () => {
    engine.running = false;
    assert.throws(() => reg.process('p'), /shut down/);
    assert.deepEqual(reg.list(), []);
  });

  it('a closing process frees its environments first, then leaves the registry and the directory table', async () => {
    const p = reg.process('p');
    const run = p.exec('x = 1');
    await engine.finishAll();
    await run;
    const used = p.contextsUsed.map((c) => c.id);
    assert.equal(used.length, 1);
    const changesBefore = engine.changes;
    const closing = p.close();
    assert.equal(p.close(), closing, 'a second close() waits for the same work');
    assert.deepEqual(engine.jobs.map((j) => [j.ctx, j.op, j.env]), [[used[0], OP.closeEnv, 'p']]);
    assert.equal(reg.find('p'), p, 'still registered while its environment is being freed');
    assert.deepEqual(engine.forgotten, []);
    await engine.finishAll();
    await closing;
    assert.equal(reg.find('p'), undefined);
    assert.deepEqual(engine.forgotten, ['p']);
    assert.ok(engine.changes > changesBefore);
    const again = reg.process('p');
    assert.notEqual(again, p, 'the id opens a fresh process after close');
    assert.equal(again.closed, false);
  });

  it('a process leaves the registry even when freeing an environment fails', async () => {
    const p = reg.process('p');
    const run = p.exec('x = 1');
    await engine.finishAll();
    await run;
    const closing = p.close();
    await engine.finishAll(new Error('context default:1 is stopped'));
    await closing;
    assert.deepEqual(reg.list(), []);
    assert.deepEqual(engine.forgotten, ['p']);
  });

  it('routes background output to the open process it belongs to, and drops the rest', () => {
    const a = reg.process('a');
    const b = reg.process('b');
    const seen: string[] = [];
    a.onBackgroundOutput((s, t) => seen.push(`a ${s} ${t}`));
    b.onBackgroundOutput((s, t) => seen.push(`b ${s} ${t}`));
    reg.background('a', 'stdout', 'one');
    reg.background('b', 'stderr', 'two');
    reg.background('gone', 'stdout', 'three');
    assert.deepEqual(seen, ['a stdout one', 'b stderr two']);
  });

  it('a restarted context drops every process\'s environment in it, and only there', async () => {
    const [c1, c2] = engine.contexts as [ContextImpl, ContextImpl];
    const a = reg.process('a');
    const b = reg.process('b');
    const runs = [a.exec('x = 1', { context: c1 }), a.exec('x = 1', { context: c2 }), b.exec('y = 1', { context: c1 })];
    await engine.finishAll();
    await Promise.all(runs);
    reg.contextRestarted(c1);
    assert.deepEqual(a.contextsUsed, [c2]);
    assert.deepEqual(b.contextsUsed, []);
  });

  it('closeAll (engine shutdown) closes and drops every process without submitting anything', async () => {
    const a = reg.process('a');
    const run = a.exec('x = 1');
    await engine.finishAll();
    await run;
    const b = reg.process('b');
    reg.closeAll();
    assert.deepEqual(reg.list(), []);
    assert.equal(a.closed, true);
    assert.equal(b.closed, true);
    await a.close();
    assert.deepEqual(engine.jobs, [], 'the interpreter goes away with the environments: nothing to free one by one');
    await assert.rejects(a.exec('1'), /process 'a' is closed/);
  });
});

describe('ProcessImpl through ProcessEngine', () => {
  let engine: FakeEngine;
  let reg: ProcessRegistry;

  beforeEach(() => {
    engine = new FakeEngine();
    reg = new ProcessRegistry(engine);
  });

  it('sticks to the context the router picked first; bind() and opts.context override it', async () => {
    const [c1, c2] = engine.contexts as [ContextImpl, ContextImpl];
    const p = reg.process('p');
    const runs = [p.exec('a'), p.exec('b')];
    assert.deepEqual(engine.jobs.map((j) => j.ctx), [c1.id, c1.id], 'the router is asked once');
    p.bind(c2);
    runs.push(p.exec('c'), p.exec('d', { context: c1 }));
    assert.deepEqual(engine.jobs.map((j) => j.ctx), [c1.id, c1.id, c2.id, c1.id]);
    assert.equal(p.boundContext, c2);
    assert.equal(p.currentContext, c2);
    await engine.finishAll();
    await Promise.all(runs);
    assert.deepEqual(p.contextsUsed, [c1, c2]);
  });

  it('refuses contexts the engine does not own, naming the argument', async () => {
    const p = reg.process('p');
    const foreign = fakeContext('default', 1, []);
    assert.throws(() => p.bind(foreign), { name: 'TypeError', message: /^bind\(ctx\): ctx/ });
    await assert.rejects(p.exec('1', { context: foreign }), { name: 'TypeError', message: /^opts\.context/ });
    assert.deepEqual(engine.jobs, []);
  });

  it('interrupts only its own calls in flight', async () => {
    const [c1] = engine.contexts as [ContextImpl];
    const a = reg.process('a');
    const b = reg.process('b');
    const runs = [a.exec('1', { context: c1 }), b.exec('2', { context: c1 })];
    a.interrupt();
    assert.deepEqual(engine.interrupts, [1], 'call 1 is a\'s; call 2, b\'s on the same context, is untouched');
    await engine.finishAll();
    await Promise.all(runs);
    a.interrupt();
    assert.deepEqual(engine.interrupts, [1], 'nothing in flight, nothing interrupted');
  });

  it('reads its directory from the engine: the native table per process, Node\'s when shared', () => {
    const p = reg.process('p', { cwd: os.tmpdir() });
    engine.cwds.set('p', '/somewhere/else');
    assert.equal(p.cwd, '/somewhere/else');
    engine.cwds.delete('p');
    assert.equal(p.cwd, '/somewhere/else', 'after close the last directory stays');
    engine.workingDirectories = 'shared';
    assert.equal(p.cwd, process.cwd());
  });
});
