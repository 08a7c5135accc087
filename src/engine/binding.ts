/**
 * The one place that loads `.node` files: the loader, then the core for the chosen Python's ABI. Everything else imports the engine
 * through this module, so the path logic and the typed view of the addon live here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EngineStartError } from './errors';
import type { ResolvedInterpreter } from './interpreter';
import type { NativeBinding } from './native';

/** Where the package lives: dist/ and out/src/engine/ both resolve to it. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'py-contexts') return dir;
      } catch {
        // keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`py-contexts: cannot find the package root above ${__dirname}`);
    dir = parent;
  }
}

/** The folder holding the loader and the engine cores. */
export function releaseDir(): string {
  return join(packageRoot(), 'native', 'build', 'Release');
}

/** python/probe.py: run in a candidate interpreter to describe it. */
export function probeScript(): string {
  return join(packageRoot(), 'python', 'probe.py');
}

/** The loader addon (src/loader/loader.cpp): no libpython dependency. */
interface Loader {
  loadLibrary(path: string): void;
  loaded(): string | undefined;
  hasGlobalSymbol(name: string): boolean;
}

let cached: { binding: NativeBinding; interp: ResolvedInterpreter } | undefined;

/** The interpreter whose libpython this process has loaded, if any. */
export function loadedInterpreter(): ResolvedInterpreter | undefined {
  return cached?.interp;
}

/**
 * Loads the interpreter's libpython globally, then the engine core built for its ABI. Only one
 * libpython can ever be loaded in a process (CPython cannot be re-initialized with another), so
 * asking for a different one afterwards is refused with the way out: a new process.
 */
export function loadBinding(interp: ResolvedInterpreter): NativeBinding {
  if (cached) {
    if (cached.interp.libpython === interp.libpython && cached.interp.abi === interp.abi) return cached.binding;
    throw new EngineStartError('restart-required',
      `Python ${cached.interp.version} (${cached.interp.libpython}) is already loaded in this process; Python ${interp.version} (${interp.libpython}) cannot be loaded beside it.`,
      'Restart the process to switch interpreters (in VS Code: Developer: Reload Window).');
  }
  const dir = releaseDir();
  let loader: Loader;
  try {
    // Runtime requires: the addons are never bundled.
    loader = module.require(join(dir, 'py_contexts_loader.node')) as Loader;
  } catch (e) {
    throw new EngineStartError('addon-load', `Cannot load the py-contexts loader: ${(e as Error).message}`,
      'Reinstall the extension (from a source checkout: npm install).');
  }
  if (!loader.loaded() && loader.hasGlobalSymbol('Py_InitializeFromConfig')) {
    throw new EngineStartError('addon-load', 'This process already contains a Python runtime (another library or extension embeds one).',
      'Run py-contexts in a process without an embedded Python.');
  }
  try {
    loader.loadLibrary(interp.libpython);
  } catch (e) {
    throw new EngineStartError('addon-load', `Cannot load ${interp.libpython}: ${(e as Error).message}`,
      `Reinstall the shared library of Python ${interp.version} (Debian: apt-get install libpython${interp.version.split('.').slice(0, 2).join('.')}), or choose another Python.`);
  }
  const core = join(dir, `core_${interp.abi}.node`);
  let binding: NativeBinding;
  try {
    binding = module.require(core) as NativeBinding;
  } catch (e) {
    throw new EngineStartError('addon-load', `Cannot load the engine core ${core}: ${(e as Error).message}`,
      'Reinstall the extension (from a source checkout: npm install).');
  }
  cached = { binding, interp };
  return binding;
}

/** Text of the Python runtime package directory passed to the interpreter. */
export function pythonDir(): string {
  return join(packageRoot(), 'python');
}
