// Parallel contexts (issue 9): the same CPU-bound pure-Python work (bench/py/benchmod.py spin(n),
// about 200 ms) twice in a row on one context against once on each of two contexts at once, per
// pool mode this interpreter offers; the single-call cost of an own-GIL context against a worker
// one; the start-up and memory of an own-GIL context. `node parallel.mjs ncp` measures the same
// pair of calls through node-calls-python, whose calls all share one GIL.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH, CORE, PYDIR, scaled } from '../lib/common.mjs';
import { median, timeAsync, expectEq, runFigures } from '../lib/measure.mjs';

const ROUNDS = 3;

/** serial / parallel time of two `call()`s, the median of ROUNDS. */
async function speedup(call) {
  const ratios = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    await call(0);
    await call(0);
    const serial = performance.now() - t0;
    const t1 = performance.now();
    await Promise.all([call(0), call(1)]);
    ratios.push(serial / (performance.now() - t1));
  }
  return { value: median(ratios), all: ratios };
}

/** n for spin(n) to take about 200 ms on this machine. */
async function calibrate(call) {
  const t0 = performance.now();
  await call(1_000_000);
  return Math.max(100_000, Math.round((1_000_000 * 200) / (performance.now() - t0)));
}

if (process.argv[2] === 'ncp') {
  const { interpreter: py } = createRequire(join(BENCH, 'package.json'))('node-calls-python');
  py.addImportPath(PYDIR);
  const bm = py.importSync('benchmod');
  let n = 0;
  await runFigures('parallelNcp', {
    info: async (i) => {
      i.version = py.evalSync(py.importSync('sys'), 'version');
      n = await calibrate((k) => py.call(bm, 'spin', k));
      i.n = n;
      return undefined;
    },
    speedup_worker: () => speedup(() => py.call(bm, 'spin', n)),
  });
  process.exit(0);
}

const { startPython } = createRequire(import.meta.url)(CORE);
const python = await startPython({ python: process.env.PY_CONTEXTS_PYTHON, pools: { default: 2 } });
const caps = python.capabilities();
const pools = { worker: python.contexts('default') };
if (caps.ownGil) pools.owngil = await python.startPool('owngil', 2, { mode: 'owngil' });
const proc = python.process('bench');
for (const ctxs of Object.values(pools)) {
  for (const c of ctxs) await proc.exec(`import sys\nsys.path.insert(0, ${JSON.stringify(PYDIR)})\nimport benchmod`, { context: c });
}
const spinOn = (ctxs, n) => (i) => proc.call('benchmod', 'spin', [n], undefined, { context: ctxs[i] });
let n = 0;
const figures = {
  info: async (i) => {
    i.version = python.version;
    i.capabilities = caps;
    n = await calibrate((k) => proc.call('benchmod', 'spin', [k], undefined, { context: pools.worker[0] }));
    i.n = n;
    return undefined;
  },
};
for (const [mode, ctxs] of Object.entries(pools)) {
  figures[`speedup_${mode}`] = () => speedup(spinOn(ctxs, n));
  figures[`sqrt_${mode}`] = () => timeAsync(() => proc.call('math', 'sqrt', [16], undefined, { context: ctxs[0] }),
    { iterations: scaled(3000), check: expectEq(4) });
}
if (caps.ownGil) {
  // From startPool to the first result of a fresh own-GIL context, and what each one adds to the RSS.
  // Also the CPU time the process spent on it (all threads; nothing else runs meanwhile), which a
  // machine loaded by other work inflates far less than the wall time.
  const starts = [];
  const cpus = [];
  const rss0 = process.memoryUsage().rss;
  const COUNT = 4;
  figures.owngil_start_ms = async () => {
    for (let i = 0; i < COUNT; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const [c] = await python.startPool(`start${i}`, 1, { mode: 'owngil' });
      await proc.eval('1', undefined, { context: c });
      starts.push(performance.now() - t0);
      const c1 = process.cpuUsage(c0);
      cpus.push((c1.user + c1.system) / 1000);
    }
    return { value: median(starts), all: starts };
  };
  figures.owngil_start_cpu_ms = () => ({ value: median(cpus), all: cpus });
  figures.owngil_mib = () => (process.memoryUsage().rss - rss0) / COUNT / (1 << 20);
}
await runFigures('parallel', figures);
await Promise.race([python.shutdown(), sleep(5000)]);
process.exit(0);
