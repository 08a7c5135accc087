// One-time set-up for the bench: which Python the engine uses, and node-calls-python built
// against that same Python (so every embedded peer runs the same interpreter version).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, ROOT } from './common.mjs';

/**
 * The interpreter the engine uses, found the way dist/core.js finds it: PY_CONTEXTS_PYTHON, else
 * python3 on PATH.
 */
export function resolvePython() {
  const requested = process.env.PY_CONTEXTS_PYTHON || 'python3';
  const script = [
    'import json, os, sys, sysconfig',
    'v = sysconfig.get_config_var',
    'print(json.dumps({"executable": os.path.realpath(sys.executable), "version": sys.version.split()[0],',
    ' "bindir": v("BINDIR"), "ldversion": v("LDVERSION"), "libdir": v("LIBDIR"), "ldlibrary": v("LDLIBRARY")}))',
  ].join('\n');
  const info = JSON.parse(execFileSync(requested, ['-c', script], { encoding: 'utf8' }));
  const candidates = [`python${info.ldversion}-config`, 'python3-config'].map((n) => join(info.bindir, n));
  info.config = candidates.find((c) => existsSync(c));
  info.requested = requested;
  return info;
}

/**
 * node-calls-python finds Python through `python3-config` on PATH, at build time and again at
 * require time. A directory of two wrapper scripts, put first on PATH, points both at the
 * engine's Python. Wrappers (not symlinks) keep `$0` real, which python3-config uses to find
 * its prefix.
 */
export function shimPath(py) {
  const dir = join(BENCH, '.shim');
  mkdirSync(dir, { recursive: true });
  const wrap = (name, target) => {
    const file = join(dir, name);
    writeFileSync(file, `#!/bin/sh\nexec ${JSON.stringify(target)} "$@"\n`);
    chmodSync(file, 0o755);
  };
  wrap('python3', py.executable);
  if (py.config) wrap('python3-config', py.config);
  return `${dir}:${process.env.PATH}`;
}

/** Installs or rebuilds bench/node_modules when missing or built for another Python. Returns a reason when unusable. */
export function ensureNodeCallsPython(py, PATH) {
  if (!py.config) return `no python3-config next to ${py.executable} (apt-get install python3-dev)`;
  const stampFile = join(BENCH, 'node_modules', '.py-contexts-bench.json');
  const stamp = JSON.stringify({ executable: py.executable, version: py.version });
  const installed = existsSync(join(BENCH, 'node_modules', 'node-calls-python', 'build', 'Release', 'nodecallspython.node'));
  if (installed && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return undefined;
  const args = installed ? ['rebuild', 'node-calls-python', '--prefix', BENCH] : ['install', '--prefix', BENCH, '--no-audit', '--no-fund'];
  process.stderr.write(`bench: npm ${args.join(' ')} (node-calls-python against ${py.executable})\n`);
  const r = spawnSync('npm', args, { env: { ...process.env, PATH }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) return `npm ${args[0]} of node-calls-python failed (exit ${r.status})`;
  writeFileSync(stampFile, stamp);
  return undefined;
}
