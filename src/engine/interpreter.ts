/**
 * Which Python to embed, and how: ask the interpreter itself (python/probe.py, sysconfig),
 * then find its shared libpython and the engine core built for its ABI. This is what R's
 * reticulate and Julia's PythonCall.jl do; nothing here depends on the machine the
 * extension was built on. Plain Node; never imports vscode.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { EngineStartError } from './errors';
import type { InterpreterInfo } from './types';

/** What python/probe.py prints. */
export interface ProbeResult {
  executable: string;
  version: string;
  versionInfo: [number, number, number];
  implementation: string;
  sysVersion: string;
  prefix: string;
  basePrefix: string;
  LIBDIR: string | null;
  LIBPL: string | null;
  LDLIBRARY: string | null;
  INSTSONAME: string | null;
  MULTIARCH: string | null;
  Py_ENABLE_SHARED: number | null;
  Py_GIL_DISABLED: number | null;
}

/** Everything needed to load it. */
export interface ResolvedInterpreter extends InterpreterInfo {
  /** cp311, cp313t…: which engine core to load. */
  abi: string;
  /** The shared libpython to load globally. */
  libpython: string;
  prefix: string;
  basePrefix: string;
}

/** The oldest and newest minor versions the engine is written for. */
export const MIN_MINOR = 10;
export const MAX_MINOR = 14;

/** The ABI tag of an interpreter: cp311, cp313t. */
export function abiTag(p: Pick<ProbeResult, 'versionInfo' | 'Py_GIL_DISABLED'>): string {
  const [major, minor] = p.versionInfo;
  return `cp${major}${minor}${p.Py_GIL_DISABLED ? 't' : ''}`;
}

/** A readable name for an ABI tag: cp313t → '3.13t'. */
export function abiLabel(tag: string): string {
  const m = /^cp3(\d+)(t?)$/.exec(tag);
  return m ? `3.${m[1]}${m[2]}` : tag;
}

/** `python3` on PATH, as a shell would find it. */
export function findOnPath(name: string, pathVar = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Runs python/probe.py in the candidate. Missing or broken interpreters become EngineStartErrors. */
export function probe(python: string, probeScript: string): ProbeResult {
  if (isAbsolute(python) && !existsSync(python)) {
    throw new EngineStartError('python-not-found', `No Python at '${python}'.`,
      'Install Python 3 (3.11 or 3.13 recommended) or correct the Python path setting.');
  }
  let out: string;
  try {
    out = execFileSync(python, ['-E', '-s', probeScript], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    const detail = (err.stderr?.trim().split('\n').pop() ?? '') || err.message.split('\n')[0];
    throw new EngineStartError('python-not-found', `Cannot run the Python at '${python}' (${detail}).`,
      'Install Python 3 (Debian: apt-get install python3 libpython3.11) or set the Python path to a working interpreter.');
  }
  try {
    return JSON.parse(out) as ProbeResult;
  } catch {
    throw new EngineStartError('python-not-found', `'${python}' did not answer like a Python interpreter (${out.slice(0, 200)}).`,
      'Set the Python path to a CPython 3 executable.');
  }
}

/**
 * Checks that the engine can embed this interpreter, and finds its libpython. The refusals
 * are the ones users can fix: another implementation, a version out of range, a Python without
 * a shared library, or no core built for its ABI.
 */
export function resolveInterpreter(p: ProbeResult, availableAbis: readonly string[]): ResolvedInterpreter {
  const [major, minor] = p.versionInfo;
  const supported = [...availableAbis].sort().map(abiLabel).join(', ');
  if (p.implementation !== 'CPython') {
    throw new EngineStartError('unsupported-python', `The Python at '${p.executable}' is ${p.implementation} ${p.version}; py-contexts embeds CPython only.`,
      `Choose a CPython interpreter (${supported}).`);
  }
  if (major !== 3 || minor < MIN_MINOR) {
    throw new EngineStartError('unsupported-python', `The Python at '${p.executable}' is ${p.version}; py-contexts needs CPython 3.${MIN_MINOR} or newer.`,
      `Install a newer Python (${supported}; Debian 12: apt-get install python3 libpython3.11) and select it.`);
  }
  const abi = abiTag(p);
  const freeThreaded = abi.endsWith('t');
  const label = abiLabel(abi);
  if (!availableAbis.includes(abi)) {
    const why = minor > MAX_MINOR ? `Python ${label} is newer than this version of py-contexts knows` : `this package has no engine core for Python ${label}`;
    throw new EngineStartError('unsupported-python', `The Python at '${p.executable}' is ${p.version}${freeThreaded ? ' (free-threaded)' : ''}, but ${why}.`,
      `Select a Python this package includes (${supported}).`);
  }
  const libpython = findLibpython(p);
  if (!libpython) {
    const ld = p.LDLIBRARY ?? `libpython${major}.${minor}`;
    const debian = p.executable.startsWith('/usr/bin/') ? ` Debian/Ubuntu: apt-get install libpython${major}.${minor}.` : '';
    throw new EngineStartError('no-shared-libpython',
      `The Python at '${p.executable}' (${p.version}) has no shared libpython (${ld.endsWith('.a') ? `only the static ${ld}` : `${ld} not found`}), and the engine loads Python as a shared library.`,
      `Install its shared library or use a Python built with --enable-shared.${debian} pyenv: PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install ${major}.${minor}.`);
  }
  return { executable: p.executable, version: p.version, freeThreaded, abi, libpython, prefix: p.prefix, basePrefix: p.basePrefix };
}

/** Where sysconfig says libpython is, tried in the order the dynamic linker would. */
export function findLibpython(p: ProbeResult, exists: (path: string) => boolean = existsSync): string | undefined {
  const [major, minor] = p.versionInfo;
  const names = [p.INSTSONAME, p.LDLIBRARY, `libpython${major}.${minor}${p.Py_GIL_DISABLED ? 't' : ''}.so.1.0`]
    .filter((n): n is string => typeof n === 'string' && /\.so(\.|$)/.test(n));
  const dirs = [
    p.LIBDIR,
    p.LIBDIR && p.MULTIARCH ? join(p.LIBDIR, p.MULTIARCH) : null,
    p.MULTIARCH ? join('/usr/lib', p.MULTIARCH) : null,
    p.LIBPL,
    join(p.basePrefix, 'lib'),
  ].filter((d): d is string => typeof d === 'string' && d.length > 0);
  for (const dir of dirs) for (const name of names) {
    const file = join(dir, name);
    if (exists(file)) return file;
  }
  return undefined;
}

/** The cores this package holds (native/build/Release/cores.json, written by the build). */
export function availableCores(releaseDir: string): string[] {
  const file = join(releaseDir, 'cores.json');
  if (!existsSync(file)) return [];
  try {
    const { cores } = JSON.parse(readFileSync(file, 'utf8')) as { cores: { tag: string }[] };
    return cores.map((c) => c.tag).filter((t) => existsSync(join(releaseDir, `core_${t}.node`)));
  } catch {
    return [];
  }
}
