/**
 * The extension's settings as values, and the rules for a hand-edited `pyContexts.pools`
 * object. Pure, so test/unit/settings.unit.test.ts covers it without VS Code.
 */

export interface Settings {
  /** Empty means: the Python the addon was built for. Machine-scoped in the manifest. */
  pythonPath: string;
  pools: Record<string, number>;
  inlineResults: boolean;
}

export const DEFAULT_POOLS: Readonly<Record<string, number>> = { default: 2 };
export const MAX_POOL_SIZE = 64;

/**
 * Accepts `{ "default": 2, "io": 1 }`. Entries with bad names or sizes are dropped (with a
 * reason) rather than failing the whole setting, and `default` always exists because the
 * router falls back to it.
 */
export function normalizePools(raw: unknown): { pools: Record<string, number>; problems: string[] } {
  const problems: string[] = [];
  const pools: Record<string, number> = {};
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    problems.push('pyContexts.pools must be an object such as {"default": 2, "io": 1}');
  } else if (raw) {
    for (const [name, size] of Object.entries(raw as Record<string, unknown>)) {
      if (!/^[A-Za-z_][\w-]*$/.test(name)) {
        problems.push(`pool name "${name}" must start with a letter and use letters, digits, _ or -`);
      } else if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_POOL_SIZE) {
        problems.push(`pool "${name}" needs a whole number of contexts from 1 to ${MAX_POOL_SIZE}`);
      } else {
        pools[name] = size;
      }
    }
  }
  if (pools['default'] === undefined) pools['default'] = DEFAULT_POOLS['default'] ?? 2;
  return { pools, problems };
}
