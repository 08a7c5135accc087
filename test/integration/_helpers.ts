// Shared helpers for tests that run inside the VS Code extension host
// (test/integration/**/*.integration.test.ts, loaded by ./index.ts).
//
// Environment set by scripts/integration.mjs for the host:
//   PY_CONTEXTS_SESSION      'main' | 'untrusted' | 'vsix' | 'pythonext': which test folder is running
//   PY_CONTEXTS_SCREENSHOTS  folder where the runner writes screenshots (unset: no screenshots)
//   PY_CONTEXTS_REPO         the repository root
//   PY_CONTEXTS_VSIX         the .vsix installed for the 'vsix' session
//   PY_CONTEXTS_PYTHON       the python the engine should embed (passed through unchanged)
//   PY_CONTEXTS_STANDIN_PYTHON, PY_CONTEXTS_STANDIN_OTHER  (pythonext) what the Python extension
//                            stand-in selects first, and another interpreter to switch to
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Python, PyProcess } from '../../src/engine/types';

export const EXTENSION_ID = 'py-contexts.py-contexts';

/**
 * What activate() returns (issue 3, "Exported API"). Written out here rather than imported
 * so these helpers compile before the extension exists; keep it in step with src/extension.ts.
 */
export interface PyContextsApi {
  python(): Promise<Python>;
  processFor(uri: vscode.Uri): PyProcess | undefined;
  onDidChange: vscode.Event<void>;
}

export function session(): string {
  return process.env['PY_CONTEXTS_SESSION'] ?? 'main';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitOptions {
  /** Give up after this long (default 20 s); the error names `message`. */
  timeoutMs?: number;
  intervalMs?: number;
  /** What was awaited; a function is asked at the timeout, to say the state it ended in. */
  message?: string | (() => string);
}

/**
 * Polls `probe` until it returns something other than undefined, null or false, and returns
 * that value. Use it instead of fixed sleeps: the UI and the engine update asynchronously.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 50, message = 'condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      // A probe may throw while the thing it looks at is not there yet; report the last error.
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof message === 'function' ? message() : message}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves when `event` fires next (or rejects after `timeoutMs`). */
export function nextEvent<T>(event: vscode.Event<T>, timeoutMs = 20_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`event did not fire within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = event((e) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

/** The extension (development copy or installed from the .vsix); throws when it is missing. */
export function extension(): vscode.Extension<PyContextsApi> {
  const ext = vscode.extensions.getExtension<PyContextsApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this VS Code`);
  return ext;
}

/** Activates the extension and returns its exported API. */
export async function api(): Promise<PyContextsApi> {
  const ext = extension();
  return ext.isActive ? ext.exports : await ext.activate();
}

/** The first workspace folder: a fresh copy of test/fixtures/workspace for each session. */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration run opened no workspace folder');
  return folder.uri;
}

export function workspaceFile(relPath: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relPath.split('/'));
}

/** Opens a file of the workspace copy in an editor and returns the editor. */
export async function openEditor(relPath: string, column = vscode.ViewColumn.One): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(relPath));
  return vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
}

/** Selects whole lines (1-based, inclusive) in an editor, the way a user would before Shift+Enter. */
export function selectLines(editor: vscode.TextEditor, first: number, last = first): void {
  const end = editor.document.lineAt(last - 1).range.end;
  editor.selection = new vscode.Selection(first - 1, 0, end.line, end.character);
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** True when the runner can take screenshots (code-server sessions; not desktop VS Code). */
export function canScreenshot(): boolean {
  return Boolean(process.env['PY_CONTEXTS_SCREENSHOTS']);
}

/**
 * Asks the runner for a screenshot of the whole workbench, saved as
 * test-artifacts/screenshots/<name>.png, and resolves with its path once the file exists.
 *
 * Code in the extension host cannot capture the browser page, so the request travels as a
 * magic console line, `[[screenshot:<name>]]`, which the workbench forwards to the runner's
 * codeAutomationLog hook. The runner writes the PNG under a temporary name and renames it,
 * so seeing the final name means the file is complete. Resolves with undefined where no
 * runner can capture (desktop VS Code through @vscode/test-electron).
 */
/**
 * Checks what screenshot() returned: where the runner captures, a real PNG of a plausible
 * workbench size (the IHDR width and height); elsewhere, nothing.
 */
export function assertScreenshot(file: string | undefined): void {
  if (!canScreenshot()) {
    if (file !== undefined) throw new Error(`a screenshot without a runner to take it: ${file}`);
    return;
  }
  if (file === undefined) throw new Error('the runner took no screenshot');
  const head = readFileSync(file).subarray(0, 24);
  if (!head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error(`${file} is not a PNG`);
  const width = head.readUInt32BE(16);
  const height = head.readUInt32BE(20);
  if (width < 400 || height < 300) throw new Error(`${file} is ${width}x${height}, too small for the workbench`);
}

export async function screenshot(name: string, timeoutMs = 30_000): Promise<string | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`screenshot name must match [A-Za-z0-9._-]+: ${name}`);
  const dir = process.env['PY_CONTEXTS_SCREENSHOTS'];
  if (!dir) return undefined;
  const file = join(dir, `${name}.png`);
  // A file from an earlier request with the same name must not satisfy this one.
  rmSync(file, { force: true });
  console.log(`[[screenshot:${name}]]`);
  return waitFor(() => existsSync(file) && file, { timeoutMs, intervalMs: 100, message: `screenshot ${name}` });
}

/**
 * Presses a key in the workbench as a user would (the browser's keyboard, through the same
 * console hook as screenshots), so a keybinding and its `when` clause are what runs. The
 * caller waits on the state the key should change.
 */
export function pressKey(key: string): void {
  if (!/^[A-Za-z0-9+]+$/.test(key)) throw new Error(`key must match [A-Za-z0-9+]+: ${key}`);
  console.log(`[[press:${key}]]`);
}

/**
 * Clicks, as a user would, the button labelled exactly `label` on a notification toast (the
 * harness waits up to 20 s for it to show). The caller waits on what the click should do.
 */
export function clickNotificationButton(label: string): void {
  if (!/^[A-Za-z0-9 ._-]+$/.test(label)) throw new Error(`label must match [A-Za-z0-9 ._-]+: ${label}`);
  console.log(`[[click:${label}]]`);
}
