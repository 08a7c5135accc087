// Shared state and host calls (issue 10): figures only Py Contexts has, so no peer column.
//   host_call_us     Python → JS → Python: host.call() of a trivial sync JS function, timed in
//                    Python over many calls (beside plain_call_us, JS → Python → JS, an awaited
//                    proc.call of math.sqrt, for scale)
//   state_incr_ops_s state.incr() from 2 contexts at once, increments per second overall; the
//                    final count must be exact (state_incr_exact)
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { CORE, scaled } from '../lib/common.mjs';
import { timeAsync, expectEq } from '../lib/measure.mjs';

if (!existsSync(CORE)) {
  process.stdout.write(`@@BENCH ${JSON.stringify({ peer: 'bridge', unavailable: 'dist/core.js not built yet (npm run build)' })}\n`);
  process.exit(0);
}
const { startPython } = createRequire(import.meta.url)(CORE);
const python = await startPython({
  pools: { default: 2 },
  ...(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {}),
});
const figures = {};
const info = { version: python.version };
try {
  const proc = python.process('bench-bridge');
  python.registerFunction('noop', (x) => x);
  const n = scaled(20000, 200);
  // Timed inside Python, so the figure is the round trip itself, not the job that carries it.
  const per = await proc.run(`
import time
from py_contexts import host
call = host.call
for _ in range(${Math.ceil(n / 10)}): call('noop', 1)
best = None
for _ in range(3):
    t = time.perf_counter()
    for _ in range(${n}): call('noop', 1)
    us = (time.perf_counter() - t) / ${n} * 1e6
    best = us if best is None or us < best else best
best`, { context: python.context(1) });
  figures.host_call_us = per;
  figures.plain_call_us = await timeAsync(() => proc.call('math', 'sqrt', [16]), { iterations: scaled(3000), check: expectEq(4) });

  const m = scaled(200000, 2000);
  await python.state.delete('bench_count');
  const t0 = process.hrtime.bigint();
  await Promise.all([1, 2].map((i) => python.process(`bench-incr-${i}`).run(`
from py_contexts import state
incr = state.incr
for _ in range(${m}): incr('bench_count')`, { context: python.context(i) })));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const final = await python.state.get('bench_count');
  figures.state_incr_ops_s = (2 * m) / secs;
  info.state_incr_exact = final === 2 * m;
  info.state_incr_final = final;
  info.state_incr_expected = 2 * m;
} catch (e) {
  info.error = String(e?.message ?? e);
}
await python.shutdown();
process.stdout.write(`@@BENCH ${JSON.stringify({ peer: 'bridge', figures, info })}\n`);
