// Py Contexts on one interpreter of the matrix (PY_CONTEXTS_PYTHON): the awaited call and 16 in
// flight, for the per-interpreter rows of the bench. run.mjs runs it once per interpreter, each in
// its own process (one libpython per process).
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { CORE, scaled } from '../lib/common.mjs';
import { timeAsync, timeInFlight, expectEq, runFigures } from '../lib/measure.mjs';

const { startPython } = createRequire(import.meta.url)(CORE);
const python = await startPython({ python: process.env.PY_CONTEXTS_PYTHON });
const proc = python.process('bench');
await runFigures('interp', {
  info: async (info) => {
    info.version = python.version;
    info.interpreter = python.interpreter;
    return undefined;
  },
  sqrt: () => timeAsync(() => proc.call('math', 'sqrt', [16]), { iterations: scaled(3000), check: expectEq(4) }),
  inflight16: () => timeInFlight(() => proc.call('math', 'sqrt', [16]), { rounds: scaled(300), check: expectEq(4) }),
});
await Promise.race([python.shutdown(), sleep(5000)]);
process.exit(0);
