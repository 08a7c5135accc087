/**
 * Soak workloads (issue 5, "Load and leaks"), shared by `npm run soak` (full size,
 * prints figures) and test/native/53.soak-short.test.ts (small size, asserts).
 *
 * mixedLoad: many processes call concurrently across two pools while each randomly
 * binds, unbinds and closes itself. Every result is checked against what the process
 * must see in *its* environment in the context that served the call (Python reports the
 * context id and the owning process), so a lost call, a call routed into another
 * process's namespace, or state leaking across a close all count as wrong.
 *
 * openCloseCycles: opens a process, runs a call, closes it, many times over; samples RSS
 * (after gc) and the thread count from /proc/self/task to show nothing leaks.
 */
import { readdirSync } from 'node:fs';
import type { Context, PoolMode, PyProcess, Python } from '../../src/core';

declare const gc: (() => void) | undefined;

/** Deterministic PRNG (mulberry32) so a failing seed can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const threadCount = (): number => readdirSync('/proc/self/task').length;

export async function ensurePool(py: Python, name: string, size: number, mode: PoolMode = 'worker'): Promise<Context[]> {
  if (!py.poolStarted(name)) await py.startPool(name, size, { mode });
  return py.contexts(name);
}

/**
 * Interpreters alive in the process (the main one and every sub-interpreter, own-GIL contexts'
 * and any left to the process exit), counted from the main interpreter through `via`, a worker
 * context. A context makes its sub-interpreter on its thread after startPool or a restart
 * returns, so each of `ready` runs a call first. Undefined where CPython has no module that
 * lists them.
 */
export async function interpreterCount(py: Python, via: Context, ready: Context[] = []): Promise<number | undefined> {
  const p = py.process(`soak-interpreters-${++probes}`);
  try {
    await Promise.all(ready.map((c) => p.eval('1', undefined, { context: c })));
    const n = await p.eval(INTERPRETERS, undefined, { context: via });
    return typeof n === 'number' ? n : undefined;
  } finally {
    await p.close();
  }
}
let probes = 0;
// _interpreters from 3.13, _xxsubinterpreters before.
const INTERPRETERS = '(lambda m: len(m.list_all()) if m else None)(next((__import__(n) for n in ("_interpreters", "_xxsubinterpreters") ' +
  'if __import__("importlib.util").util.find_spec(n)), None))';

/**
 * Polls `read` until it is at most `want` or `ms` passed: retired contexts' threads end, and
 * their sub-interpreters with them, once their interrupted calls return.
 */
export async function settle(read: () => number | Promise<number>, want: number, ms = 5000): Promise<number> {
  const end = Date.now() + ms;
  let v = await read();
  while (v > want && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
    v = await read();
  }
  return v;
}

/**
 * The engine's interrupter thread starts with the first interrupt of a running call:
 * start it before counting threads, so it is not counted as growth.
 */
export async function startInterrupter(py: Python, ctx: Context): Promise<void> {
  const p = py.process('soak-interrupter-warm-up');
  const loop = p.run('while True: pass', { context: ctx }).catch(() => undefined);
  while (!ctx.stats().busy) await new Promise((r) => setTimeout(r, 5));
  ctx.interrupt();
  await loop;
  await p.close();
}

export interface MixedLoadOptions {
  processes: number;
  callsPerProcess: number;
  pools: [string, string];
  seed: number;
  idPrefix?: string;
  /**
   * Chaos: while the load runs, every `chaosEveryMs` a random context is interrupted
   * (or, one time in four, restarted). Calls may then reject, with KeyboardInterrupt or
   * "was restarted", and a process's state in that context becomes unknown until its
   * next successful call; everything else is still checked.
   */
  chaosEveryMs?: number;
}

export interface MixedLoadFigures {
  processes: number;
  calls: number;
  ms: number;
  callsPerSec: number;
  binds: number;
  unbinds: number;
  closes: number;
  interrupts: number;
  restarts: number;
  /** Calls rejected by an interrupt or a restart (chaos only). */
  rejected: number;
  wrong: string[];
  environmentsAfter: number;
  processesAfter: number;
}

