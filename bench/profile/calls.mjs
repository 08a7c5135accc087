// `node bench/profile/calls.mjs N`: start the engine, make N awaited calls, stop. Run under
// `valgrind --tool=callgrind --separate-threads=yes` with two values of N; the difference of
// each thread's instruction total, divided by the difference of N, is the CPU work per call
// on that thread (see NOTES.md), free of this machine's timing noise.
import { createRequire } from 'node:module';
import { CORE } from '../lib/common.mjs';

const n = Number(process.argv[2] ?? 1000);
const { startPython } = createRequire(import.meta.url)(CORE);
const py = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
const proc = py.process('profile');
await proc.call('math', 'sqrt', [16]);
for (let i = 0; i < n; i++) await proc.call('math', 'sqrt', [16]);
await py.shutdown();
process.exit(0);
