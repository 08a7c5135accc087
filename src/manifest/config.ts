/** Reads the extension's settings from VS Code; the rules for their values are in settings.ts. */
import * as vscode from 'vscode';
import { CONFIG_SECTION } from './ids';
import { normalizePools, type Settings } from './settings';

export type { Settings };

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
