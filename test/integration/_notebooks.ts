// Notebook helpers shared by the integration tests: write a notebook into the session's
// workspace, and open one in an editor with our controller selected.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { closeAllEditors, waitFor, workspaceFile } from './_helpers';

export const CONTROLLER = { id: 'pyContexts.notebook', extension: 'py-contexts.py-contexts' };

/** Writes a Python notebook with these code cells into the workspace (under notebooks/) and returns its uri. */
export function writeNotebook(name: string, cells: string[]): vscode.Uri {
  const uri = workspaceFile(`notebooks/${name}`);
  mkdirSync(join(uri.fsPath, '..'), { recursive: true });
  const nb = {
    cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
    metadata: { kernelspec: { name: 'python3', language: 'python', display_name: 'Python 3' }, language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(uri.fsPath, JSON.stringify(nb, null, 1));
  return uri;
}

/**
 * Opens a notebook in an editor, as a user does, and selects our controller for it.
 * (workspace.openNotebookDocument would keep the document alive for minutes after its
 * editor closes, which hides whether closing the notebook frees its process.)
 */
export async function openNotebook(uri: vscode.Uri): Promise<vscode.NotebookDocument> {
  await vscode.commands.executeCommand('vscode.openWith', uri, 'jupyter-notebook', { preview: false });
  const editor = await waitFor(
    () => (vscode.window.activeNotebookEditor?.notebook.uri.toString() === uri.toString() ? vscode.window.activeNotebookEditor : undefined),
    { message: `${uri.path} to be the active notebook` },
  );
  await vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER);
  return editor.notebook;
}

export const ERROR_MIME = 'application/vnd.code.notebook.error';
export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);

/** Closes every notebook editor without saving (a save prompt would stall the test host). */
export async function closeNotebooks(): Promise<void> {
  for (let i = 0; i < 20 && vscode.window.activeNotebookEditor; i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await closeAllEditors();
}

export function codeCells(doc: vscode.NotebookDocument): vscode.NotebookCell[] {
  return doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

export const finished = (cell: vscode.NotebookCell): boolean =>
  cell.executionSummary?.success !== undefined && cell.executionSummary.timing !== undefined;

/** Runs cells (all when `indices` is omitted) and waits until each one has finished. */
export async function run(doc: vscode.NotebookDocument, indices?: number[]): Promise<void> {
  const cells = indices ? indices.map((i) => doc.cellAt(i)) : codeCells(doc);
  const before = cells.map((c) => c.executionSummary?.executionOrder);
  const ranges = indices ? indices.map((i) => ({ start: i, end: i + 1 })) : [{ start: 0, end: doc.cellCount }];
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges, document: doc.uri });
  await waitFor(
    () => cells.every((c, i) => finished(c) && c.executionSummary?.executionOrder !== before[i]),
    { timeoutMs: 90_000, message: `cells ${indices ? indices.join(',') : 'all'} of ${doc.uri.path} to finish` },
  );
}

export function mimes(cell: vscode.NotebookCell): string[][] {
  return cell.outputs.map((o) => o.items.map((i) => i.mime));
}

export function item(cell: vscode.NotebookCell, mime: string): vscode.NotebookCellOutputItem {
  const found = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === mime);
  if (!found) throw new Error(`cell ${cell.index} has no ${mime} output; it has ${JSON.stringify(mimes(cell))}\n${dump(cell)}`);
  return found;
}

/** A cell's outputs as text, for assertion messages (a failing import shows here). */
export function dump(cell: vscode.NotebookCell): string {
  return cell.outputs
    .flatMap((o) => o.items)
    .map((i) => `${i.mime}: ${i.mime.startsWith('image/') ? `<${i.data.length} bytes>` : text(i.data).slice(0, 2000)}`)
    .join('\n');
}

export function streamText(cell: vscode.NotebookCell, mime = STDOUT_MIME): string {
  return cell.outputs
    .flatMap((o) => o.items)
    .filter((i) => i.mime === mime)
    .map((i) => text(i.data))
    .join('');
}

export function error(cell: vscode.NotebookCell): { name: string; message: string; stack: string } {
  return JSON.parse(text(item(cell, ERROR_MIME).data)) as { name: string; message: string; stack: string };
}

