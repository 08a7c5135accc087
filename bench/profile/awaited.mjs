// Where an awaited call's time goes: `node bench/profile/awaited.mjs [calls]` (see NOTES.md).
//
// Splits one awaited call('math', 'sqrt', [16]) into what each side can time on its own:
//   js-submit   proc.call() up to the promise it returns: option checks, book-keeping, argument
//               conversion (FromJs) and ContextCore::Submit (mutex, queue, condition variable);
//   python      runtime.dispatch's own work for the op, timed in Python (timeit, same thread);
//   rest        everything else: the context thread's wake-up and GIL take, ToPython/FromPython,
//               the completion's trip to the event loop (threadsafe function -> uv_async), ToJs,
//               settling the promise and resuming the await;
// and the platform's wake-up floor (wakeup.c: thread-to-thread round trips), since an awaited call
// crosses threads twice. BENCH_LOADED=1 keeps one busy-looping process running meanwhile ("loaded").
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { CORE, BENCH } from '../lib/common.mjs';

const CALLS = Number(process.argv[2] ?? 5000);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const busy = process.env.BENCH_LOADED ? spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }) : undefined;
try {
  const { startPython } = createRequire(import.meta.url)(CORE);
  const py = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
  const proc = py.process('profile');
  for (let i = 0; i < 2000; i++) await proc.call('math', 'sqrt', [16]);

  const submit = [];
  const total = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    const p = proc.call('math', 'sqrt', [16]);
    const t1 = performance.now();
    await p;
    const t2 = performance.now();
    submit.push((t1 - t0) * 1000);
    total.push((t2 - t0) * 1000);
  }
  // The Python side of the same op, on the context thread, without any crossing.
  const pyUs = await proc.run([
    'import timeit, math',
    'from py_contexts import runtime as _r',
    'def _one():',
    "    return _r._op_call(None, ['math', 'sqrt', [16], None])",
    'min(timeit.repeat(_one, number=20000, repeat=5)) / 20000 * 1e6',
  ].join('\n'));
  await py.shutdown();

  let wake = [];
  const src = join(BENCH, 'profile', 'wakeup.c');
  const bin = join(tmpdir(), `py-contexts-wakeup-${process.pid}`);
  try {
    execFileSync('gcc', ['-O2', '-pthread', src, '-o', bin]);
    wake = execFileSync(bin, ['5000'], { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l));
  } catch (e) {
    wake = [{ name: `wakeup.c not run: ${e.message.split('\n')[0]}` }];
  }
  const t = median(total);
  const s = median(submit);
  const out = {
    calls: CALLS,
    loaded: Boolean(busy),
    total_us: t,
    js_submit_us: s,
    python_us: pyUs,
    rest_us: t - s - pyUs,
    wakeup: wake,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  if (!existsSync(CORE)) process.exitCode = 1;
} finally {
  busy?.kill('SIGKILL');
}
process.exit();
