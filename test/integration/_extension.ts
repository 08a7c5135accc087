// Helpers for the extension's own integration tests (tree, run selection, lifecycle),
// on top of the harness helpers in ./_helpers.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { PyContextsApi } from '../../src/extension';
import type { RunResult } from '../../src/surfaces/runSelection/runner';
import { api as harnessApi, waitFor, workspaceFile } from './_helpers';

export type { RunResult };

/** The exported API including the `_test` views (see src/extension.ts). */
export async function api(): Promise<PyContextsApi> {
  return (await harnessApi()) as unknown as PyContextsApi;
}

/** Writes a Python file into the session's workspace copy and opens it in an editor. */
export async function pythonEditor(relPath: string, text: string, column = vscode.ViewColumn.One): Promise<vscode.TextEditor> {
  const uri = workspaceFile(relPath);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) {
    // An open document does not see a rewrite on disk at once; replace its text instead.
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, open.lineCount, 0), text);
    await vscode.workspace.applyEdit(edit);
    await open.save();
  } else {
    mkdirSync(dirname(uri.fsPath), { recursive: true });
    writeFileSync(uri.fsPath, text);
  }
  const doc = open ?? (await vscode.workspace.openTextDocument(uri));
  return vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
}

/**
 * The live editor of a document. VS Code replaces a TextEditor object when its tab is
 * shown again, and setting the selection of the old object does nothing.
 */
export function live(editor: vscode.TextEditor): vscode.TextEditor {
  return vscode.window.visibleTextEditors.find((e) => e.document === editor.document) ?? editor;
}

/** Puts the cursor at the start of a 1-based line, with nothing selected. */
export function cursorAt(editor: vscode.TextEditor, line: number): void {
  live(editor).selection = new vscode.Selection(line - 1, 0, line - 1, 0);
}

/** Makes `editor` the active one, then runs the Run Selection command in it. */
export async function runSelection(editor: vscode.TextEditor): Promise<RunResult | undefined> {
  if (vscode.window.activeTextEditor?.document !== editor.document) {
    // Keep the selection: showing a document again restores the one it had when it was hidden.
    const selection = live(editor).selection;
    const shown = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn ?? vscode.ViewColumn.One, preview: false });
    shown.selection = selection;
  }
  await waitFor(() => vscode.window.activeTextEditor?.document === editor.document, { message: 'the editor to be active' });
  return vscode.commands.executeCommand<RunResult | undefined>('pyContexts.runSelection');
}

/** Selects lines (1-based, inclusive) and runs them. */
export async function runLines(editor: vscode.TextEditor, first: number, last = first): Promise<RunResult | undefined> {
  const end = editor.document.lineAt(last - 1).range.end;
  live(editor).selection = new vscode.Selection(first - 1, 0, end.line, end.character);
  return runSelection(editor);
}

/** The repr text of a successful run's trailing value (undefined: no value); throws if it failed. */
export function ok(r: RunResult | undefined): string | undefined {
  if (!r) throw new Error('the command ran nothing');
  if (!r.ok) throw new Error(`the run failed: ${r.error}`);
  return r.value?.repr;
}
