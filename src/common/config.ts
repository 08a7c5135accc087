/**
 * The extension's settings. `normalizePools` is pure so the rules for a hand-edited
 * `pyContexts.pools` object are tested without VS Code.
 */
import * as vscode from 'vscode';
import { CONFIG_SECTION } from './ids';

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

export function readSettings(): Settings & { problems: string[] } {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  // inspect() rather than get(): pythonPath is machine-scoped, and reading only the global
  // value makes sure a workspace file can never choose the native library we load, even on
  // a VS Code that ignores the scope.
  const py = c.inspect<string>('pythonPath');
  const pythonPath = (py?.globalValue ?? py?.defaultValue ?? '').trim();
  const { pools, problems } = normalizePools(c.get<unknown>('pools'));
  return { pythonPath, pools, inlineResults: c.get<boolean>('runSelection.inlineResults', true), problems };
}

export function affectsEngine(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${CONFIG_SECTION}.pythonPath`) || e.affectsConfiguration(`${CONFIG_SECTION}.pools`);
}
