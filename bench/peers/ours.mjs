// Py Contexts' figures: the engine from dist/core.js, used exactly as an extension would.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CORE, PYDIR, scaled, loadedLibpython } from '../lib/common.mjs';
import { timeAsync, timeInFlight, stall, idleStall, expectEq, inputs, MB, byteLength, runFigures } from '../lib/measure.mjs';

if (!existsSync(CORE)) {
  process.stdout.write(`@@BENCH ${JSON.stringify({ peer: 'ours', unavailable: 'dist/core.js not built yet (npm run build)' })}\n`);
  process.exit(0);
}

const { startPython } = createRequire(import.meta.url)(CORE);
const python = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
const proc = python.process('bench');
await proc.exec(`import sys\nif ${JSON.stringify(PYDIR)} not in sys.path: sys.path.insert(0, ${JSON.stringify(PYDIR)})`);
const call = (m, f, a) => proc.call(m, f, a);
const { array, arraySum, f64, f64Sum, big, bigBytes } = inputs();

await runFigures('ours', {
  info: async (info) => {
    info.version = python.version;
    info.libpython = loadedLibpython();
    info.contexts = python.numContexts();
    return undefined;
  },
  sqrt: () => timeAsync(() => call('math', 'sqrt', [16]), { iterations: scaled(3000), check: expectEq(4) }),
  run: () => timeAsync(() => proc.run('1+1'), { iterations: scaled(3000), check: expectEq(2) }),
  inflight16: () => timeInFlight(() => call('math', 'sqrt', [16]), { rounds: scaled(300), check: expectEq(4) }),
  array10k: () => timeAsync(() => call('builtins', 'sum', [array]), { iterations: scaled(500), check: expectEq(arraySum) }),
  f64_10k: () => timeAsync(() => call('benchmod', 'sum_f64', [f64]), { iterations: scaled(1000), check: expectEq(f64Sum) }),
  f64_8mb: () => timeAsync(() => call('benchmod', 'nbytes', [big]), { iterations: scaled(200), check: expectEq(bigBytes) }),
  str1mb: () => timeAsync(() => call('benchmod', 'str_1mb', []), { iterations: scaled(200), check: (v) => expectEq(MB)(byteLength(v)) }),
  bytes1mb: () => timeAsync(() => call('benchmod', 'bytes_1mb', []), { iterations: scaled(200), check: (v) => expectEq(MB)(byteLength(v)) }),
  stall_idle: () => idleStall(),
  stall1: () => stall(() => call('benchmod', 'burn', [200])),
  stall2: () => stall(async () => {
    const first = call('benchmod', 'burn', [200]);
    await sleep(20);
    await Promise.all([first, call('math', 'sqrt', [16])]);
  }),
  // The notebook controller's code path for a cell: rich run with output and display callbacks.
  nb_cell: async (info) => {
    const nb = python.process('bench-notebook');
    const onOutput = () => {};
    const onDisplay = () => {};
    return timeAsync(() => nb.run('1+1', { rich: true, onOutput, onDisplay }), {
      iterations: scaled(2000),
      check: (v) => {
        info.nb_cell_result = JSON.stringify(v)?.slice(0, 200) ?? String(v);
        // The controller shows the trailing value as a MIME bundle; accept a plain 2 as well.
        if (v !== 2 && v?.data?.['text/plain'] !== '2') throw new Error(`rich run of 1+1 gave ${info.nb_cell_result}`);
      },
    });
  },
});
// The figures are already out; a slow shutdown must not hold the whole bench.
await Promise.race([python.shutdown(), sleep(5000)]);
process.exit(0);
