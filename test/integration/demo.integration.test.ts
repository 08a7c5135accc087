// The demo workspace (demo/, opened by `npm start`) works as its comments promise: the
// notebook runs start to finish in our controller with a DataFrame and a matplotlib figure,
// and the .py file's cells run (its deliberate error, input() and endless loop excepted).
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { findCells } from '../../src/surfaces/runSelection/cells';
import { closeAllEditors, waitFor, workspaceFile } from './_helpers';

const repo = process.env['PY_CONTEXTS_REPO'] ?? join(__dirname, '../../..');
const CONTROLLER = { id: 'pyContexts.notebook', extension: 'py-contexts.py-contexts' };

function copyDemo(name: string): vscode.Uri {
  const uri = workspaceFile(`demo-copy/${name}`);
  mkdirSync(dirname(uri.fsPath), { recursive: true });
  copyFileSync(join(repo, 'demo', name), uri.fsPath);
  return uri;
}

describe('demo workspace', () => {
  after(async () => {
    for (let i = 0; i < 5 && vscode.window.activeNotebookEditor; i++) {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAllEditors();
  });

  it('runs demo/notebook.ipynb: a DataFrame as HTML, a figure as PNG, no errors', async () => {
    const uri = copyDemo('notebook.ipynb');
    await vscode.commands.executeCommand('vscode.openWith', uri, 'jupyter-notebook', { preview: false });
    const editor = await waitFor(
      () => (vscode.window.activeNotebookEditor?.notebook.uri.toString() === uri.toString() ? vscode.window.activeNotebookEditor : undefined),
      { message: 'the demo notebook to open' },
    );
    await vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER);
    const doc = editor.notebook;
    const code = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: 0, end: doc.cellCount }], document: doc.uri });
    await waitFor(() => code.every((c) => c.executionSummary?.success !== undefined && c.executionSummary.timing !== undefined), {
      timeoutMs: 90_000,
      message: 'every demo cell to finish',
    });
    const mimes = (c: vscode.NotebookCell): string[] => c.outputs.flatMap((o) => o.items.map((i) => i.mime));
    for (const c of code) assert.equal(c.executionSummary?.success, true, `cell ${c.index} failed: ${mimes(c).join(', ')}`);
    assert.ok(mimes(code[0]!).includes('text/html'), 'the DataFrame shows as HTML');
    assert.ok(mimes(code[2]!).includes('image/png'), 'the figure shows as PNG');
    assert.ok(mimes(code[4]!).includes('text/markdown'), 'Markdown() shows as markdown');
  });

  it('runs the cells of demo/analysis.py that are meant to succeed', async () => {
    const uri = copyDemo('analysis.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    const cells = findCells(doc.getText().split('\n'));
    const expectFail = ['Errors point at the real line'];
    const skip = ['input() asks', 'Long runs show progress'];
    let ran = 0;
    for (const cell of cells) {
      if (cell.markdown || !cell.hasMarker || skip.some((s) => cell.title.includes(s))) continue;
      const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>('pyContexts.runCell', uri, cell.start);
      const failing = expectFail.some((s) => cell.title.includes(s));
      assert.equal(r?.ok, !failing, `cell "${cell.title}": ${JSON.stringify(r)}`);
      ran++;
    }
    assert.equal(ran, 5);
  });
});
