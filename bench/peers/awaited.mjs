// The awaited call alone, for the idle/loaded comparison (`node awaited.mjs ours|ours-nospin|ncp`).
// run.mjs runs it once on a quiet machine and once with a busy-looping process beside it.
// `ours-nospin` turns the completion spin off (PY_CONTEXTS_SPIN_US=0, native/src/objects/
// completion_spin.h), so the table shows what the spin buys and what it costs under load.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BENCH, CORE, scaled } from '../lib/common.mjs';
import { timeAsync, expectEq, runFigures } from '../lib/measure.mjs';

const method = process.argv[2] ?? 'ours';
const ITER = scaled(5000);
if (method === 'ncp') {
  const { interpreter: py } = createRequire(join(BENCH, 'package.json'))('node-calls-python');
  const math = py.importSync('math');
  await runFigures('ncpAsync', { sqrt: () => timeAsync(() => py.call(math, 'sqrt', 16), { iterations: ITER, check: expectEq(4) }) });
} else {
  if (method === 'ours-nospin') process.env.PY_CONTEXTS_SPIN_US = '0';
  const { startPython } = createRequire(import.meta.url)(CORE);
  const python = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
  const proc = python.process('bench');
  const engine = python.engine;
  let before;
  await runFigures(method, {
    sqrt: async () => {
      await proc.call('math', 'sqrt', [16]);
      before = engine.spinStats();
      return timeAsync(() => proc.call('math', 'sqrt', [16]), { iterations: ITER, check: expectEq(4) });
    },
    // How the spin fared over the timed calls: handed completions, misses, skipped turns, µs spun per call.
    spin: (info) => {
      const s = engine.spinStats();
      info.spin = { hits: s.hits - before.hits, misses: s.misses - before.misses, skipped: s.skipped - before.skipped,
        spunUsPerCall: (s.spunUs - before.spunUs) / (ITER * 1.1) };
      return undefined;
    },
  });
  await python.shutdown();
}
process.exit(0);
