/**
 * The one place that loads the `.node` file. Everything else imports the engine
 * through this module, so the path logic and the typed view of the addon live here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EngineStartError } from './errors';
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

export interface BuildInfo {
  executable: string;
  version: string;
  prefix: string;
  libdir: string;
  LDVERSION: string;
}

let cached: NativeBinding | undefined;

export function addonPath(): string {
  return join(packageRoot(), 'native', 'build', 'Release', 'py_contexts.node');
}

export function buildInfo(): BuildInfo {
  const file = join(packageRoot(), 'native', 'build', 'python.json');
  if (!existsSync(file)) {
    throw new EngineStartError('addon-load', `The py-contexts addon has not been built (${file} is missing).`,
      'Run `npm install` (or `npm rebuild`) in the extension folder with Python headers installed (apt-get install python3-dev).');
  }
  return JSON.parse(readFileSync(file, 'utf8')) as BuildInfo;
}

export function loadBinding(): NativeBinding {
  if (cached) return cached;
  const file = addonPath();
  try {
    // A runtime require: the addon is never bundled.
    cached = module.require(file) as NativeBinding;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const info = existsSync(join(packageRoot(), 'native', 'build', 'python.json')) ? buildInfo() : undefined;
    const wanted = info ? `Python ${info.version} (${info.executable}, shared library in ${info.libdir})` : 'Python 3 with headers';
    throw new EngineStartError('addon-load', `Cannot load the py-contexts addon: ${msg}`,
      /cannot open shared object|libpython/.test(msg)
        ? `Install ${wanted}, or rebuild for your Python: PY_CONTEXTS_PYTHON=/path/to/python3 npm rebuild`
        : `Rebuild the addon: npm rebuild (needs ${wanted}).`);
  }
  return cached;
}

/** Text of the Python runtime package directory passed to the interpreter. */
export function pythonDir(): string {
  return join(packageRoot(), 'python');
}
