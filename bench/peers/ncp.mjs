// node-calls-python's figures, async API (`node ncp.mjs async`) or sync API (`node ncp.mjs sync`).
// It is a devDependency of bench/ only; run.mjs installs it and puts the right python3-config on PATH.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BENCH, PYDIR, scaled, loadedLibpython } from '../lib/common.mjs';
import { timeAsync, timeSync, timeInFlight, stall, idleStall, expectEq, inputs, MB, byteLength, runFigures } from '../lib/measure.mjs';

const mode = process.argv[2] === 'sync' ? 'sync' : 'async';
const { interpreter: py } = createRequire(join(BENCH, 'package.json'))('node-calls-python');
py.addImportPath(PYDIR);
const math = py.importSync('math');
const builtins = py.importSync('builtins');
const bm = py.importSync('benchmod');
const { array, arraySum, f64, f64Sum, big, bigBytes } = inputs();
const bytesCheck = (v) => expectEq(MB)(byteLength(v));

const info = async (i) => {
  i.version = py.evalSync(py.importSync('sys'), 'version');
  i.libpython = loadedLibpython();
  return undefined;
};

if (mode === 'async') {
  const call = (m, f, ...a) => py.call(m, f, ...a);
  await runFigures('ncpAsync', {
    info,
    sqrt: () => timeAsync(() => call(math, 'sqrt', 16), { iterations: scaled(3000), check: expectEq(4) }),
    run: () => timeAsync(() => py.eval(bm, '1+1'), { iterations: scaled(3000), check: expectEq(2) }),
    inflight16: () => timeInFlight(() => call(math, 'sqrt', 16), { rounds: scaled(300), check: expectEq(4) }),
    array10k: () => timeAsync(() => call(builtins, 'sum', array), { iterations: scaled(500), check: expectEq(arraySum) }),
    f64_10k: () => timeAsync(() => call(bm, 'sum_f64', f64), { iterations: scaled(1000), check: expectEq(f64Sum) }),
    f64_8mb: () => timeAsync(() => call(bm, 'nbytes', big), { iterations: scaled(200), check: expectEq(bigBytes) }),
    str1mb: () => timeAsync(() => call(bm, 'str_1mb'), { iterations: scaled(200), check: bytesCheck }),
    bytes1mb: () => timeAsync(() => call(bm, 'bytes_1mb'), { iterations: scaled(200), check: bytesCheck }),
    stall_idle: () => idleStall(),
    stall1: () => stall(() => call(bm, 'burn', 200)),
    stall2: () => stall(async () => {
      const first = call(bm, 'burn', 200);
      await sleep(20);
      await Promise.all([first, call(math, 'sqrt', 16)]);
    }),
  });
} else {
  const call = (m, f, ...a) => py.callSync(m, f, ...a);
  await runFigures('ncpSync', {
    info,
    sqrt: () => timeSync(() => call(math, 'sqrt', 16), { iterations: scaled(3000), check: expectEq(4) }),
    run: () => timeSync(() => py.evalSync(bm, '1+1'), { iterations: scaled(3000), check: expectEq(2) }),
    inflight16: () => { throw new Error('sync API: no calls in flight'); },
    array10k: () => timeSync(() => call(builtins, 'sum', array), { iterations: scaled(500), check: expectEq(arraySum) }),
    f64_10k: () => timeSync(() => call(bm, 'sum_f64', f64), { iterations: scaled(1000), check: expectEq(f64Sum) }),
    f64_8mb: () => timeSync(() => call(bm, 'nbytes', big), { iterations: scaled(200), check: expectEq(bigBytes) }),
    str1mb: () => timeSync(() => call(bm, 'str_1mb'), { iterations: scaled(200), check: bytesCheck }),
    bytes1mb: () => timeSync(() => call(bm, 'bytes_1mb'), { iterations: scaled(200), check: bytesCheck }),
    stall_idle: () => idleStall(),
    // A sync call blocks the loop for its whole duration; measured anyway, so the cost is visible.
    stall1: () => stall(async () => { call(bm, 'burn', 200); }),
    stall2: () => { throw new Error('sync API: a second call cannot queue'); },
  });
}
process.exit(0);
