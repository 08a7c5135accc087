// Paths and small facts shared by bench/run.mjs and the peer child processes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH);
export const PYDIR = join(BENCH, 'py');
// BENCH_CORE points the bench at another build of the engine (for example a copy under test).
export const CORE = process.env.BENCH_CORE ?? join(ROOT, 'dist', 'core.js');

/** Iteration counts scale with BENCH_SCALE (e.g. 0.2 for a quick look); never below a floor. */
export const scaled = (n, floor = 20) => Math.max(floor, Math.round(n * Number(process.env.BENCH_SCALE ?? 1)));

/** The versioned libpython files (not the stable-ABI libpython3.so) mapped into this process, so run.mjs can tell which Python each peer embeds. */
export function loadedLibpython() {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    return [...new Set(maps.split('\n').map((l) => l.match(/(\/\S*libpython3\.\d+[^/\s]*\.so[^/\s]*)$/)?.[1]).filter(Boolean))];
  } catch {
    return [];
  }
}
