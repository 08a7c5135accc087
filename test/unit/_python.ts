/**
 * How the unit tests of python/py_contexts start Python: `runPython(args)` is `python args…`
 * (Debian's by default: it has numpy, pandas, matplotlib and IPython from apt).
 *
 * The native tier runs the same tests again with `useEmbeddedInterpreter()`: each command then
 * runs in a context of a fresh embedded interpreter (test/native/fixtures/embedded-python.ts),
 * where the code really runs, rather than in a standalone python.
 */
import { spawnSync, type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns } from 'node:child_process';
import * as path from 'node:path';

export const python = process.env['PY_CONTEXTS_PYTHON'] ?? '/usr/bin/python3';

let embedded = false;

export function useEmbeddedInterpreter(): void {
  embedded = true;
}

/** `python args…` with `opts` (input, env, timeout), in a standalone or an embedded interpreter. */
export function runPython(args: string[], opts: Omit<SpawnSyncOptionsWithStringEncoding, 'encoding'> = {}): SpawnSyncReturns<string> {
  const options: SpawnSyncOptionsWithStringEncoding = { maxBuffer: 256 * 1024 * 1024, ...opts, encoding: 'utf8' };
  if (!embedded) return spawnSync(python, args, options);
  const runner = path.join(__dirname, '..', 'native', 'fixtures', 'embedded-python.js');
  // The embedded interpreter is the one the engine picks: PY_CONTEXTS_PYTHON, as here.
  return spawnSync(process.execPath, [runner, ...args], { ...options, env: { ...process.env, ...options.env, PY_CONTEXTS_PYTHON: python } });
}
