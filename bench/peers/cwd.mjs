// Working directories (issue 16): what a directory per process costs the awaited call. Ours only.
//   one_us          one process on one context: the plain awaited call (math.sqrt), for scale
//   same_us         two processes in one folder, calls alternating on one context: the context
//                   switches process every call, but never directory (one getcwd per call)
//   alternating_us  the same with the two processes in different folders: a chdir per call too
// The three are measured in turns over several rounds (lowest median of each), so load from
// elsewhere on the machine lands on all of them alike; run.mjs prints alternating ÷ same.
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE, scaled } from '../lib/common.mjs';
import { timeAsync, expectEq } from '../lib/measure.mjs';

if (!existsSync(CORE)) {
  process.stdout.write(`@@BENCH ${JSON.stringify({ peer: 'cwd', unavailable: 'dist/core.js not built yet (npm run build)' })}\n`);
  process.exit(0);
}
const { startPython } = createRequire(import.meta.url)(CORE);
const python = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
const root = mkdtempSync(join(tmpdir(), 'pyc-bench-cwd-'));
const figures = {};
const info = { version: python.version, workingDirectories: python.workingDirectories };
try {
  if (python.workingDirectories !== 'per-process') throw new Error(`working directories are ${python.workingDirectories} here`);
  for (const d of ['a', 'b']) mkdirSync(join(root, d));
  const context = python.context(1);
  const opts = { context };
  const pair = (dirA, dirB, tag) => [python.process(`${tag}-a`, { cwd: join(root, dirA) }), python.process(`${tag}-b`, { cwd: join(root, dirB) })];
  const [sameA, sameB] = pair('a', 'a', 'same');
  const [altA, altB] = pair('a', 'b', 'alt');
  const one = python.process('one', { cwd: join(root, 'a') });
  // Each sample is one awaited call; the next one goes to the other process of the pair.
  const alternating = ([p, q]) => {
    let turn = 0;
    return () => ((turn ^= 1) ? p : q).call('math', 'sqrt', [16], undefined, opts);
  };
  const cases = {
    one_us: () => one.call('math', 'sqrt', [16], undefined, opts),
    same_us: alternating([sameA, sameB]),
    alternating_us: alternating([altA, altB]),
  };
  // Each process is where it should be, so the figures measure what they say.
  const where = await Promise.all([sameA, sameB, altA, altB].map((p) => p.run('__import__("os").getcwd()', opts)));
  info.folders = where.map((w) => w.slice(root.length + 1));
  if (info.folders.join() !== 'a,a,a,b') throw new Error(`processes are in ${info.folders.join(', ')}`);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2)) * 4;
  for (let r = 0; r < rounds; r++) {
    for (const [key, fn] of Object.entries(cases)) {
      const us = await timeAsync(fn, { iterations: scaled(1000), check: expectEq(4) });
      figures[key] = Math.min(figures[key] ?? Infinity, us);
    }
  }
} catch (e) {
  info.error = e instanceof Error ? e.message : String(e);
}
process.stdout.write(`@@BENCH ${JSON.stringify({ peer: 'cwd', figures, info })}\n`);
rmSync(root, { recursive: true, force: true });
await Promise.race([python.shutdown(), new Promise((r) => setTimeout(r, 5000))]);
process.exit(0);
