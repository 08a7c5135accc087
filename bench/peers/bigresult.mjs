// One big-result measurement in a fresh process: `node bigresult.mjs <method> <case>`.
// method: ours | ncp-async; case: list (list(range(10**7))) | numpy (a 10^7 float64 numpy array).
//
// The value is built in Python first (not measured); then the kernel's peak-RSS mark is reset
// (/proc/self/clear_refs "5") and the value is fetched once: the time is that one call, and
// "extra" is the peak RSS during it above the RSS before it, per element. A fresh process per
// sample, so one case's garbage never inflates another's peak. run.mjs takes the median.
//
// node-calls-python has no numpy conversion (an ndarray comes back as an opaque object), so for
// it the numpy case returns `x.tobytes()` (an ArrayBuffer there), which the caller views as a Float64Array: one copy
// in Python (tobytes) and one into the Buffer.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH, CORE, PYDIR } from '../lib/common.mjs';

const [method, kind] = process.argv.slice(2);
const N = Number(process.env.BENCH_BIG_N ?? 1e7);
const require = createRequire(join(BENCH, 'package.json'));

const status = () => {
  const s = readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'))[1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
};
const resetPeak = () => writeFileSync('/proc/self/clear_refs', '5');
const build = kind === 'list' ? `list(range(${N}))` : `__import__('numpy').arange(${N}, dtype='float64')`;

function check(v) {
  // An older engine returns numpy arrays as PyValue reprs: timed, but there is no data to check.
  if (kind === 'numpy' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) return v?.constructor?.name ?? typeof v;
  const a = kind === 'list' ? v : v instanceof Float64Array ? v : v instanceof ArrayBuffer ? new Float64Array(v)
    : new Float64Array(v.buffer, v.byteOffset, v.byteLength / 8);
  if (a.length !== N || a[N - 1] !== N - 1 || a[12345] !== 12345) throw new Error(`wrong result: length ${a.length}`);
  return kind === 'list' ? (Array.isArray(v) ? 'Array' : typeof v) : v.constructor.name;
}

async function measure(fetch) {
  // Warm the path with a small value, then settle the heap before the mark.
  global.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  global.gc?.();
  resetPeak();
  const before = status();
  const t0 = performance.now();
  const v = await fetch();
  const ms = performance.now() - t0;
  const after = status();
  const got = check(v);
  return { ms, extraBytesPerElement: (after.hwm - before.rss) / N, got };
}

let result;
if (method === 'ours') {
  const { startPython } = require(CORE);
  const py = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
  const proc = py.process('big');
  await proc.exec(`x = ${build}\nsmall = x[:1000]`);
  await proc.eval('small');
  result = await measure(() => proc.eval('x'));
} else {
  const { interpreter: ncp } = require('node-calls-python');
  ncp.addImportPath(PYDIR);
  const bm = ncp.importSync('benchmod');
  const fn = kind === 'list' ? 'big_list' : 'big_numpy_bytes';
  await ncp.call(bm, 'make_big', kind, N);
  await ncp.call(bm, fn, 1000);
  result = await measure(() => ncp.call(bm, fn, 0));
}
process.stdout.write(`@@BENCH ${JSON.stringify({ method, kind, ...result })}\n`);
process.exit(0);
