// Restricted Mode: no user code runs, from run selection, cells, the tree or the API, and
// each surface says why. (The notebook controller's refusal is tested with the notebook.)
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { PyContextsApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/surfaces/contextTree/provider';
import { api as harnessApi, closeAllEditors, screenshot, waitFor, workspaceFile } from '../_helpers';

async function api(): Promise<PyContextsApi> {
  return (await harnessApi()) as unknown as PyContextsApi;
}

describe('untrusted workspace', () => {
  const marker = workspaceFile('untrusted/ran.txt');
  let editor: vscode.TextEditor;

  before(async () => {
    const uri = workspaceFile('untrusted/attack.py');
    mkdirSync(dirname(uri.fsPath), { recursive: true });
    // If any of this ran, the marker file would exist.
    writeFileSync(uri.fsPath, `# %% cell\nopen(${JSON.stringify(marker.fsPath)}, "w").write("ran")\n`);
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });
  after(closeAllEditors);

  it('runs in Restricted Mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses run selection, run file and run cell, and starts no Python', async () => {
    const a = await api();
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    for (const [cmd, args] of [
      ['pyContexts.runSelection', []],
      ['pyContexts.runFile', [editor.document.uri]],
      ['pyContexts.runCell', [editor.document.uri, 0]],
    ] as const) {
      const r = await vscode.commands.executeCommand<{ ok: boolean; error?: string }>(cmd, ...args);
      assert.deepEqual(r, { ok: false, error: 'untrusted workspace' }, cmd);
    }
    assert.equal(a._test.engineState(), 'idle', 'Python started in an untrusted workspace');
    assert.equal(a.processFor(editor.document.uri), undefined);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(marker)), 'user code ran');
  });

  it('refuses the API too', async () => {
    const a = await api();
    await assert.rejects(a.python(), /untrusted workspace/);
    assert.equal(a._test.engineState(), 'idle');
  });

  it('shows why in the tree and offers no Run Cell lenses', async () => {
    const a = await api();
    const roots = ((await a._test.tree.provider.getChildren(undefined)) ?? []) as TreeNode[];
    assert.equal(roots.length, 1);
    const item = a._test.tree.provider.getTreeItem(roots[0]!) as vscode.TreeItem;
    assert.equal(item.label, 'Restricted Mode');
    assert.match(String(item.description), /untrusted/);
    assert.equal(item.command?.command, 'workbench.trust.manage');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
    assert.equal(lenses.length, 0);
    await vscode.commands.executeCommand('pyContexts.contextPool.focus');
    await waitFor(() => a._test.tree.view.visible, { message: 'the tree to be visible' });
    await screenshot('untrusted-tree');
  });
});
