// `valgrind --tool=callgrind --separate-threads=yes --instr-atstart=no node bench/profile/calls.mjs N`:
// starts the engine and warms up uninstrumented (fast), switches instrumentation on for exactly N
// awaited calls (callgrind_control on our own pid), then off. Each thread's instruction total over N
// is the CPU work per call on that thread (see NOTES.md), free of this machine's timing noise.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { CORE } from '../lib/common.mjs';

const n = Number(process.argv[2] ?? 1000);
const { startPython } = createRequire(import.meta.url)(CORE);
const py = await startPython(process.env.PY_CONTEXTS_PYTHON ? { python: process.env.PY_CONTEXTS_PYTHON } : {});
const proc = py.process('profile');
for (let i = 0; i < 200; i++) await proc.call('math', 'sqrt', [16]);
const control = (on) => execFileSync('callgrind_control', ['-i', on ? 'on' : 'off', String(process.pid)], { stdio: 'ignore' });
control(true);
for (let i = 0; i < n; i++) await proc.call('math', 'sqrt', [16]);
control(false);
await py.shutdown();
process.exit(0);
