// `node bench/persist.mjs`: how long saving and restoring an environment takes (issue 12),
// next to what a user would do by hand in a plain interpreter: pickle.dump / pickle.load of
// the same values into a file (the peer, a standalone python3 child, measured in the same
// run). Two workloads: one 100 MB numpy array, and 10,000 small variables. Prints medians
// and our ratio to the peer; asserts nothing.
//
// Knobs: PY_CONTEXTS_PYTHON (the engine's and the peer's Python; default python3),
// BENCH_ROUNDS (3).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORE } from './lib/common.mjs';
import { median } from './lib/measure.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PYTHON = process.env.PY_CONTEXTS_PYTHON || 'python3';
const require = createRequire(import.meta.url);
const { startPython } = require(CORE);

const WORKLOADS = {
  'numpy array, 100 MB': 'import numpy as np\nbig = np.random.default_rng(1).random(100 * 1024 * 1024 // 8)',
  '10,000 small variables': "for _i in range(10_000):\n    globals()[f'v{_i}'] = {'i': _i, 's': str(_i), 'l': [_i, _i * 0.5]}\ndel _i",
};

/** The peer: the same values pickled to a file and back by a plain interpreter. */
const PEER = `
import pickle, sys, time, json
code, path, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
env = {}
exec(code, env)
values = {k: v for k, v in env.items() if not k.startswith('__') and not hasattr(v, '__spec__')}
save, load = [], []
for _ in range(rounds):
    t = time.perf_counter()
    with open(path, 'wb') as f:
        pickle.dump(values, f, 5)
    save.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    with open(path, 'rb') as f:
        pickle.load(f)
    load.append((time.perf_counter() - t) * 1000)
print(json.dumps({'save': save, 'load': load}))
`;

const dir = mkdtempSync(join(tmpdir(), 'pyc-bench-persist-'));
const py = await startPython({ pools: { default: 1 }, ...(process.env.PY_CONTEXTS_PYTHON ? { python: PYTHON } : {}) });
const rows = [];
try {
  for (const [name, code] of Object.entries(WORKLOADS)) {
    const file = join(dir, 'state.pystate');
    const src = py.process(`bench-${name}`);
    await src.exec(code);
    const save = [];
    const restore = [];
    let bytes = 0;
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await src.saveState(file, 1024 * 1024 * 1024);
      save.push(performance.now() - t);
      bytes = statSync(file).size;
      const dst = py.process(`bench-${name}-restore-${i}`);
      t = performance.now();
      await dst.restoreState(file);
      restore.push(performance.now() - t);
      await dst.close();
    }
    await src.close();
    const peer = JSON.parse(execFileSync(PYTHON, ['-c', PEER, code, join(dir, 'peer.pickle'), String(ROUNDS)], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    rows.push({ name, bytes, save: median(save), restore: median(restore), peerSave: median(peer.save), peerLoad: median(peer.load) });
  }
} finally {
  await py.shutdown();
  rmSync(dir, { recursive: true, force: true });
}

const ms = (x) => `${x.toFixed(1)} ms`;
console.log(`persisted state, ${py.version.split(' ')[0]}, median of ${ROUNDS} (peer: pickle.dump/load in a plain python3)`);
console.log(['workload', 'file', 'save', 'peer dump', 'ratio', 'restore', 'peer load', 'ratio'].join(' | '));
for (const r of rows) {
  console.log([
    r.name, `${(r.bytes / 1024 / 1024).toFixed(1)} MB`,
    ms(r.save), ms(r.peerSave), `${(r.save / r.peerSave).toFixed(2)}×`,
    ms(r.restore), ms(r.peerLoad), `${(r.restore / r.peerLoad).toFixed(2)}×`,
  ].join(' | '));
}
