// A long-lived python3 subprocess speaking JSON lines (bench/py/jsonl_server.py).
import { setTimeout as sleep } from 'node:timers/promises';
import { scaled } from '../lib/common.mjs';
import { startJsonl } from '../lib/jsonl_client.mjs';
import { timeAsync, timeInFlight, stall, idleStall, expectEq, inputs, MB, byteLength, runFigures } from '../lib/measure.mjs';

const py = startJsonl(process.env.BENCH_PYTHON ?? 'python3');
const { array, arraySum, f64, f64Sum, big, bigBytes } = inputs();
// JSON has no bytes: the natural encoding of a Float64Array is base64 of its memory.
const b64 = (a) => ({ __bytes__: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') });
await runFigures('jsonl', {
  info: async (i) => { i.version = await py.run('import sys\nsys.version'); return undefined; },
  sqrt: () => timeAsync(() => py.call('math', 'sqrt', [16]), { iterations: scaled(3000), check: expectEq(4) }),
  run: () => timeAsync(() => py.run('1+1'), { iterations: scaled(3000), check: expectEq(2) }),
  inflight16: () => timeInFlight(() => py.call('math', 'sqrt', [16]), { rounds: scaled(300), check: expectEq(4) }),
  array10k: () => timeAsync(() => py.call('builtins', 'sum', [array]), { iterations: scaled(300), check: expectEq(arraySum) }),
  f64_10k: () => timeAsync(() => py.call('benchmod', 'sum_f64', [b64(f64)]), { iterations: scaled(300), check: expectEq(f64Sum) }),
  f64_8mb: () => timeAsync(() => py.call('benchmod', 'nbytes', [b64(big)]), { iterations: scaled(15, 5), warmup: 2, check: expectEq(bigBytes) }),
  str1mb: () => timeAsync(() => py.call('benchmod', 'str_1mb'), { iterations: scaled(100), check: (v) => expectEq(MB)(byteLength(v)) }),
  bytes1mb: () => timeAsync(() => py.call('benchmod', 'bytes_1mb'), { iterations: scaled(60), check: (v) => expectEq(MB)(byteLength(v)) }),
  stall_idle: () => idleStall(),
  stall1: () => stall(() => py.call('benchmod', 'burn', [200])),
  stall2: () => stall(async () => {
    const first = py.call('benchmod', 'burn', [200]);
    await sleep(20);
    await Promise.all([first, py.call('math', 'sqrt', [16])]);
  }),
});
py.close();