const STEP = `
import _py_contexts_native
counter = globals().get("counter", 0) + 1
[counter, _py_contexts_native.context_id(), __py_contexts_process__]
`;

export async function mixedLoad(py: Python, o: MixedLoadOptions): Promise<MixedLoadFigures> {
  const random = rng(o.seed);
  const contexts = [...py.contexts(o.pools[0]), ...py.contexts(o.pools[1])];
  const prefix = o.idPrefix ?? `soak-${o.seed}`;
  const figures = { binds: 0, unbinds: 0, closes: 0, calls: 0, interrupts: 0, restarts: 0, rejected: 0 };
  const wrong: string[] = [];
  // Restarts per context id: a restart drops every environment in that context.
  const epochs = new Map<string, number>(contexts.map((c) => [c.id, 0]));
  const check = (ok: boolean, what: string) => {
    if (!ok && wrong.length < 20) wrong.push(what);
  };

  async function worker(index: number): Promise<void> {
    const id = `${prefix}-${index}`;
    let p: PyProcess = py.process(id);
    // What this process's environment holds, per context id: its counter (undefined:
    // unknown after one of its calls was interrupted), and the context's restart epoch.
    let expected = new Map<string, { counter: number | undefined; epoch: number }>();
    /** A rejection chaos can explain (all others are wrong). */
    const chaotic = (e: unknown, ctxId: string | undefined): boolean => {
      const err = e as { type?: string; message?: string };
      const ok = o.chaosEveryMs !== undefined && (err.type === 'KeyboardInterrupt' || /was restarted/.test(err.message ?? ''));
      if (ok) {
        figures.rejected++;
        // We cannot tell which context served it: forget them all. The rejected call may
        // have changed the state of the current epoch (a KeyboardInterrupt after the counter
        // was stored), so the unknown state is the current epoch's, not the last known one's:
        // keeping the old epoch made the next result look like it came from a fresh
        // environment ("counter 2 (want 1)", about 1 soak in 8 on 3.13t).
        for (const k of expected.keys()) expected.set(k, { counter: undefined, epoch: epochs.get(k)! });
        if (ctxId && !expected.has(ctxId)) expected.set(ctxId, { counter: undefined, epoch: epochs.get(ctxId)! });
      }
      return ok;
    };
    // Unbound processes are routed: spread them over both pools from the start.
    p.bind(contexts[index % contexts.length]!);
    for (let i = 0; i < o.callsPerProcess; i++) {
      const r = random();
      if (r < 0.04) {
        p.bind(contexts[Math.floor(random() * contexts.length)]!);
        figures.binds++;
        continue;
      }
      if (r < 0.07) {
        p.unbind();
        figures.unbinds++;
        continue;
      }
      if (r < 0.09) {
        await p.close();
        figures.closes++;
        p = py.process(id);
        expected = new Map();
        continue;
      }
      figures.calls++;
      const kind = i % 4;
      try {
        if (i % 16 === 15) {
          // Now and then a call that waits (the interruptible time.sleep path).
          check((await p.run('import time\ntime.sleep(0.002)\n"slept"')) === 'slept', `${id} call ${i}: sleep`);
        } else if (kind === 0 || kind === 1) {
          // A fulfilled call ran in the epoch current when it was submitted: a restart
          // rejects every call still pending on the context.
          const submitted = new Map(epochs);
          const [counter, ctxId, owner] = (await p.run(STEP)) as [number, string, string];
          const epoch = submitted.get(ctxId)!;
          const known = expected.get(ctxId);
          // No state in this epoch: a fresh environment. Unknown (chaos): follow what it says.
          const want = !known || known.epoch !== epoch ? 1 : known.counter === undefined ? counter : known.counter + 1;
          expected.set(ctxId, { counter, epoch });
          check(counter === want && owner === id, `${id} call ${i}: counter ${counter} (want ${want}) on ${ctxId}, owner ${owner}`);
          check(p.currentContext?.id === ctxId, `${id} call ${i}: ran on ${ctxId}, process says ${String(p.currentContext?.id)}`);
        } else if (kind === 2) {
          const x = Math.floor(random() * 1e6);
          const got = await p.call('math', 'sqrt', [x * x]);
          check(got === x, `${id} call ${i}: sqrt(${x * x}) = ${String(got)}`);
        } else {
          const values = [i, `s${i}`, [i, { k: i }], null, 1.5];
          const got = await p.eval('[v, len(v)]', { v: values });
          check(JSON.stringify(got) === JSON.stringify([values, values.length]), `${id} call ${i}: eval round trip ${JSON.stringify(got)}`);
        }
      } catch (e) {
        check(chaotic(e, p.currentContext?.id), `${id} call ${i}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    await p.close();
  }

  let chaosTimer: NodeJS.Timeout | undefined;
  const restarting: Promise<void>[] = [];
  if (o.chaosEveryMs !== undefined) {
    chaosTimer = setInterval(() => {
      const ctx = contexts[Math.floor(random() * contexts.length)]!;
      if (random() < 0.25) {
        figures.restarts++;
        epochs.set(ctx.id, epochs.get(ctx.id)! + 1);
        restarting.push(py.restartContext(ctx));
      } else {
        figures.interrupts++;
        ctx.interrupt();
      }
    }, o.chaosEveryMs);
  }
  const t0 = Date.now();
  await Promise.all(Array.from({ length: o.processes }, (_, i) => worker(i)));
  const ms = Date.now() - t0;
  if (chaosTimer) clearInterval(chaosTimer);
  await Promise.all(restarting);
  const environmentsAfter = contexts.reduce((n, c) => n + c.stats().environments, 0);
  const processesAfter = py.processes().filter((p) => p.id.startsWith(`${prefix}-`)).length;
  return {
    processes: o.processes,
    calls: figures.calls,
    ms,
    callsPerSec: Math.round((figures.calls / ms) * 1000),
    binds: figures.binds,
    unbinds: figures.unbinds,
    closes: figures.closes,
    interrupts: figures.interrupts,
    restarts: figures.restarts,
    rejected: figures.rejected,
    wrong,
    environmentsAfter,
    processesAfter,
  };
}

export interface CycleFigures {
  cycles: number;
  ms: number;
  /** [cycle, RSS MiB, threads] samples, after gc(). */
  samples: [number, number, number][];
  /** Least-squares slope of RSS over the samples after the first, in KiB per 1,000 cycles. */
  rssSlopeKiBPer1000: number;
  threadsBefore: number;
  threadsAfter: number;
  environmentsAfter: number;
}

function rssMiB(): number {
  if (typeof gc === 'function') gc();
  return process.memoryUsage().rss / 2 ** 20;
}

export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * `ballastBytes`: each environment also holds that many written bytes, so that a leaked
 * environment costs enough RSS for a bound to see it (a bare one is only ~10 KiB).
 */
export async function openCloseCycles(py: Python, cycles: number, pool: string, sampleEvery: number, idPrefix = 'cycle', ballastBytes = 0): Promise<CycleFigures> {
  const contexts = py.contexts(pool);
  const samples: [number, number, number][] = [];
  const threadsBefore = threadCount();
  const t0 = Date.now();
  for (let i = 0; i < cycles; i++) {
    if (i % sampleEvery === 0) {
      await new Promise((r) => setImmediate(r));
      samples.push([i, rssMiB(), threadCount()]);
    }
    const p = py.process(`${idPrefix}-${i}`);
    // Each environment holds some data, a function (a reference cycle through
    // __globals__) and a class, so a leaked environment would show in RSS.
    const ballast = ballastBytes > 0 ? `ballast = b"x" * ${ballastBytes}\n` : '';
    await p.run(`${ballast}data = list(range(200))\ndef f():\n    return data\nclass K:\n    pass\nlen(f())`, { context: contexts[i % contexts.length]! });
    await p.close();
  }
  const ms = Date.now() - t0;
  await new Promise((r) => setImmediate(r));
  samples.push([cycles, rssMiB(), threadCount()]);
  const steady = samples.slice(1).map(([c, r]) => [c, r] as [number, number]);
  return {
    cycles,
    ms,
    samples,
    rssSlopeKiBPer1000: slope(steady) * 1024 * 1000,
    threadsBefore,
    threadsAfter: threadCount(),
    environmentsAfter: contexts.reduce((n, c) => n + c.stats().environments, 0),
  };
}
