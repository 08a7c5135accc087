/**
 * Issue 9: pool modes. The main scenarios of the engine tier run once per mode this
 * interpreter offers ('worker' everywhere; 'owngil', sub-interpreters with their own GIL, on
 * 3.12+ GIL builds), each in a pool of its own in the shared Python. Modes it does not offer
 * are checked to be refused with an Error whose `code` says why.
 */
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, PoolMode, Python } from '../../src/core';
import { PythonError } from '../../src/core';
import { getPython, uniqueId } from './_setup';
import { describeRun, runFixture } from './fixtures/child';
import { settle } from '../soak/workload';

const ALL_MODES: PoolMode[] = ['worker', 'owngil'];
const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'owngil');

async function poolOf(py: Python, mode: PoolMode, size = 2): Promise<Context[]> {
  const name = `mode-${mode}`;
  return py.poolStarted(name) ? py.contexts(name) : py.startPool(name, size, { mode });
}

function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

/**
 * How many CPUs' worth of Python two contexts ran at once, relative to one context alone: the
 * CPU time the calls' threads got per second of wall time (time.thread_time over perf_counter,
 * measured inside Python), both at once against one alone. Sharing one GIL, two threads never get
 * more than one thread does alone (1.0); with a GIL each (or none), the scheduler gives each of
 * them a share like the single one's (2.0). A share-based ratio stays meaningful on a machine
 * loaded by other work, where wall-clock speed-ups say little.
 */
async function parallelRatio(py: Python, ctxs: Context[], n: number): Promise<number> {
  const p = py.process(uniqueId('cpu'));
  try {
    const spin = 'import time\ndef spin(n):\n    t0, c0 = time.perf_counter(), time.thread_time()\n    t = 0\n    for i in range(n):\n' +
      '        t += i\n    return [t0, time.perf_counter(), time.thread_time() - c0]';
    for (const c of ctxs) await p.exec(spin, { context: c });
    const once = async (c: Context) => await p.eval(`spin(${n})`, undefined, { context: c }) as [number, number, number];
    const share = ([t0, t1, cpu]: [number, number, number]) => cpu / (t1 - t0);
    // One context alone before and after, so a change of the machine's load in between evens out.
    const before = share(await once(ctxs[0]!));
    const both = await Promise.all(ctxs.slice(0, 2).map(once));
    const alone = (before + share(await once(ctxs[0]!))) / 2;
    const wall = Math.max(...both.map((r) => r[1])) - Math.min(...both.map((r) => r[0]));
    const together = both.reduce((sum, r) => sum + r[2], 0) / wall;
    return together / alone;
  } finally {
    await p.close();
  }
}

