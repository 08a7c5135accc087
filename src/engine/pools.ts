/**
 * Pool specifications: the one set of rules for a pool's name, size and mode, shared by
 * startPython({ pools }), py.startPool() and the `pyContexts.pools` setting (src/manifest/settings.ts),
 * and the capability check that refuses a mode this interpreter cannot give. Pure.
 */

/**
 * 'worker': one OS thread per context in the main interpreter (parallel on a free-threaded
 * build, taking turns on the GIL otherwise). 'owngil': each context is a sub-interpreter with
 * its own GIL (PEP 684), parallel on a GIL build too.
 */
export type PoolMode = 'worker' | 'owngil';
export const POOL_MODES: readonly PoolMode[] = ['worker', 'owngil'];

export interface PoolOptions {
  size: number;
  /** Default 'worker'. */
  mode?: PoolMode;
}

export interface PoolSpec {
  size: number;
  mode: PoolMode;
}

/** What this interpreter can run (py.capabilities()). */
export interface Capabilities {
  /** A free-threaded build: worker contexts run Python in parallel. */
  freeThreaded: boolean;
  /** Own-GIL sub-interpreter contexts ('owngil' pools) are available. */
  ownGil: boolean;
  /** The modes startPool accepts here. */
  modes: PoolMode[];
  /** Why 'owngil' is refused, when it is ('owngil-unsupported', 'owngil-requires-3.14'). */
  ownGilRefusal?: { code: string; message: string };
}

export const POOL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const MAX_POOL_SIZE = 64;

/**
 * `2` or `{ size: 2, mode: 'owngil' }` as a PoolSpec. Throws a TypeError naming the pool for
 * a bad name, mode or shape, a RangeError for a size outside 1..MAX_POOL_SIZE.
 */
export function parsePoolSpec(name: unknown, raw: unknown): PoolSpec {
  if (typeof name !== 'string' || !POOL_NAME.test(name)) {
    throw new TypeError(`pool name must start with a letter or _ and use letters, digits, _, . or -, got ${JSON.stringify(name)}`);
  }
  let size: unknown = raw;
  let mode: unknown = 'worker';
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    const unknownKeys = Object.keys(o).filter((k) => k !== 'size' && k !== 'mode');
    if (unknownKeys.length > 0) throw new TypeError(`pool '${name}' has unknown option(s) ${unknownKeys.join(', ')} (expected size, mode)`);
    size = o['size'];
    mode = o['mode'] ?? 'worker';
  } else if (typeof raw !== 'number') {
    throw new TypeError(`pool '${name}' must be a size or { size, mode }, got ${raw === null ? 'null' : typeof raw}`);
  }
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_POOL_SIZE) {
    throw new RangeError(`pool '${name}' size must be a whole number from 1 to ${MAX_POOL_SIZE}, got ${String(size)}`);
  }
  if (typeof mode !== 'string' || !(POOL_MODES as readonly string[]).includes(mode)) {
    throw new TypeError(`pool '${name}' mode must be 'worker' or 'owngil', got ${JSON.stringify(mode)}`);
  }
  return { size, mode: mode as PoolMode };
}

/** An Error whose `code` says why a mode was refused. */
export class PoolModeError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'PoolModeError';
  }
}

/**
 * What an interpreter offers. Own-GIL sub-interpreters need PEP 684 (3.12+) and a core built
 * with it (`coreOwnGil`). On free-threaded builds the worker mode already runs in parallel and
 * sub-interpreters are refused, as erlang-python does for its owngil mode there.
 */
export function capabilitiesOf(version: string, freeThreaded: boolean, coreOwnGil: boolean): Capabilities {
  const [major = 0, minor = 0] = version.split('.').map((s) => Number.parseInt(s, 10));
  const atLeast = (mj: number, mn: number) => major > mj || (major === mj && minor >= mn);
  let refusal: Capabilities['ownGilRefusal'];
  if (!atLeast(3, 12) || !coreOwnGil) {
    refusal = { code: 'owngil-unsupported', message: `Python ${version} has no per-interpreter GIL (PEP 684 needs 3.12 or later); use a 'worker' pool` };
  } else if (freeThreaded) {
    refusal = { code: 'owngil-free-threaded', message: `Python ${version} is free-threaded: 'worker' pools already run in parallel there; use a 'worker' pool` };
  }
  return {
    freeThreaded,
    ownGil: refusal === undefined,
    modes: refusal === undefined ? ['worker', 'owngil'] : ['worker'],
    ...(refusal ? { ownGilRefusal: refusal } : {}),
  };
}

/** Throws a PoolModeError when `mode` cannot run here. */
export function checkMode(pool: string, mode: PoolMode, caps: Capabilities): void {
  if (mode === 'owngil' && caps.ownGilRefusal) {
    throw new PoolModeError(caps.ownGilRefusal.code, `pool '${pool}': ${caps.ownGilRefusal.message}`);
  }
}

/** "worker · free-threaded", "own GIL": how the tree describes a pool's mode. */
export function describeMode(mode: PoolMode, freeThreaded: boolean): string {
  if (mode === 'owngil') return 'own GIL';
  return freeThreaded ? 'worker · free-threaded' : 'worker';
}
