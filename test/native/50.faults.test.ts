/**
 * Issue 5: faults and bad input at the engine level. Each case must leave the host
 * alive, the context usable (or restartable) and every other process's environment
 * untouched. Cases that could end the runner itself run in child processes
 * (fixtures/, and 52.shutdown.test.ts).
 */
import * as assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PythonError, TimeoutError } from '../../src/core';
import type { Context, PyProcess, Python, RunOptions } from '../../src/core';
import { BLOCKING_MARKER, runBlocking } from './fixtures/blocking';
import { describeRun, runFixture } from './fixtures/child';
import { getPython, uniqueId, until } from './_setup';

const POOL = 'faults';

async function faultPool(py: Python): Promise<Context[]> {
  if (!py.poolStarted(POOL)) await py.startPool(POOL, 2);
  return py.contexts(POOL);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const threadCount = () => readdirSync('/proc/self/task').length;

/** The rejection of `p`, or a failure if it resolves. */
async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    (v) => assert.fail(`expected a rejection, got ${String(v)}`),
    (e: unknown) => e as Error,
  );
}

describe('faults (issue 5)', function () {
  this.timeout(60_000);
  let py: Python;
  let ctxs: Context[];
  let bystander: PyProcess;
  let checks = 0;

  before(async () => {
    py = await getPython();
    ctxs = await faultPool(py);
    // A process whose environment every fault below must leave alone.
    bystander = py.process(uniqueId('bystander'));
    await bystander.exec('keep = {"alive": True, "n": 41}', { context: ctxs[0]! });
  });

  afterEach(async () => {
    assert.deepEqual(await bystander.run('keep["n"] += 1\nkeep["alive"]', { context: ctxs[0]! }), true);
    checks++;
  });

  after(async () => {
    assert.equal(await bystander.run('keep["n"]', { context: ctxs[0]! }), 41 + checks);
    await bystander.close();
  });

  describe('exits', () => {
    it('sys.exit(3), raise SystemExit, exit() and quit() are PythonErrors of type SystemExit; the host lives on', async () => {
      const p = py.process(uniqueId());
      p.bind(ctxs[0]!);
      await p.exec('state = "kept"');
      const cases: [string, string][] = [
        ['import sys\nsys.exit(3)', 'SystemExit(3)'],
        ['raise SystemExit(3)', 'SystemExit(3)'],
        ['raise SystemExit', 'SystemExit(None)'],
        ['exit()', 'SystemExit(None)'],
        ['quit()', 'SystemExit(None)'],
        ['exit(3)', 'SystemExit(3)'],
        ['import sys\nsys.exit("bye")', "SystemExit('bye')"],
      ];
      for (const [code, message] of cases) {
        const err = await rejection(p.run(code));
        assert.ok(err instanceof PythonError, code);
        assert.equal(err.type, 'SystemExit', code);
        assert.equal(err.pythonMessage, message, code);
        assert.ok(err.message.includes(message), err.message);
      }
      assert.equal(await p.run('state'), 'kept');
      await p.close();
    });

    it('os._exit(1), os.abort() and their posix twins are intercepted and reported as errors', async () => {
      const p = py.process(uniqueId());
      p.bind(ctxs[1]!);
      for (const code of ['import os\nos._exit(1)', 'import os\nos.abort()', 'import posix\nposix._exit(1)', 'import posix\nposix.abort()', 'from os import _exit\n_exit(0)']) {
        const err = await rejection(p.run(code));
        assert.ok(err instanceof PythonError, code);
        assert.match(err.type, /ProcessExitBlocked$/, code);
        assert.match(err.message, /was blocked: it would terminate the VS Code extension host/, code);
      }
      assert.equal(await p.run('import os\nos.getpid()'), process.pid);
      await p.close();
    });

    it('a forked child can end itself (os.fork + os._exit, multiprocessing with fork) and never runs on as a stray copy', async () => {
      const p = py.process(uniqueId());
      p.bind(ctxs[1]!);
      const forkExit = 'import os\npid = os.fork()\nif pid == 0:\n    os._exit(7)\nos.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])';
      assert.equal(await p.run(forkExit, { timeoutMs: 20_000 }), 7);
      // A child that returns into the engine instead is ended there (status 0).
      const fallThrough = 'pid = os.fork()\nif pid == 0:\n    y = 1\nos.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) if pid else None';
      assert.equal(await p.run(fallThrough, { timeoutMs: 20_000 }), 0);
      const pool = 'import multiprocessing as mp\nwith mp.get_context("fork").Pool(2) as pool:\n    r = pool.map(abs, [-1, -2, -3])\nr';
      assert.deepEqual(await p.run(pool, { timeoutMs: 30_000 }), [1, 2, 3]);
      // In the host itself os._exit stays blocked.
      assert.match((await rejection(p.run('os._exit(1)'))).message, /was blocked/);
      await p.close();
    });

    it('_thread.interrupt_main() interrupts the calling code (as on a main thread) instead of crashing the host', async () => {
      const p = py.process(uniqueId());
      // The signal emulation (issue 15) delivers it to the process's running code, as Python
      // delivers it to the main thread: here that is the very run that called it.
      const err = await rejection(p.run('import _thread, time\n_thread.interrupt_main()\ntime.sleep(5)', { context: ctxs[1]! }));
      assert.ok(err instanceof PythonError);
      // Emulated for the process since issue 15 (py_contexts/signals.py); it used to segfault.
      assert.equal(err.type, 'KeyboardInterrupt');
      assert.equal(await p.run('1 + 1', { context: ctxs[1]! }), 2);
      await p.close();
    });
  });

  describe('interrupts', () => {
    it('while True: pass stops within a generous bound, and the next request runs normally', async () => {
      const ctx = ctxs[1]!;
      const p = py.process(uniqueId());
      p.bind(ctx);
      await p.exec('count = 0');
      const settleMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const loop = p.run('while True:\n    count += 1');
        assert.ok(await until(() => ctx.stats().busy));
        const t0 = Date.now();
        ctx.interrupt();
        const err = await rejection(loop);
        settleMs.push(Date.now() - t0);
        assert.ok(err instanceof PythonError);
        assert.equal(err.type, 'KeyboardInterrupt');
        assert.equal(await p.run('21 * 2'), 42);
      }
      assert.ok(Math.max(...settleMs) < 5000, `interrupt took ${settleMs.join(', ')} ms`);
      assert.ok((await p.run('count')) as number > 0);
      console.log(`      interrupt -> settled: ${settleMs.join(', ')} ms`);
      await p.close();
    });

    it('an interrupt never leaks into the next request, even when it races the end of a call (300 cycles)', async () => {
      const ctx = ctxs[1]!;
      const p = py.process(uniqueId());
      p.bind(ctx);
      await p.exec('import time');
      const tally = { completed: 0, interrupted: 0, longInterrupted: 0, long: 0 };
      const codes = [
        (i: number) => {
          const n = 2 + ((i * 7919) % 20000);
          return [`sum(range(${n}))`, (n * (n - 1)) / 2] as const;
        },
        () => ['time.sleep(0.0005)\n7', 7] as const,
        () => ['x = 0\nfor j in range(3000):\n    x += j\nx', 4498500] as const,
        () => ['"idle soon"', 'idle soon'] as const,
        // Long enough (a few ms) that most interrupts land mid-call.
        () => ['x = 0\nfor j in range(200000):\n    x += j\nx', 19999900000] as const,
      ];
      const when: ((f: () => void) => Promise<void>)[] = [
        async (f) => f(), // right after submit: may still be queued (a no-op) or just starting
        async (f) => { await Promise.resolve(); f(); },
        (f) => new Promise((r) => setImmediate(() => { f(); r(); })),
        (f) => new Promise((r) => setTimeout(() => { f(); r(); }, 0)),
        (f) => new Promise((r) => setTimeout(() => { f(); r(); }, 1)),
      ];
      for (let i = 0; i < 300; i++) {
        const [code, expected] = codes[i % codes.length]!(i);
        const call = p.run(code);
        await when[i % when.length]!(() => ctx.interrupt());
        const out = await call.then((v) => v, (e: unknown) => e);
        // The few-ms loop always meets the 1 ms timer (codes and timings have the same length).
        const long = i % codes.length === codes.length - 1;
        if (long) tally.long++;
        if (out instanceof PythonError) {
          assert.equal(out.type, 'KeyboardInterrupt', `cycle ${i}: ${out.message}`);
          tally.interrupted++;
          if (long) tally.longInterrupted++;
        } else {
          assert.equal(out, expected, `cycle ${i}`);
          tally.completed++;
        }
        // The requests after it see nothing of the interrupt: a loop, a sleep, a call.
        assert.equal(await p.run('y = 0\nfor j in range(20000):\n    y += j\ny'), 199990000, `cycle ${i}`);
        assert.equal(await p.run('time.sleep(0.0002)\n"slept"'), 'slept', `cycle ${i}`);
        assert.equal(await p.call('math', 'sqrt', [16]), 4, `cycle ${i}`);
      }
      console.log(`      ${tally.interrupted} interrupted, ${tally.completed} completed before the interrupt landed`);
      // Interrupts really landed: a quarter of the few-ms loops at least (most, unloaded).
      assert.equal(codes.length, when.length);
      assert.ok(tally.longInterrupted >= tally.long / 4, `only ${tally.longInterrupted} of ${tally.long} long loops interrupted`);
      await p.close();
    });

    it('an interrupt hits only the running call: a call queued behind it, from another process, runs normally', async () => {
      const ctx = ctxs[1]!;
      const a = py.process(uniqueId());
      const b = py.process(uniqueId());
      const looping = a.run('while True: pass', { context: ctx });
      const queued = b.run('sum(range(10))', { context: ctx });
      assert.ok(await until(() => ctx.stats().busy));
      ctx.interrupt();
      assert.equal((await rejection(looping) as PythonError).type, 'KeyboardInterrupt');
      assert.equal(await queued, 45);
      await Promise.all([a.close(), b.close()]);
    });

    it('time.sleep(60) is interruptible (the runtime replaces it) and settles within a generous bound', async () => {
      const ctx = ctxs[1]!;
      const p = py.process(uniqueId());
      const sleeping = p.run('import time\ntime.sleep(60)\nafter = True', { context: ctx });
      assert.ok(await until(() => ctx.stats().busy));
      await sleep(50);
      const t0 = Date.now();
      ctx.interrupt();
      const err = await rejection(sleeping);
      const ms = Date.now() - t0;
      assert.equal((err as PythonError).type, 'KeyboardInterrupt');
      assert.ok(ms < 5000, `sleep interrupt took ${ms} ms`);
      assert.equal(await p.run('"after" in dir()', { context: ctx }), false);
      console.log(`      time.sleep(60) interrupted after ${ms} ms`);
      await p.close();
    });

    it('timeoutMs rejects with TimeoutError and interrupts the code (the context is free again)', async () => {
      const ctx = ctxs[1]!;
      const p = py.process(uniqueId());
      p.bind(ctx);
      for (const code of ['while True: pass', 'import time\ntime.sleep(60)']) {
        const err = await rejection(p.run(code, { timeoutMs: 150 }));
        assert.ok(err instanceof TimeoutError, code);
        assert.equal(err.name, 'TimeoutError');
        // Only an interrupted loop lets this run at all.
        assert.equal(await p.run('"free"'), 'free');
      }
      await p.close();
    });
  });

  describe('blocking C calls', () => {
    const BLOCK = `import socket, builtins\na, b = socket.socketpair()\nbuiltins._pyc_fault_release = b\nreached = False\nprint('${BLOCKING_MARKER}', flush=True)\na.recv(1)\nreached = True`;
    /** Runs BLOCK and waits until it is inside recv() (see fixtures/blocking.ts for why not `busy`). */
    async function runBlocked(p: PyProcess, opts: RunOptions = {}): Promise<{ call: Promise<unknown> }> {
      const blocked = runBlocking(p, BLOCK, 'BLOCK', opts);
      await blocked.untilBlocked();
      return { call: blocked.call }; // wrapped: an async function would wait for a returned promise
    }
    const RELEASE = 'import builtins\nbuiltins._pyc_fault_release.send(b"x")\nbuiltins._pyc_fault_release = None';

    it('an interrupt during a blocking C call is pending until the call returns, then lands before the next line', async () => {
      const [ctx, other] = [ctxs[1]!, ctxs[0]!];
      const p = py.process(uniqueId());
      let settled = false;
      const stuck = (await runBlocked(p, { context: ctx })).call.finally(() => {
        settled = true;
      });
      ctx.interrupt();
      await sleep(300);
      assert.equal(settled, false, 'a call blocked in C cannot see the interrupt before it returns');
      await p.run(RELEASE, { context: other });
      const err = await rejection(stuck);
      assert.equal((err as PythonError).type, 'KeyboardInterrupt');
      assert.equal(await p.run('reached', { context: ctx }), false);
      await p.close();
    });

    it('a context stuck in C can be restarted: its calls reject, new calls work, the old thread ends once released', async () => {
      await readFile(__filename); // start libuv's thread pool now so it does not skew the thread count
      const [ctx, other] = [ctxs[1]!, ctxs[0]!];
      const p = py.process(uniqueId());
      const q = py.process(uniqueId());
      p.bind(ctx);
      await p.exec('mine = 1');
      const stuck = (await runBlocked(p)).call;
      const queued = q.run('"never runs"', { context: ctx });
      ctx.interrupt();
      await sleep(100);
      const threadsBefore = threadCount();
      await py.restartContext(ctx);
      assert.match((await rejection(stuck)).message, /context faults:2 was restarted/);
      assert.match((await rejection(queued)).message, /was restarted/);
      // The context object is the same; its new thread serves calls, with fresh environments.
      assert.equal(await p.run('"mine" in dir()'), false);
      assert.equal(await p.run('6 * 7'), 42);
      assert.equal(ctx.stats().busy, false);
      assert.equal(await q.run('"other contexts unaffected"', { context: other }), 'other contexts unaffected');
      // Release the abandoned thread: its interrupt lands, it drops its environments and exits.
      await p.run(RELEASE, { context: other });
      const settledDown = await until(() => threadCount() <= threadsBefore, 10_000);
      assert.ok(settledDown, `threads: ${threadsBefore} before the restart, ${threadCount()} now`);
      assert.equal(await p.run('1 + 1'), 2);
      await Promise.all([p.close(), q.close()]);
    });
  });

  describe('recursion and memory', () => {
    it('sys.setrecursionlimit(100000) and 50,000-deep recursion: a result or RecursionError, never a crash', async () => {
      const p = py.process(uniqueId());
      p.bind(ctxs[1]!);
      await p.exec('import sys\nsys.setrecursionlimit(100000)');
      const deep = await p.run('def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nf(50000)').catch((e: unknown) => e);
      assert.ok(deep === 50000 || (deep instanceof PythonError && /^(RecursionError|MemoryError)$/.test(deep.type)), String(deep));
      // Unbounded recursion that also recurses in C on every level (map, sorted).
      for (const code of [
        'def g(n):\n    return list(map(g, [n + 1]))[0]\ng(0)',
        'def h(n):\n    return sorted([1], key=lambda x: h(n + 1))\nh(0)',
        'def k(n):\n    return k(n + 1)\nk(0)',
      ]) {
        const err = await rejection(p.run(code));
        assert.ok(err instanceof PythonError);
        assert.match(err.type, /^(RecursionError|MemoryError)$/, code);
      }
      await p.exec('sys.setrecursionlimit(1000)');
      assert.equal(await p.run('"still here"'), 'still here');
      await p.close();
    });

    it('setrecursionlimit(10**6) is capped, so unbounded C recursion still ends in RecursionError (child process)', () => {
      const r = runFixture('deep-recursion', [], { timeoutMs: 120_000 });
      assert.equal(r.signal, null, describeRun(r));
      assert.equal(r.status, 0, describeRun(r));
      const res = r.result!;
      assert.equal(res['limit'], 100000);
      assert.match(res['warning'] as string, /RuntimeWarning: sys\.setrecursionlimit\(1000000\) was capped at 100000/);
      for (const [name, outcome] of Object.entries(res['outcomes'] as Record<string, string>)) {
        assert.match(outcome, /^(RecursionError|MemoryError)$/, name);
      }
      assert.equal(res['after'], 42);
    });

    it('a result too big to convert fails as an error instead of ending the host (child process, memory limited)', function () {
      // Not under AddressSanitizer (npm run test:asan): `ulimit -v` would stop ASan's own start-up, and
      // no ASan option can stand in for it. ASan's operator new reports "out of memory" and aborts
      // instead of throwing std::bad_alloc, whatever allocator_may_return_null says, so the path
      // under test cannot run there; and without a limit the conversion really allocates its 18 GB.
      if (/libasan/.test(process.env['LD_PRELOAD'] ?? '')) {
        console.log('      skipped under AddressSanitizer: its operator new aborts instead of throwing std::bad_alloc');
        this.skip();
      }
      const r = runFixture('huge-result', [], { timeoutMs: 120_000, virtualMemoryKiB: 12_000_000 });
      assert.equal(r.signal, null, describeRun(r));
      assert.equal(r.status, 0, describeRun(r));
      // Under the limit the list fits in Python but its conversion cannot: a clean error.
      assert.match(r.result!['outcome'] as string, /^PythonError: (TypeError: Cannot convert the result to JS: out of memory|MemoryError)/);
      assert.equal(r.result!['after'], 42);
    });

    it("b'x' * 10**15 and other huge allocations raise MemoryError", async () => {
      const p = py.process(uniqueId());
      p.bind(ctxs[1]!);
      // 10**15 bytes is more than x86-64's 47-bit address space, so every allocator must refuse
      // at once. (10**13 is not: free-threaded builds allocate with mimalloc, which reserves it
      // under overcommit and then fills memory, exactly as the standalone python3.13t does.)
      for (const code of ["b'x' * 10**15", "'x' * 10**15", 'bytearray(10**15)', 'bytes(10**15)', '[None] * 10**15']) {
        const err = await rejection(p.run(code));
        assert.ok(err instanceof PythonError, code);
        assert.match(err.type, /^(MemoryError|OverflowError)$/, `${code}: ${err.message}`);
      }
      assert.equal(await p.run('len(b"x" * 10**6)'), 10 ** 6);
      await p.close();
    });
  });

  describe('output', () => {
    it('printing 100 MB streams all of it with bounded host memory (child process)', () => {
      const r = runFixture('print-flood', ['complete'], { nodeArgs: ['--expose-gc'] });
      assert.equal(r.status, 0, describeRun(r));
      const res = r.result!;
      assert.equal(res['outcome'], 'done');
      assert.equal(res['chars'], 100_000_000);
      assert.equal(res['lastLineOk'], true);
      // Measured about 15 MB; the native output queue is capped at 8 MiB with backpressure.
      assert.ok((res['rssGrowthMB'] as number) < 256, `RSS grew ${String(res['rssGrowthMB'])} MB`);
      console.log(`      100 MB in ${String(res['ms'])} ms, ${String(res['chunks'])} chunks, RSS +${(res['rssGrowthMB'] as number).toFixed(1)} MB, max loop lag ${String(res['maxLagMs'])} ms`);
    });

    it("text longer than V8's maximum string length: a TypeError as a result, streamed in slices when printed, cut in an error message (child process)", function () {
      // Several 600 MB strings are built and copied (the error's text, its summary and the
      // traceback each hold the message): about a minute on a busy 2-core machine.
      this.timeout(200_000);
      const r = runFixture('huge-text', [], { timeoutMs: 180_000 });
      assert.equal(r.signal, null, describeRun(r));
      assert.equal(r.status, 0, describeRun(r));
      const res = r.result!;
      assert.match(res['result'] as string, /^PythonError: TypeError: Cannot convert the result to JS: result: a str of length 600000000 is longer than JavaScript allows/);
      assert.match(res['astral'] as string, /a str of UTF-16 length 600000000 is longer/);
      assert.equal(res['printed'], 600_000_001);
      assert.ok((res['maxChunk'] as number) < 8 * 2 ** 20, `largest output chunk ${String(res['maxChunk'])}`);
      const error = res['error'] as { type: string; length: number; tail: string };
      assert.equal(error.type, 'ValueError');
      assert.ok(error.length < 2 ** 21, `message of ${error.length} characters`);
      assert.match(error.tail, /text truncated: \d+ code units is longer than JavaScript's maximum string length/);
      const huge = res['huge'] as { type: string; length: number; tail: string };
      assert.equal(huge.type, 'Huge');
      assert.ok(huge.length < 2 ** 21, `repr of ${huge.length} characters`);
      assert.match(huge.tail, /text truncated/);
      assert.equal(res['after'], 42);
    });

    it('an onOutput callback that throws does not break the call or the stream order', async () => {
      const p = py.process(uniqueId());
      const seen: string[] = [];
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => uncaught.push(e);
      const listeners = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.on('uncaughtException', onUncaught);
      try {
        const v = await p.run('for i in range(3):\n    print(i)\n"done"', {
          context: ctxs[1]!,
          onOutput: (_s, text) => {
            seen.push(text);
            throw new Error('listener bug');
          },
        });
        assert.equal(v, 'done');
        await sleep(20);
      } finally {
        process.removeListener('uncaughtException', onUncaught);
        for (const l of listeners) process.on('uncaughtException', l);
      }
      assert.equal(seen.join(''), '0\n1\n2\n');
      await p.close();
    });
  });

  describe('hostile exceptions and results', () => {
    it('an exception whose __str__ never returns, or raises, is still reported once interrupted', async () => {
      const ctx = ctxs[1]!;
      const p = py.process(uniqueId());
      p.bind(ctx);
      await p.exec('class Loops(Exception):\n    def __str__(self):\n        while True:\n            pass\nclass Raises(Exception):\n    def __str__(self):\n        raise KeyboardInterrupt');
      const looping = p.run('def f():\n    raise Loops()\nf()');
      assert.ok(await until(() => ctx.stats().busy));
      await sleep(50);
      ctx.interrupt();
      const err = await rejection(looping);
      assert.ok(err instanceof PythonError);
      assert.equal(err.type, 'Loops');
      assert.equal(err.pythonMessage, '<exception str() failed>');
      assert.match(err.traceback, /in f\n/);
      assert.deepEqual(err.frames.map((f) => f.name), ['<module>', 'f']);
      const raises = await rejection(p.run('raise Raises()'));
      assert.ok(raises instanceof PythonError && raises.type === 'Raises', raises.message);
      assert.equal(await p.run('"next"'), 'next');
      await p.close();
    });

    it('a result whose __repr__ never returns comes back as a PyValue once interrupted', async () => {
      const ctx = ctxs[1]!;
      const p = py.process(uniqueId());
      const pending = p.run('class R:\n    def __repr__(self):\n        while True:\n            pass\nR()', { context: ctx });
      assert.ok(await until(() => ctx.stats().busy));
      await sleep(50);
      ctx.interrupt();
      const v = (await pending) as { type: string; repr: string };
      assert.equal(v.type, 'R');
      assert.match(v.repr, /repr failed/);
      assert.equal(await p.run('"next"', { context: ctx }), 'next');
      await p.close();
    });
  });

  describe('strings that are not valid Unicode', () => {
    it('lone surrogates cross both ways; invalid UTF-8 stays bytes; printed surrogates are replaced', async () => {
      const p = py.process(uniqueId());
      p.bind(ctxs[1]!);
      await p.exec('def ident(x):\n    return x\ndef codes(s):\n    return [ord(c) for c in s]');
      const lone = ['\ud800', 'a\udc00b', '\udbff', 'x\ud83d', '😀\ud800', '\udfff😀'];
      for (const s of lone) {
        assert.equal(await p.call('__main__', 'ident', [s]), s);
        assert.deepEqual(await p.call('__main__', 'codes', [s]), [...s].flatMap((c) => (c.length === 2 ? [c.codePointAt(0)!] : [c.charCodeAt(0)])));
        assert.deepEqual(await p.call('__main__', 'ident', [{ [s]: [s] }]), { [s]: [s] });
      }
      assert.equal(await p.run('"a\\ud800b"'), 'a\ud800b');
      assert.equal(await p.run('"\\U0001F600\\udc80"'), '😀\udc80');
      const invalid = Buffer.from([0xff, 0xfe, 0x80, 0xc3]);
      assert.deepEqual(await p.call('__main__', 'ident', [invalid]), invalid);
      assert.equal(await p.call('codecs', 'decode', [invalid, 'utf-8', 'surrogateescape']), '\udcff\udcfe\udc80\udcc3');
      let out = '';
      await p.run('print("x\\udc80y")\nimport sys\nsys.stderr.write("\\ud800")', { onOutput: (_s, t) => (out += t) });
      assert.equal(out.length, 5);
      assert.ok(!/[\ud800-\udfff]/.test(out), JSON.stringify(out));
      const err = await rejection(p.run('raise ValueError("bad \\ud800 message")'));
      assert.ok(err instanceof PythonError);
      assert.equal(err.type, 'ValueError');
      // Source text holding a lone surrogate: a result or a clean PythonError.
      const src = await p.run("'\ud800'").catch((e: unknown) => e);
      assert.ok(src === '\ud800' || src instanceof PythonError, String(src));
      const answered = await p.run('input()', { onInput: async () => 'in\ud800put' });
      assert.ok(answered === 'in\ud800put' || answered === 'in\ufffdput', JSON.stringify(answered));
      await p.close();
    });
  });

  describe('JS values that cannot be converted', () => {
    let p: PyProcess;
    before(async () => {
      p = py.process(uniqueId());
      p.bind(ctxs[1]!);
      await p.exec('def ident(*a, **k):\n    return [a, k]');
    });
    after(() => p.close());

    const send = (args: unknown[], kwargs?: Record<string, unknown>) => p.call('__main__', 'ident', args, kwargs);

    /** `path` is the exact path named, or its beginning when it ends with '…'. */
    async function typeError(promise: Promise<unknown>, path: string, what: RegExp): Promise<void> {
      const err = await rejection(promise);
      assert.ok(err instanceof TypeError, `${err.name}: ${err.message}`);
      const head = path.endsWith('…') ? `Cannot convert ${path.slice(0, -1)}` : `Cannot convert ${path} to Python: `;
      assert.ok(err.message.startsWith(head), err.message.slice(0, 300));
      assert.match(err.message, what);
    }

    it('cycles, functions and symbols: TypeError naming the path', async () => {
      const cyc: Record<string, unknown> = { a: { b: {} } };
      (cyc['a'] as Record<string, Record<string, unknown>>)['b']!['c'] = cyc;
      await typeError(send([cyc]), 'args[0].a.b.c', /cycle/);
      const arr: unknown[] = [1];
      arr.push(arr);
      await typeError(send([arr]), 'args[0][1]', /cycle/);
      const m = new Map<string, unknown>();
      m.set('self', m);
      await typeError(send([m]), 'args[0].get(0)', /cycle/);
      await typeError(send([{ x: [1, () => 1] }]), 'args[0].x[1]', /function/);
      await typeError(send([], { k: { 'odd key': Symbol('s') } }), 'kwargs.k["odd key"]', /Symbol/);
      await typeError(send([new Set([1, Symbol.iterator])]), 'args[0].<set item 1>', /Symbol/);
      await typeError(p.eval('x', { x: { f: Math.max } }), 'locals.x.f', /function/);
    });

    it('10,000-deep nesting: TypeError, never a stack overflow', async () => {
      let deepArr: unknown = [];
      let deepObj: unknown = {};
      for (let i = 0; i < 10_000; i++) {
        deepArr = [deepArr];
        deepObj = { d: deepObj };
      }
      await typeError(send([deepArr]), 'args[0][0][0]…', /nesting deeper than \d+ levels/);
      await typeError(send([], { k: deepObj }), 'kwargs.k.d.d…', /nested too deeply to convert/);
      let fine: unknown = 'bottom';
      for (let i = 0; i < 500; i++) fine = [fine];
      assert.deepEqual(((await send([fine])) as unknown[][])[0]![0], fine);
    });

    it('getters and Proxy traps that throw, revoked proxies and huge sparse arrays: TypeError, never a crash', async () => {
      await typeError(send([{ ok: 1, get bad() { throw new Error('getter boom'); } }]), 'args[0].bad', /threw Error: getter boom/);
      const withBadIndex = [1, 2, 3];
      Object.defineProperty(withBadIndex, 1, { get() { throw new Error('index boom'); }, enumerable: true });
      await typeError(send([withBadIndex]), 'args[0][1]', /index boom/);
      const longBad = new Array<number>(40).fill(1);
      Object.defineProperty(longBad, 7, { get() { throw new Error('bulk boom'); }, enumerable: true });
      await typeError(send([longBad]), 'args[0]', /bulk boom/);
      await typeError(send([new Proxy({ a: 1 }, { get() { throw new Error('trap boom'); } })]), 'args[0].a', /trap boom/);
      await typeError(send([new Proxy({}, { ownKeys() { throw new Error('keys boom'); } })]), 'args[0]', /keys boom/);
      const revocable = Proxy.revocable({}, {});
      revocable.revoke();
      await typeError(send([revocable.proxy]), 'args[0]', /revoked/);
      const sparse: unknown[] = [];
      sparse.length = 2 ** 32 - 1;
      await typeError(send([sparse]), 'args[0]', /too long/);
      await typeError(send([new Set([1, [2]])]), 'args[0].<set item 1>', /must be hashable in Python/);
      await typeError(send([new Map([[{ a: 1 }, 2]])]), 'args[0].<map key 0>', /must be hashable in Python/);
      const badIter = new Map([[1, 2]]);
      badIter[Symbol.iterator] = () => { throw new Error('iter boom'); };
      await typeError(send([badIter]), 'args[0]', /iter boom/);
      assert.deepEqual(await send([1]), [[1], {}]);
    });

    it('Python values that cannot come back (cycles, 10,000-deep nesting, broken __repr__, a list that a __repr__ clears): errors or PyValue, never a crash', async () => {
      const conv = async (code: string) => rejection(p.run(code));
      const cyc = await conv('c = [1]\nc.append(c)\nc');
      assert.ok(cyc instanceof PythonError && cyc.type === 'TypeError' && /cycle/.test(cyc.message), cyc.message);
      const deep = await conv('d = []\nfor i in range(10000):\n    d = [d]\nd');
      assert.ok(deep instanceof PythonError && /nesting deeper/.test(deep.message), deep.message.slice(0, 200));
      const broken = await p.run('class B:\n    def __repr__(self):\n        raise RuntimeError("no repr")\nB()');
      assert.match((broken as { repr: string }).repr, /repr failed/);
      const cleared = await p.run('L = []\nclass A:\n    def __repr__(self):\n        L.clear()\n        return "a"\nL.extend(A() for _ in range(100))\nL');
      assert.equal((cleared as unknown[]).length, 100);
      // A "__proto__" key stays an own key: it must not become the result's prototype.
      const proto = (await p.run('{"__proto__": {"polluted": True}, "a": 1}')) as Record<string, unknown>;
      assert.equal(Object.getPrototypeOf(proto), Object.prototype);
      assert.deepEqual(Object.keys(proto), ['__proto__', 'a']);
      assert.equal((proto as { polluted?: boolean }).polluted, undefined);
      const dcleared = await p.run('D = {}\nclass C:\n    def __repr__(self):\n        D.clear()\n        return "c"\nD.update((i, C()) for i in range(100))\nD');
      assert.equal((dcleared as Map<number, unknown>).size, 100);
    });
  });

  describe('OpenSSL inside the host', () => {
    it('ssl.create_default_context() and hashlib agree with Node crypto (no symbol clash)', async () => {
      const p = py.process(uniqueId());
      p.bind(ctxs[1]!);
      const info = (await p.run(
        'import ssl, hashlib, hmac\nctx = ssl.create_default_context()\n' +
          '[ssl.OPENSSL_VERSION, ctx.verify_mode == ssl.CERT_REQUIRED, ctx.check_hostname, len(ctx.get_ca_certs()) >= 0]',
      )) as [string, boolean, boolean, boolean];
      assert.match(info[0], /^OpenSSL \d/);
      assert.deepEqual(info.slice(1), [true, true, true]);
      const data = Buffer.from('py-contexts \u00e9\u{1F600}'.repeat(1000));
      await p.exec('def digests(b):\n    return {n: hashlib.new(n, b).hexdigest() for n in ("sha256", "md5", "sha512", "sha3_256", "blake2b")}');
      const py_ = (await p.call('__main__', 'digests', [data])) as Record<string, string>;
      for (const [name, node] of [['sha256', 'sha256'], ['md5', 'md5'], ['sha512', 'sha512'], ['sha3_256', 'sha3-256'], ['blake2b', 'blake2b512']] as const) {
        assert.equal(py_[name], createHash(node).update(data).digest('hex'), name);
      }
      assert.equal(await p.run('hmac.new(b"key", b"msg", "sha256").hexdigest()'), createHmac('sha256', 'key').update('msg').digest('hex'));
      assert.equal(await p.run('hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()'), pbkdf2Sync('pw', 'salt', 1000, 32, 'sha256').toString('hex'));
      console.log(`      Python ${info[0]}; Node OpenSSL ${process.versions.openssl}`);
      await p.close();
    });
  });
});
