/**
 * The extension's settings as values, and the rules for a hand-edited `pyContexts.pools`
 * object. Pure, so test/unit/contextTree.unit.test.ts covers it without VS Code.
 */
import { parsePoolSpec, type PoolSpec } from '../engine/pools';

export { MAX_POOL_SIZE } from '../engine/pools';

export interface Settings {
  /** Empty means: the Python the addon was built for. Machine-scoped in the manifest. */
  pythonPath: string;
  pools: Record<string, PoolSpec>;
  inlineResults: boolean;
}

export const DEFAULT_POOLS: Readonly<Record<string, PoolSpec>> = { default: { size: 2, mode: 'worker' } };

/**
 * Accepts `{ "default": 2, "cpu": { "size": 2, "mode": "owngil" } }`, by the engine's own rules
 * (parsePoolSpec). Entries with bad names, sizes or modes are dropped (with a reason) rather than
 * failing the whole setting, and `default` always exists because the router falls back to it.
 */
export function normalizePools(raw: unknown): { pools: Record<string, PoolSpec>; problems: string[] } {
  const problems: string[] = [];
  const pools: Record<string, PoolSpec> = {};
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    problems.push('pyContexts.pools must be an object such as {"default": 2, "cpu": {"size": 2, "mode": "owngil"}}');
  } else if (raw) {
    for (const [name, spec] of Object.entries(raw as Record<string, unknown>)) {
      try {
        pools[name] = parsePoolSpec(name, spec);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
  }
  pools['default'] ??= { ...DEFAULT_POOLS['default']! };
  return { pools, problems };
}