describe('pool modes (issue 9)', function () {
  this.timeout(180_000);

  it('reports capabilities and refuses a mode it cannot give, with a code', async () => {
    const py = await getPython();
    const caps = py.capabilities();
    assert.equal(caps.freeThreaded, py.interpreter.freeThreaded);
    assert.ok(caps.modes.includes('worker'));
    assert.equal(caps.ownGil, caps.modes.includes('owngil'));
    const [major, minor] = py.interpreter.version.split('.').map(Number) as [number, number];
    // PEP 684 (own-GIL sub-interpreters) is 3.12+; free-threaded builds refuse sub-interpreters.
    const expected = major === 3 && minor < 12 ? 'owngil-unsupported' : caps.freeThreaded ? 'owngil-free-threaded' : undefined;
    assert.equal(caps.ownGilRefusal?.code, expected, `Python ${py.interpreter.version}`);
    assert.deepEqual(caps.modes, expected ? ['worker'] : ['worker', 'owngil']);
    if (!caps.ownGil) {
      await assert.rejects(py.startPool('refused', 1, { mode: 'owngil' }), (e: Error & { code?: string }) => {
        assert.equal(e.code, caps.ownGilRefusal?.code);
        assert.match(e.code ?? '', /^owngil-/);
        assert.match(e.message, /pool 'refused'/);
        return true;
      });
      assert.equal(py.poolStarted('refused'), false);
    }
    await assert.rejects(py.startPool('bad', 1, { mode: 'process' as PoolMode }), TypeError);
    await assert.rejects(py.startPool('bad', 0), RangeError);
  });

  for (const mode of ALL_MODES) {
    describe(`mode '${mode}'`, () => {
      before(async function () {
        const py = await getPython();
        if (!py.capabilities().modes.includes(mode)) this.skip();
      });

      it('has its mode, runs code and returns values', async () => {
        const py = await getPython();
        const ctxs = await poolOf(py, mode);
        assert.deepEqual(ctxs.map((c) => c.mode), [mode, mode]);
        assert.equal(py.poolMode(`mode-${mode}`), mode);
        const p = py.process(uniqueId(mode));
        await p.exec('import math\nx = 41', { context: ctxs[0]! });
        assert.equal(await p.eval('x + 1', undefined, { context: ctxs[0]! }), 42);
        assert.equal(await p.call('math', 'sqrt', [16], undefined, { context: ctxs[0]! }), 4);
        assert.deepEqual(await p.run('{"a": [1, 2.5, "s", None]}', { context: ctxs[0]! }), { a: [1, 2.5, 's', null] });
        assert.deepEqual([...(await p.eval('bytes(memoryview(b))', { b: new Float64Array([1, 2]) }, { context: ctxs[0]! }) as Buffer)].length, 16);
        const inSub = await p.eval('__import__("_py_contexts_native").own_gil()', undefined, { context: ctxs[0]! });
        assert.equal(inSub, mode === 'owngil');
        await p.close();
      });

      it('streams output, answers input(), sends display data', async () => {
        const py = await getPython();
        const [c1] = await poolOf(py, mode);
        const p = py.process(uniqueId(mode));
        const out: string[] = [];
        const shown: unknown[] = [];
        const r = await p.run('import sys\nprint("a")\nprint("b", file=sys.stderr)\nname = input("who? ")\ndisplay({"k": 1})\nname', {
          context: c1!,
          onOutput: (s, t) => out.push(`${s}:${t}`),
          onInput: async (prompt) => `${prompt}me`,
          onDisplay: (d) => shown.push(d.data['text/plain']),
        });
        assert.equal(r, 'who? me');
        assert.ok(out.join('').includes('stdout:a'), out.join('|'));
        assert.ok(out.some((o) => o.startsWith('stderr:b')), out.join('|'));
        assert.deepEqual(shown, ["{'k': 1}"]);
        await p.close();
      });

      it('raises PythonError with real lines in the traceback', async () => {
        const py = await getPython();
        const [c1] = await poolOf(py, mode);
        const p = py.process(uniqueId(mode));
        const source = 'a = 1\n\ndef f():\n    raise ValueError("boom")\n\nf()\n';
        await assert.rejects(p.exec(source, { context: c1!, filename: '/tmp/modes.py', sourceText: source }), (e: unknown) => {
          assert.ok(e instanceof PythonError);
          assert.equal(e.type, 'ValueError');
          assert.equal(e.message, 'ValueError: boom');
          assert.match(e.traceback, /raise ValueError\("boom"\)/);
          assert.deepEqual(e.frames.at(-1), { file: '/tmp/modes.py', line: 4, name: 'f' });
          return true;
        });
        await p.close();
      });

      it('lists variables', async () => {
        const py = await getPython();
        const [c1] = await poolOf(py, mode);
        const p = py.process(uniqueId(mode));
        await p.exec('items = [1, 2, 3]\nlabel = "x"', { context: c1! });
        const vars = await p.variables(undefined, undefined, c1!);
        const items = vars.find((v) => v.name === 'items');
        assert.equal(items?.repr, '[1, 2, 3]');
        assert.equal(items?.length, 3);
        assert.ok(vars.some((v) => v.name === 'label' && v.type === 'str'));
        await p.close();
      });

      it('interrupts an endless loop and a sleep, times out, and the context still works', async () => {
        const py = await getPython();
        const [c1] = await poolOf(py, mode);
        const p = py.process(uniqueId(mode));
        const loop = p.run('while True: pass', { context: c1! });
        while (!c1!.stats().busy) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 30));
        c1!.interrupt();
        await assert.rejects(loop, (e: unknown) => e instanceof PythonError && e.type === 'KeyboardInterrupt');
        await assert.rejects(p.run('import time\ntime.sleep(30)', { context: c1!, timeoutMs: 200 }), { name: 'TimeoutError' });
        await assert.rejects(p.run('while True: pass', { context: c1!, timeoutMs: 200 }), { name: 'TimeoutError' });
        assert.equal(await p.eval('6 * 7', undefined, { context: c1! }), 42);
        await p.close();
      });

      it('restarts a context: its environments are gone, new calls work', async () => {
        const py = await getPython();
        const [, c2] = await poolOf(py, mode);
        const p = py.process(uniqueId(mode));
        await p.exec('kept = 1', { context: c2! });
        const running = p.run('while True: pass', { context: c2! });
        while (!c2!.stats().busy) await new Promise((r) => setTimeout(r, 5));
        await py.restartContext(c2!);
        await assert.rejects(running, /restarted/);
        assert.equal(await p.eval('"kept" in globals()', undefined, { context: c2! }), false);
        assert.equal(c2!.mode, mode);
        assert.equal(await p.eval('__import__("_py_contexts_native").own_gil()', undefined, { context: c2! }), mode === 'owngil');
        await p.close();
      });

      it('resets an environment and keeps working directories per process', async () => {
        const py = await getPython();
        const [c1] = await poolOf(py, mode);
        const a = py.process(uniqueId(mode), { cwd: '/tmp' });
        const b = py.process(uniqueId(mode), { cwd: '/' });
        await a.exec('v = 1', { context: c1! });
        await a.reset(c1!);
        assert.equal(await a.eval('"v" in globals()', undefined, { context: c1! }), false);
        if (py.workingDirectories === 'per-process') {
          assert.equal(await a.eval('__import__("os").getcwd()', undefined, { context: c1! }), '/tmp');
          assert.equal(await b.eval('__import__("os").getcwd()', undefined, { context: c1! }), '/');
        }
        await Promise.all([a.close(), b.close()]);
      });

      it('shares the state store with every context, and modules only within an interpreter', async () => {
        const py = await getPython();
        const [c1, c2] = await poolOf(py, mode);
        const p = py.process(uniqueId(mode));
        const key = uniqueId('k');
        await p.exec(`from py_contexts import state\nstate[${JSON.stringify(key)}] = [1, 2]`, { context: c1! });
        assert.deepEqual(await p.eval(`__import__("py_contexts").state[${JSON.stringify(key)}]`, undefined, { context: c2! }), [1, 2]);
        assert.deepEqual(await py.state.get(key), [1, 2]);
        await py.state.delete(key);
        await p.exec('import json\njson._modes_marker = 1', { context: c1! });
        const seen = await p.eval('hasattr(__import__("json"), "_modes_marker")', undefined, { context: c2! });
        // Worker contexts share the main interpreter's modules; own-GIL ones each have their own.
        assert.equal(seen, mode === 'worker');
        await p.exec('del json._modes_marker', { context: c1! });
        await p.close();
      });

      it('runs CPU-bound code of two contexts in parallel where the mode allows it, and only there', async () => {
        const py = await getPython();
        const parallelMode = mode === 'owngil' || py.interpreter.freeThreaded;
        const ctxs = await poolOf(py, mode);
        if (!parallelMode) {
          // One shared GIL: two contexts at once get what one gets alone (1.0x); the median of three.
          const ratios = [];
          for (let i = 0; i < 3; i++) ratios.push(await parallelRatio(py, ctxs, 1_000_000));
          const ratio = ratios.sort((a, b) => a - b)[1]!;
          assert.ok(ratio < 1.5, `contexts sharing one GIL ran ${ratio.toFixed(2)}x the Python of one context alone`);
          return;
        }
        // The machine is shared: the best of five runs, against a loose bound (2.0 is ideal, 1.0 is
        // one shared GIL; standalone CPython's own sub-interpreters measured 1.16 here under a load of 20).
        let best = 0;
        for (let i = 0; i < 5 && best < 1.2; i++) best = Math.max(best, await parallelRatio(py, ctxs, 2_000_000));
        assert.ok(best >= 1.2, `two contexts at once ran only ${best.toFixed(2)}x the Python one context runs alone`);
      });
    });
  }

  describe("mode 'owngil' only", () => {
    before(async function () {
      const py = await getPython();
      if (!py.capabilities().ownGil) this.skip();
    });

    it('refuses single-phase C extensions with a clear ImportError, never a crash', async () => {
      const py = await getPython();
      const [c1] = await poolOf(py, 'owngil');
      const p = py.process(uniqueId('owngil'));
      await assert.rejects(p.exec('import readline', { context: c1! }), (e: unknown) => {
        assert.ok(e instanceof PythonError, String(e));
        assert.match(e.message, /: readline cannot be imported in an own-GIL context; use a worker pool$/);
        assert.match(e.type, /ImportError/);
        return true;
      });
      // A package that catches the refusal and raises an ImportError of its own, as numpy does.
      await p.exec(`import sys\nsys.path.insert(0, ${JSON.stringify(fixtures)})`, { context: c1! });
      await assert.rejects(p.exec('import wraps_single_phase', { context: c1! }),
        /wraps_single_phase cannot be imported in an own-GIL context; use a worker pool/);
      assert.equal(await p.eval('1 + 1', undefined, { context: c1! }), 2);
      const w = py.process(uniqueId('worker'));
      assert.equal(await w.eval('__import__("readline").__name__'), 'readline');
      await Promise.all([p.close(), w.close()]);
    });

    it("cuts a repr that never returns off at its deadline, through the sub-interpreter's own async_raise", async () => {
      const py = await getPython();
      const [c1] = await poolOf(py, 'owngil');
      const p = py.process(uniqueId('owngil-deadline'));
      await p.exec('class Loop:\n    def __repr__(self):\n        while True: pass\nloop = Loop()\nok = 1', { context: c1! });
      const vars = await p.variables([], { reprTimeoutMs: 100 }, c1!);
      assert.deepEqual(vars.map((v) => [v.name, v.repr]), [['Loop', "<class '__main__.Loop'>"], ['loop', 'repr timed out'], ['ok', '1']]);
      assert.equal(await p.eval('1 + 1', undefined, { context: c1! }), 2);
      await p.close();
    });

    it('leaks no interpreter and no thread over restarts', async () => {
      const py = await getPython();
      const [, c2] = await poolOf(py, 'owngil');
      const probe = py.process(uniqueId('count'));
      // Counted from the main interpreter (a worker context of the default pool).
      const interpreters = async () => Number(await probe.eval('len(__import__("_interpreters" if __import__("sys").version_info >= (3, 13) else "_xxsubinterpreters").list_all())'));
      const p = py.process(uniqueId('owngil'));
      await p.eval('1', undefined, { context: c2! });
      const interpBefore = await interpreters();
      const threadsBefore = threadCount();
      for (let i = 0; i < 5; i++) {
        // Each round uses the runtime's helper threads too (the variables repr watchdog).
        await p.exec('import threading\nt = threading.Thread(target=lambda: None)\nt.start(); t.join()\ndata = list(range(10))', { context: c2! });
        await p.variables(undefined, undefined, c2!);
        await py.restartContext(c2!);
        await p.eval('1', undefined, { context: c2! });
      }
      const interpAfter = await settle(interpreters, interpBefore, 15_000);
      assert.ok(interpAfter <= interpBefore, `sub-interpreters leaked: ${interpBefore} before, ${interpAfter} after`);
      const threadsAfter = await settle(threadCount, threadsBefore, 15_000);
      assert.ok(threadsAfter <= threadsBefore, `threads leaked: ${threadsBefore} before, ${threadsAfter} after`);
      await Promise.all([p.close(), probe.close()]);
    });

    for (const how of ['shutdown', 'exit']) {
      it(`${how === 'shutdown' ? 'shutdown completes' : 'process.exit() exits 0'} with own-GIL contexts busy, blocked, printing and running threads, one abandoned stuck in C`, () => {
        const r = runFixture('owngil-shutdown', [how], { timeoutMs: 90_000 });
        assert.equal(r.signal, null, describeRun(r));
        assert.equal(r.status, 0, describeRun(r));
        assert.doesNotMatch(r.stderr, /Fatal Python error|Segmentation|Aborted/, describeRun(r));
        assert.equal(r.result?.['answer'], 42, describeRun(r));
        // Six user threads and the context's own thread, in the sub-interpreter.
        assert.ok((r.result?.['threads'] as number) >= 7, describeRun(r));
        assert.match(r.result?.['abandoned'] as string, /was restarted/, describeRun(r));
        if (how === 'shutdown') {
          assert.ok((r.result?.['shutdownMs'] as number) < 30_000, describeRun(r));
          for (const m of r.result?.['messages'] as string[]) assert.match(m, /Python was shut down/, describeRun(r));
        }
      });
    }
  });
});
